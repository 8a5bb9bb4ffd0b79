"""Parsing of the Bitrix24 v2 response envelope (REST_FACTS §1.1, §2).

``{"result": ..., "total": N, "next": 50, "time": {...}}`` on success,
``{"error": "CODE", "error_description": "..."}`` on failure. Errors are
recognised by the ``error`` key whatever the HTTP status (third-party code
reports QUERY_LIMIT_EXCEEDED with HTTP 200), and PHP's empty array ``[]``
is accepted wherever a map is expected.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from connectors.bitrix24.errors import ApiError, ProtocolError, ServerError, api_error


@dataclass(frozen=True, slots=True)
class CallTime:
    """The ``time`` block: execution seconds of this method in the last 10 minutes."""

    operating: float | None = None
    operating_reset_at: float | None = None
    finish: float | None = None
    start: float | None = None  # when the portal received the request (its clock)


@dataclass(frozen=True, slots=True)
class Envelope:
    """A successful answer."""

    result: Any
    total: int | None = None
    next: int | None = None
    time: CallTime | None = None


def as_mapping(value: Any) -> dict[str, Any]:
    """A JSON object as a dict; PHP's empty array ``[]`` (or null) as ``{}``."""
    if isinstance(value, Mapping):
        return {str(key): item for key, item in value.items()}
    if value is None or value == []:
        return {}
    if isinstance(value, list):
        # PHP serialises arrays with keys 0..n as JSON lists.
        return {str(index): item for index, item in enumerate(value)}
    raise ProtocolError(f"expected an object, got {type(value).__name__}")


def parse_time(raw: Any) -> CallTime | None:
    """The ``time`` block, tolerant of missing keys (its composition varies)."""
    if not isinstance(raw, Mapping):
        return None
    return CallTime(
        operating=_number(raw.get("operating")),
        operating_reset_at=_number(raw.get("operating_reset_at")),
        finish=_number(raw.get("finish")),
        start=_number(raw.get("start")),
    )


def decode_body(body: bytes, *, method: str, http_status: int) -> Any:
    """JSON-decode a body; a non-JSON 5xx page is a server error."""
    try:
        return json.loads(body) if body else None
    except ValueError as exc:
        if http_status >= 500:
            raise ServerError(
                "non-JSON answer",
                method=method,
                code=f"HTTP_{http_status}",
                http_status=http_status,
            ) from exc
        raise ProtocolError(f"non-JSON answer (HTTP {http_status})", method=method) from exc


def parse_envelope(payload: Any, *, method: str, http_status: int) -> Envelope:
    """Turn a decoded answer into an ``Envelope`` or raise its typed error."""
    error = find_error(payload, method=method, http_status=http_status)
    if error is not None:
        raise error
    if not isinstance(payload, Mapping) or "result" not in payload:
        raise ProtocolError(f"no result in the answer (HTTP {http_status})", method=method)
    return Envelope(
        result=payload["result"],
        total=_int(payload.get("total")),
        next=_int(payload.get("next")),
        time=parse_time(payload.get("time")),
    )


def find_error(payload: Any, *, method: str, http_status: int) -> ApiError | None:
    """The typed error an answer carries, or None when it is a success."""
    if isinstance(payload, Mapping) and "error" in payload and "result" not in payload:
        code, description = _error_fields(payload)
        return api_error(code, description, method=method, http_status=http_status)
    if http_status >= 400:
        return api_error(
            f"HTTP_{http_status}", "unexpected answer", method=method, http_status=http_status
        )
    return None


def _error_fields(payload: Mapping[str, Any]) -> tuple[str, str]:
    raw = payload.get("error")
    if isinstance(raw, Mapping):  # REST 3.0 shape {"error": {"code", "message"}}
        return str(raw.get("code") or ""), str(raw.get("message") or "")
    return str(raw or ""), str(payload.get("error_description") or "")


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _int(value: Any) -> int | None:
    number = _number(value)
    return None if number is None else int(number)
