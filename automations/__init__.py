"""Business automations: pure rules plus handlers that load, decide, act and record."""
