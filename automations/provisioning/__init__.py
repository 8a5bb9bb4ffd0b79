"""Provisioning: create (or find) the smart process «Закупка», its stages and ETA field,
and the workflow's deal stages in a chosen deal funnel, then store the stage map.

Trigger: the settings page button or ``b24bridge provision``. Idempotent: every step
looks up what exists first (by title / stage name / field name) and creates only what
is missing, so re-running creates nothing twice.
"""
