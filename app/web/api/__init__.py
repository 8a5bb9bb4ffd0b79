"""HTTP routes for operators: health, readiness, metrics, admin views."""
