"""Every HTTP request the portal sends (events, install, placements, robots) goes out here."""

from typing import Any

import httpx

from sandbox.encoding import build_query

USER_AGENT = "Bitrix24 Webhook Engine"


class Outbound:
    """One shared ``httpx.AsyncClient``; the transport is injectable for in-process tests."""

    def __init__(self, *, transport: httpx.AsyncBaseTransport | None, timeout: float) -> None:
        self._transport = transport
        self._timeout = timeout
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None or self._client.is_closed:
            self._client = httpx.AsyncClient(transport=self._transport, timeout=self._timeout)
        return self._client

    async def post_form(self, url: str, payload: dict[str, Any]) -> httpx.Response:
        """POST PHP-bracket form data, exactly as the portal's queue server does (§8.3)."""
        headers = {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": USER_AGENT}
        return await self._http().post(url, content=build_query(payload), headers=headers)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
