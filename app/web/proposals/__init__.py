"""Public pages of the proposals: short-link redirects and the proposal page (PRODUCT §3.7)."""
