"""REST errors as Bitrix24 answers them: code, description, HTTP status, extra keys.

Statuses and texts come from REST_FACTS.md §2 (system error table); texts marked
UNCONFIRMED there are our guesses, clients must key on the code.
"""

from typing import Any

_KNOWN: dict[str, tuple[int, str]] = {
    "QUERY_LIMIT_EXCEEDED": (503, "Too many requests"),
    "OPERATION_TIME_LIMIT": (429, "Method is blocked due to operation time limit."),
    "OVERLOAD_LIMIT": (503, "REST API is blocked due to overload."),
    "expired_token": (401, "The access token provided has expired."),
    "NO_AUTH_FOUND": (401, "Wrong authorization data"),
    "invalid_token": (401, "Token expired or invalid"),
    "insufficient_scope": (
        403,
        "The request requires higher privileges than provided by the webhook token",
    ),
    "INVALID_CREDENTIALS": (403, "Invalid request credentials"),
    "user_access_error": (403, "The user does not have access to the application"),
    "ACCESS_DENIED": (403, "Access denied!"),
    "WRONG_AUTH_TYPE": (403, "Application context required"),
    "INVALID_REQUEST": (400, "Https required"),
    "ERROR_BATCH_LENGTH_EXCEEDED": (400, "Max batch length exceeded"),
    "ERROR_BATCH_METHOD_NOT_ALLOWED": (405, "Method is not allowed for batch usage"),
    "ERROR_METHOD_NOT_FOUND": (404, "Method not found!"),
    "INTERNAL_SERVER_ERROR": (500, "Internal server error"),
    "ERROR_UNEXPECTED_ANSWER": (500, "Server returned an unexpected response"),
    "PORTAL_DELETED": (500, "Portal was deleted"),
}


class RestError(Exception):
    """A REST call that fails with a Bitrix24 error body."""

    def __init__(
        self,
        code: str,
        description: str | None = None,
        *,
        status: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        known_status, known_text = _KNOWN.get(code, (400, ""))
        self.code = code
        self.description = known_text if description is None else description
        self.status = known_status if status is None else status
        self.extra = extra or {}
        super().__init__(f"{code}: {self.description}")

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "error_description": self.description, **self.extra}


def status_of(code: str) -> int:
    """Documented HTTP status of an error code (400 when the table does not list it)."""
    return _KNOWN.get(code, (400, ""))[0]


def legacy_error(description: str) -> RestError:
    """Legacy CRM entity methods answer HTTP 400 with an EMPTY error code (REST_FACTS §1.1)."""
    return RestError("", description, status=400)


def not_found_item() -> RestError:
    return RestError("NOT_FOUND", "Element not found", status=400)


def required(name: str) -> RestError:
    """The numeric-string code "100" = required parameter missing (crm.item.* family)."""
    return RestError("100", f"Required parameter '{name}' is not set", status=400)
