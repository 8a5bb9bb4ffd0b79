"""Commercial proposals (КП) and their short links (PRODUCT §3.7)."""
