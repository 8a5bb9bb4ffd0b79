"""HTTP routes for people and operators: health, readiness, metrics, admin views."""
