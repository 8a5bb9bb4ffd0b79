"""``POST <node url>`` with a JSON body; no redirects followed (the URL is configured)."""

from __future__ import annotations

from typing import Any

import httpx


class PushError(Exception):
    """The node did not take the push; the message names the status or the network error.
    ``down``: the node is unreachable or answered 5xx, 408 or 429 — it is down or busy, not
    refusing the changes."""

    def __init__(self, message: str, *, down: bool) -> None:
        super().__init__(message)
        self.down = down


_DOWN_STATUSES = frozenset({408, 429})


class HttpPusher:
    def __init__(self, *, http: httpx.AsyncClient | None = None, timeout: float = 15.0) -> None:
        self._http = http or httpx.AsyncClient(timeout=timeout, follow_redirects=False)

    async def push(self, url: str, body: dict[str, Any], *, idempotency_key: str) -> None:
        headers = {"Idempotency-Key": idempotency_key}
        try:
            response = await self._http.post(url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise PushError(f"node unreachable: {type(exc).__name__}", down=True) from exc
        if not response.is_success:
            status = response.status_code
            down = status >= 500 or status in _DOWN_STATUSES
            raise PushError(f"node answered HTTP {status}", down=down)

    async def aclose(self) -> None:
        await self._http.aclose()
