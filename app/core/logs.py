"""Structured logging with secret redaction.

Every log record — ours through structlog, and third-party ones through the stdlib
root handler (httpx, uvicorn, sqlalchemy) — passes one redaction step: values of
keys that name a secret are masked, and any known secret value (tokens the app has
seen) is masked wherever it appears in a message, and so is the value of any
secret-named URL parameter (``?secret=…`` in uvicorn's access log). httpx logs full URLs
at INFO, so its logger is raised to WARNING as well (RELIABILITY.md DR8).
"""

import logging
import re
import sys
import threading
from collections.abc import MutableMapping
from typing import Any

import structlog

SECRET_KEY_PATTERN = re.compile(
    r"(token|secret|password|auth_id|refresh_id|authorization|webhook|auth\b|^auth$|^code$)", re.I
)
MASK = "***"
_MIN_SECRET_LENGTH = 8
# A secret-named parameter in a URL (an access log's request line, an error naming a URL):
# its value is masked even when the app has never seen that secret (a wrong or foreign one).
QUERY_SECRET_PATTERN = re.compile(
    r"(?P<key>[?&](?:[^=&\s\"']*(?:token|secret|password|auth_id|refresh_id)|auth|code)"
    r"(?:%5B[^=&\s]*%5D|\[[^=&\s]*\])?=)[^&\s\"']+",
    re.I,
)


class SecretRegistry:
    """Known secret values, masked wherever they appear in a log line."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()
        self._pattern: re.Pattern[str] | None = None

    def add(self, *values: str | None) -> None:
        fresh = {v for v in values if v and len(v) >= _MIN_SECRET_LENGTH} - self._values
        if not fresh:
            return
        with self._lock:
            self._values |= fresh
            ordered = sorted(self._values, key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(v) for v in ordered))

    def mask(self, text: str) -> str:
        pattern = self._pattern
        return pattern.sub(MASK, text) if pattern else text


secrets = SecretRegistry()


def _redact_value(key: str, value: Any) -> Any:
    if SECRET_KEY_PATTERN.search(key) and value not in (None, ""):
        return MASK
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: _redact_value(str(k), v) for k, v in value.items()}
    return value


def redact_event(
    _logger: Any, _name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key, value in list(event_dict.items()):
        event_dict[key] = value if key == "event" else _redact_value(key, value)
    event_dict["event"] = mask_text(str(event_dict.get("event", "")))
    return event_dict


def mask_text(text: str) -> str:
    """``text`` with known secrets and secret-named URL parameters masked."""
    return QUERY_SECRET_PATTERN.sub(rf"\g<key>{MASK}", secrets.mask(text))


def _mask_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except (TypeError, ValueError):
        return
    masked = mask_text(message)
    if masked != message:
        record.msg, record.args = masked, None


def install_record_redaction() -> None:
    """Mask known secrets in every stdlib record as it is created, before any handler sees it."""
    current = logging.getLogRecordFactory()
    if getattr(current, "b24bridge_redacting", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = current(*args, **kwargs)
        _mask_record(record)
        return record

    factory.b24bridge_redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def configure_logging(level: str = "INFO", *, json: bool = False) -> None:
    renderer: Any = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact_event,
            renderer,
        ],
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        cache_logger_on_first_use=False,
    )
    install_record_redaction()
    root = logging.getLogger()
    root.setLevel(level.upper())
    if not root.handlers:
        root.addHandler(logging.StreamHandler(sys.stderr))
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(
        max(root.level, logging.WARNING)
    )  # no chatter per command


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)
