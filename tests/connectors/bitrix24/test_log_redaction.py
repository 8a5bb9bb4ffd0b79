"""No token, secret or webhook code reaches a log line, even at DEBUG with httpx logging on."""

from __future__ import annotations

import logging

import httpx
import pytest
import respx

from connectors.bitrix24 import (
    Bitrix24Client,
    Bitrix24Error,
    InMemoryTokenStore,
    OAuthTokens,
    log_redactor,
    redact,
)
from tests.connectors.bitrix24.support import PORTAL, WEBHOOK, WEBHOOK_CODE, VirtualClock

SECRETS = {
    "webhook code": WEBHOOK_CODE,
    "old access": "acc-old-9f8e7d6c",
    "old refresh": "ref-old-1a2b3c4d",
    "new access": "acc-new-5e6f7a8b",
    "new refresh": "ref-new-9c0d1e2f",
    "client secret": "cs-very-secret-77",
}


async def _exercise(clock: VirtualClock, http: httpx.AsyncClient, router: respx.MockRouter) -> None:
    log = logging.getLogger("tests.app")
    router.post(f"{WEBHOOK}crm.deal.get").respond(json={"result": {"ID": "1"}})
    router.post(f"{WEBHOOK}crm.deal.add").mock(side_effect=httpx.ReadTimeout("timed out"))
    async with Bitrix24Client.from_webhook(WEBHOOK, http=http, clock=clock) as b24:
        await clock.run(b24.call("crm.deal.get", {"id": 1}))
        try:
            await clock.run(b24.call("crm.deal.add", {"fields": {}}))
        except Bitrix24Error:
            log.exception("deal add failed")

    store = InMemoryTokenStore(
        {"m1": OAuthTokens(SECRETS["old access"], SECRETS["old refresh"], f"{PORTAL}/rest/", "m1")}
    )
    router.post(f"{PORTAL}/rest/user.current").mock(
        side_effect=[
            httpx.Response(401, json={"error": "expired_token"}),
            httpx.Response(200, json={"result": {"ID": "1"}}),
        ]
    )
    router.get("https://oauth.bitrix.info/oauth/token/").respond(
        json={"access_token": SECRETS["new access"], "refresh_token": SECRETS["new refresh"]}
    )
    async with Bitrix24Client.from_oauth(
        "m1", store, client_id="local.x", client_secret=SECRETS["client secret"], http=http,
        clock=clock,
    ) as b24:  # fmt: skip
        await clock.run(b24.call("user.current"))


class TestLogLeaks:
    async def test_debug_logs_hold_no_secret(
        self,
        clock: VirtualClock,
        http: httpx.AsyncClient,
        router: respx.MockRouter,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        caplog.set_level(logging.DEBUG)
        # The app attaches the redactor to its handlers (its own log lines may
        # carry tracebacks chained from connector errors).
        caplog.handler.addFilter(log_redactor())
        for name in ("httpx", "httpcore", "connectors.bitrix24"):
            logging.getLogger(name).setLevel(logging.DEBUG)
        await _exercise(clock, http, router)
        text = caplog.text
        assert "HTTP Request: POST" in text  # httpx did log, redacted
        assert "HTTP Request: GET https://oauth.bitrix.info/oauth/token/" in text
        assert "deal add failed" in text and "Traceback" in text
        leaked = [name for name, secret in SECRETS.items() if secret in text]
        assert leaked == []


class TestRedact:
    def test_http_loggers_carry_the_redactor(self) -> None:
        Bitrix24Client.from_webhook(WEBHOOK)
        for name in ("httpx", "httpcore", "httpcore.http11", "connectors.bitrix24"):
            assert log_redactor() in logging.getLogger(name).filters

    def test_url_secrets_are_masked_without_registration(self) -> None:
        line = (
            "GET https://oauth.bitrix.info/oauth/token/?grant_type=refresh_token"
            "&client_id=app&client_secret=abc&refresh_token=def "
            "POST https://p.bitrix24.ru/rest/7/webhookcode/crm.deal.get?auth=tok"
        )
        cleaned = redact(line)
        for secret in ("abc", "def", "webhookcode", "tok"):
            assert f"={secret}" not in cleaned and f"/{secret}/" not in cleaned
        assert "client_id=app" in cleaned and "/rest/7/***/crm.deal.get" in cleaned

    def test_registered_values_are_masked_anywhere(self) -> None:
        assert redact("token is tok-123456 here", frozenset({"tok-123456"})) == "token is *** here"
