"""Keeps tokens, secrets and webhook codes out of log lines.

httpx logs ``HTTP Request: POST <full URL>`` at INFO, and a webhook URL carries
its secret code in the path (``/rest/1/<code>/``) while the OAuth refresh GET
carries ``client_secret`` and ``refresh_token`` in its query (RELIABILITY.md
DR8). A filter on the httpx/httpcore loggers and on this package's logger
rewrites each record: known secret values and the secret-bearing URL parts
become ``***``, in the message, its arguments and any formatted traceback.
"""

from __future__ import annotations

import logging
import re
import threading

_MASK = "***"
_QUERY_SECRET = re.compile(
    r"(?i)\b(auth|access_token|refresh_token|client_secret|code|application_token|"
    r"auth_id|refresh_id|event_token)=[^&\s\"'<>]+"
)
_WEBHOOK_PATH = re.compile(r"(/rest/\d+/)[^/\s\"'<>?]+")

REDACTED_LOGGERS: tuple[str, ...] = (
    "connectors.bitrix24",
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)


def redact(text: str, secrets: frozenset[str] = frozenset()) -> str:
    """``text`` with the given secrets and secret-bearing URL parts masked."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, _MASK)
    text = _QUERY_SECRET.sub(lambda match: f"{match.group(1)}={_MASK}", text)
    return _WEBHOOK_PATH.sub(lambda match: f"{match.group(1)}{_MASK}", text)


class SecretRedactor(logging.Filter):
    """Logging filter that masks registered secrets and URL secrets."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: frozenset[str] = frozenset()
        self._lock = threading.Lock()

    def add(self, *secrets: str) -> None:
        """Mask these values from now on (tokens are added as they are issued)."""
        with self._lock:
            self._secrets = self._secrets | {s for s in secrets if len(s) >= 4}

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = self._secrets
        message = record.getMessage()
        cleaned = redact(message, secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, secrets)
        return True


_REDACTOR = SecretRedactor()


def log_redactor() -> SecretRedactor:
    """The shared redactor, for the app to attach to its own log handlers.

    Records the app logs itself (an exception traceback chained from a
    connector error, say) do not pass the loggers filtered here; a handler
    filter covers them.
    """
    return _REDACTOR


def install_log_redaction(*secrets: str) -> SecretRedactor:
    """Attach the shared redactor to the HTTP loggers and register secrets.

    ``addFilter`` ignores a filter already attached, so calling this per
    client and per refreshed token is cheap and idempotent.
    """
    for name in REDACTED_LOGGERS:
        logging.getLogger(name).addFilter(_REDACTOR)
    _REDACTOR.add(*secrets)
    return _REDACTOR
