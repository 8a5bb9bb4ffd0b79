"""Typed errors of the Bitrix24 connector.

Every failure that leaves the package is one of these; no httpx exception does.
Errors carry the REST method name and the Bitrix24 ``error`` code, never the
request parameters, the URL or any token::

    Bitrix24Error                      method, code
    ├── HostNotAllowedError            refused by the SSRF allow-list, nothing was sent
    ├── TransportError                 network failure or timeout            (transient*)
    ├── ProtocolError                  the answer is not a Bitrix24 envelope
    └── ApiError                       an ``error`` code from the portal, + http_status
        ├── AuthError                  NO_AUTH_FOUND, invalid_token, invalid_grant, ...
        │   └── TokenExpiredError      expired_token (refreshed once, then retried)
        ├── PermissionDeniedError      insufficient_scope, ACCESS_DENIED, WRONG_AUTH_TYPE, ...
        ├── NotFoundError              NOT_FOUND, ERROR_METHOD_NOT_FOUND, "Not found"
        ├── RateLimitError             QUERY_LIMIT_EXCEEDED                  (transient)
        ├── OperatingLimitError        OPERATION_TIME_LIMIT, + reset_at      (transient)
        ├── OverloadError              OVERLOAD_LIMIT (manual block; not retried)
        ├── ServerError                INTERNAL_SERVER_ERROR, HTTP 5xx       (transient*)
        └── BadRequestError            any other code, incl. the empty one of crm.deal.*

(*) retried only when the call is safe to repeat (see ``is_retryable``).
Codes are matched case-insensitively and by code, not by HTTP status: 503 is
both QUERY_LIMIT_EXCEEDED and OVERLOAD_LIMIT (REST_FACTS §2, error-codes.md).
"""

from __future__ import annotations

import re

_IDEMPOTENT_VERBS = frozenset(
    {"get", "list", "fields", "update", "delete", "set", "current", "info", "bind", "unbind"}
)


class Bitrix24Error(Exception):
    """Base of every error the connector raises."""

    def __init__(self, message: str, *, method: str = "", code: str = "") -> None:
        super().__init__(message)
        self.method = method
        self.code = code

    def __str__(self) -> str:
        text = super().__str__()
        return f"{self.method}: {text}" if self.method else text


class HostNotAllowedError(Bitrix24Error):
    """The portal or OAuth host is not on the allow-list; no request was made."""


class TransportError(Bitrix24Error):
    """The request did not complete (connect error, timeout, broken stream)."""

    def __init__(self, message: str, *, method: str = "", request_sent: bool = True) -> None:
        super().__init__(message, method=method, code="TRANSPORT")
        self.request_sent = request_sent


class ProtocolError(Bitrix24Error):
    """The portal answered something that is not a Bitrix24 JSON envelope."""


class ApiError(Bitrix24Error):
    """The portal answered with an ``error`` code."""

    def __init__(
        self, description: str, *, method: str = "", code: str = "", http_status: int = 0
    ) -> None:
        super().__init__(description or code or "error", method=method, code=code)
        self.description = description
        self.http_status = http_status


class AuthError(ApiError):
    """The credentials were refused."""


class TokenExpiredError(AuthError):
    """The OAuth access token expired; the client refreshes it once and retries."""


class PermissionDeniedError(ApiError):
    """The scope or the acting user's rights do not allow the call."""


class NotFoundError(ApiError):
    """The method or the entity does not exist."""


class RateLimitError(ApiError):
    """QUERY_LIMIT_EXCEEDED: refused before execution, always safe to retry."""


class OperatingLimitError(ApiError):
    """OPERATION_TIME_LIMIT: this method is blocked for this app until ``reset_at``.

    ``reset_at`` is the ``operating_reset_at`` of the last successful answer for
    the method (limits.md), filled in by the client when it knows one.
    """

    reset_at: float | None = None


class OverloadError(ApiError):
    """OVERLOAD_LIMIT: REST blocked by Bitrix24 support; retrying does not help."""


class ServerError(ApiError):
    """The portal failed internally (HTTP 5xx, INTERNAL_SERVER_ERROR)."""


class BadRequestError(ApiError):
    """Any other refusal: wrong parameters, validation errors, unknown codes."""


_CODE_CLASSES: dict[str, type[ApiError]] = {
    "query_limit_exceeded": RateLimitError,
    "operation_time_limit": OperatingLimitError,
    "overload_limit": OverloadError,
    "expired_token": TokenExpiredError,
    "no_auth_found": AuthError,
    "invalid_token": AuthError,
    "invalid_grant": AuthError,
    "invalid_client": AuthError,
    "invalid_credentials": PermissionDeniedError,
    "payment_required": AuthError,
    "authorization_error": AuthError,
    "portal_deleted": AuthError,
    "insufficient_scope": PermissionDeniedError,
    "invalid_scope": PermissionDeniedError,
    "user_access_error": PermissionDeniedError,
    "access_denied": PermissionDeniedError,
    "wrong_auth_type": PermissionDeniedError,
    "not_found": NotFoundError,
    "error_method_not_found": NotFoundError,
    "error_not_found": NotFoundError,
    "owner_not_found": NotFoundError,
    "internal_server_error": ServerError,
    "error_unexpected_answer": ServerError,
}

# Legacy crm.deal.* answer with an empty code and put the reason in the text
# (REST_FACTS §1.1, crm-deal-update.md): classify by the text then.
_DESCRIPTION_CLASSES: tuple[tuple[re.Pattern[str], type[ApiError]], ...] = (
    (re.compile(r"not\s+found", re.IGNORECASE), NotFoundError),
    (re.compile(r"access\s+denied", re.IGNORECASE), PermissionDeniedError),
)


def error_class(code: str, description: str, http_status: int) -> type[ApiError]:
    """Pick the error class for a Bitrix24 ``error`` code (case-insensitive)."""
    found = _CODE_CLASSES.get(code.strip().lower())
    if found is not None:
        return found
    if not code.strip():
        for pattern, cls in _DESCRIPTION_CLASSES:
            if pattern.search(description):
                return cls
    return ServerError if http_status >= 500 else BadRequestError


def api_error(code: str, description: str, *, method: str, http_status: int) -> ApiError:
    """Build the typed error for one ``{"error", "error_description"}`` pair."""
    cls = error_class(code, description, http_status)
    return cls(description, method=method, code=code, http_status=http_status)


def is_rate_refusal(exc: BaseException) -> bool:
    """True for refusals made before execution: safe to repeat any call."""
    return isinstance(exc, RateLimitError | OperatingLimitError)


def is_idempotent_method(method: str) -> bool:
    """True when repeating ``method`` cannot create a second effect.

    Reads and overwrites (get/list/update/set/delete) converge; ``*.add``,
    ``*.send`` and the like would duplicate after an ambiguous failure
    (RELIABILITY.md DR6: only idempotent calls are auto-retried).
    """
    verb = method.lower().removesuffix(".json").rsplit(".", 1)[-1]
    return verb in _IDEMPOTENT_VERBS


def is_retryable(exc: BaseException, *, idempotent: bool) -> bool:
    """Transient failures worth another attempt (``idempotent``: the call may repeat)."""
    if is_rate_refusal(exc):
        return True
    if isinstance(exc, TransportError) and not exc.request_sent:
        return True
    if isinstance(exc, TransportError | ServerError):
        return idempotent
    return False
