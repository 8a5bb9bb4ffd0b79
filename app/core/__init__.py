"""The kernel every other part stands on: settings, database and unit of work, errors,
logs and metrics, the table models, the inbox and job queue, idempotency records, the
portals table and per-portal settings. It imports nothing of ours above it."""
