"""``POST <node url>`` with a JSON body; no redirects followed (the URL is configured)."""

from __future__ import annotations

from typing import Any

import httpx


class PushError(Exception):
    """The node did not take the push; the message names the status or the network error."""


class HttpPusher:
    def __init__(self, *, http: httpx.AsyncClient | None = None, timeout: float = 15.0) -> None:
        self._http = http or httpx.AsyncClient(timeout=timeout, follow_redirects=False)

    async def push(self, url: str, body: dict[str, Any], *, idempotency_key: str) -> None:
        headers = {"Idempotency-Key": idempotency_key}
        try:
            response = await self._http.post(url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise PushError(f"node unreachable: {type(exc).__name__}") from exc
        if not response.is_success:
            raise PushError(f"node answered HTTP {response.status_code}")

    async def aclose(self) -> None:
        await self._http.aclose()
