"""A generic HTTP SMS provider: ``POST {base_url}/messages`` with a bearer key.

Body ``{"to": phone, "text": text, "client_ref": idempotency_key}``; answer
``{"id": "..."}``. The ``Idempotency-Key`` header lets the provider drop a repeated
send. 5xx and network errors are transient; 4xx are permanent.
"""

from __future__ import annotations

import httpx

from connectors.sms.base import SmsError, SmsResult

SERVER_ERROR = 500


class HttpSmsSender:
    deduplicates = True  # a repeat with the same idempotency key is not sent twice

    def __init__(
        self, base_url: str, api_key: str, *, http: httpx.AsyncClient | None = None
    ) -> None:
        self._url = base_url.rstrip("/") + "/messages"
        self._key = api_key
        self._http = http or httpx.AsyncClient(timeout=15.0)

    async def send(self, phone: str, text: str, *, idempotency_key: str) -> SmsResult:
        headers = {"Authorization": f"Bearer {self._key}", "Idempotency-Key": idempotency_key}
        body = {"to": phone, "text": text, "client_ref": idempotency_key}
        try:
            response = await self._http.post(self._url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise SmsError(
                f"SMS provider unreachable: {type(exc).__name__}", transient=True
            ) from exc
        if response.status_code >= SERVER_ERROR:
            raise SmsError(f"SMS provider error {response.status_code}", transient=True)
        if response.is_error:
            raise SmsError(
                f"SMS provider refused the message ({response.status_code})", transient=False
            )
        try:
            message_id = str(response.json()["id"])
        except (ValueError, KeyError, TypeError) as exc:
            raise SmsError("SMS provider answer has no message id", transient=False) from exc
        return SmsResult(provider="http", message_id=message_id)

    async def aclose(self) -> None:
        await self._http.aclose()
