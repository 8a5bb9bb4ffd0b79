"""Which handler runs which job kind."""

from app.worker import JobHandler

HANDLERS: dict[str, JobHandler] = {}
