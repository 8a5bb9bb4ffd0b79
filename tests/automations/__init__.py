"""Tests of the business automations, mirroring `automations/`."""
