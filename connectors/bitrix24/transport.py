"""The one place where httpx is called and its exceptions are mapped.

Requests use JSON bodies, never follow redirects (a 302 from a moved portal
would turn the POST into a GET and lose the body, change-domen.md; the client
re-POSTs itself), and time out under Bitrix24's 60-second cap. Every request
is reported to the observer with its status and duration.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from connectors.bitrix24.envelope import decode_body
from connectors.bitrix24.errors import Bitrix24Error, TransportError
from connectors.bitrix24.observer import Observer

_HEADERS = {
    "Accept": "application/json",
    "User-Agent": "b24bridge-connector/0.1",
}
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, slots=True)
class HttpAnswer:
    """Status, redirect target and decoded JSON body of one response."""

    status: int
    location: str | None
    payload: Any


class HttpTransport:
    """Sends JSON requests through an injected ``httpx.AsyncClient``."""

    def __init__(
        self, http: httpx.AsyncClient, observer: Observer, *, timeout_seconds: float = 55.0
    ) -> None:
        self._http = http
        self._observer = observer
        self._timeout = httpx.Timeout(timeout_seconds, connect=min(10.0, timeout_seconds))

    async def post_json(self, url: str, body: Mapping[str, Any], *, method: str) -> HttpAnswer:
        """POST ``body`` as JSON to ``url``."""
        return await self._send("POST", url, method=method, json=dict(body))

    async def get(self, url: str, params: Mapping[str, str], *, method: str) -> HttpAnswer:
        """GET ``url`` with a query string (only the OAuth server wants that)."""
        return await self._send("GET", url, method=method, params=dict(params))

    async def _send(self, verb: str, url: str, *, method: str, **kwargs: Any) -> HttpAnswer:
        started = time.perf_counter()
        try:
            response = await self._http.request(
                verb,
                url,
                headers=_HEADERS,
                timeout=self._timeout,
                follow_redirects=False,
                **kwargs,
            )
            body = await response.aread()
        except httpx.HTTPError as exc:
            self._observer.request_finished(method, "TRANSPORT", time.perf_counter() - started)
            raise TransportError(
                f"{type(exc).__name__} talking to the portal",
                method=method,
                request_sent=not isinstance(exc, _NOT_SENT),
            ) from exc
        try:
            answer = _answer(response, body, method)
        except Bitrix24Error:  # a non-JSON body: still one request to count
            seconds = time.perf_counter() - started
            self._observer.request_finished(method, str(response.status_code), seconds)
            raise
        self._observer.request_finished(
            method, _status_label(answer), time.perf_counter() - started
        )
        return answer


def _answer(response: httpx.Response, body: bytes, method: str) -> HttpAnswer:
    status = response.status_code
    if status in REDIRECT_STATUSES:
        return HttpAnswer(status, response.headers.get("location"), None)
    return HttpAnswer(status, None, decode_body(body, method=method, http_status=status))


def _status_label(answer: HttpAnswer) -> str:
    payload = answer.payload
    if isinstance(payload, Mapping) and "error" in payload and "result" not in payload:
        error = payload.get("error")
        code = error.get("code") if isinstance(error, Mapping) else error
        return str(code) if code else str(answer.status)
    return str(answer.status)
