"""Job handlers: one per job kind, each a unit of work (load → decide → act → record)."""
