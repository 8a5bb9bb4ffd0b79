"""The HTTP SMS provider: request shape, idempotency key, transient vs permanent errors."""

import httpx
import pytest
import respx

from connectors.sms import HttpSmsSender, LogSmsSender, SmsError

URL = "https://sms.example.test/api"


class TestHttpSmsSender:
    @respx.mock
    async def test_sends_phone_text_and_idempotency_key(self) -> None:
        route = respx.post(f"{URL}/messages").mock(
            return_value=httpx.Response(200, json={"id": "m-1"})
        )
        result = await HttpSmsSender(URL, "key-123").send(
            "+79990001122", "Привет", idempotency_key="sms:1:x:1"
        )
        assert result.message_id == "m-1"
        request = route.calls.last.request
        assert request.headers["Idempotency-Key"] == "sms:1:x:1"
        assert request.headers["Authorization"] == "Bearer key-123"
        assert b'"to":"+79990001122"' in request.content.replace(b" ", b"")

    @respx.mock
    @pytest.mark.parametrize(
        ("status", "transient"), [(503, True), (500, True), (400, False), (401, False)]
    )
    async def test_server_errors_are_transient_client_errors_permanent(
        self, status: int, transient: bool
    ) -> None:
        respx.post(f"{URL}/messages").mock(return_value=httpx.Response(status, json={}))
        with pytest.raises(SmsError) as raised:
            await HttpSmsSender(URL, "k").send("+7", "t", idempotency_key="k1")
        assert raised.value.transient is transient

    @respx.mock
    async def test_network_failure_is_transient(self) -> None:
        respx.post(f"{URL}/messages").mock(side_effect=httpx.ConnectError("down"))
        with pytest.raises(SmsError) as raised:
            await HttpSmsSender(URL, "k").send("+7", "t", idempotency_key="k1")
        assert raised.value.transient


class TestLogSmsSender:
    async def test_records_the_message_without_sending(self) -> None:
        sender = LogSmsSender()
        await sender.send("+79990001122", "text", idempotency_key="k")
        assert sender.sent == [("+79990001122", "text", "k")]
