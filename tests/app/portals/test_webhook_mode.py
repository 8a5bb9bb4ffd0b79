"""Single-portal webhook mode: URL parsing, registration, and a deal synced end to end."""

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from app.core.context import AppContext
from app.core.models import InboxEvent, Portal, ProcurementLink
from app.core.portal_settings import load_portal_settings
from app.portals.provisioning import provision_portal
from app.portals.webhook_mode import WebhookModeError, parse_webhook_url, register_webhook_portal
from tests.e2e.harness import BUYER_ID, SALES_ID, Stack, live_stack

OUTGOING_TOKEN = "outgoing-webhook-token-7f3a9c"


class TestParseWebhookUrl:
    def test_cloud_webhook_splits_into_endpoint_and_code(self) -> None:
        target = parse_webhook_url("https://portal.bitrix24.ru/rest/1/abc123/", [])
        assert target.client_endpoint == "https://portal.bitrix24.ru/rest/"
        assert target.webhook_url == "https://portal.bitrix24.ru/rest/1/abc123/"
        assert target.domain == "portal.bitrix24.ru" and target.code == "abc123"

    def test_derived_member_id_is_stable_and_configured_one_wins(self) -> None:
        one = parse_webhook_url("https://portal.bitrix24.ru/rest/1/abc123", [])
        two = parse_webhook_url("https://portal.bitrix24.ru/rest/1/other9/", [])
        assert one.member_id() == two.member_id() and len(one.member_id()) == 32
        assert (
            one.member_id("a223c6b3710f85df22e9377d6c4f7553") == "a223c6b3710f85df22e9377d6c4f7553"
        )

    @pytest.mark.parametrize(
        "url",
        [
            "https://portal.bitrix24.ru.evil.io/rest/1/abc/",
            "http://portal.bitrix24.ru/rest/1/abc/",
            "https://127.0.0.1/rest/1/abc/",
            "https://portal.bitrix24.ru/rest/abc/",
            "https://portal.bitrix24.ru/",
            "https://portal.bitrix24.ru@evil.io/rest/1/abc/",
            "ftp://portal.bitrix24.ru/rest/1/abc/",
        ],
    )
    def test_foreign_or_malformed_urls_are_refused_without_the_code(self, url: str) -> None:
        with pytest.raises(WebhookModeError) as caught:
            parse_webhook_url(url, [])
        assert "abc" not in str(caught.value)

    def test_a_configured_loopback_host_is_allowed(self) -> None:
        target = parse_webhook_url("http://127.0.0.1:8001/p/wh/rest/1/code1/", ["127.0.0.1:8001"])
        assert target.client_endpoint == "http://127.0.0.1:8001/p/wh/rest/"


@pytest.fixture
async def stack(database_url: str) -> AsyncIterator[Stack]:
    async with live_stack(database_url) as stack:
        yield stack


async def webhook_context(stack: Stack, webhook_url: str, **changes: Any) -> AppContext:
    settings = stack.context.settings.model_copy(update={
        "b24_webhook_url": SecretStr(webhook_url), "b24_outgoing_webhook_token": SecretStr(OUTGOING_TOKEN),
        **changes})  # fmt: skip
    return dataclasses.replace(stack.context, settings=settings, services={})


def outgoing_event(
    portal: dict[str, Any], deal_id: int, token: str = OUTGOING_TOKEN
) -> dict[str, str]:
    """What an outgoing webhook sends: no access tokens, its own application_token (REST_FACTS §8.3)."""
    return {
        "event": "ONCRMDEALUPDATE",
        "event_handler_id": "7",
        "data[FIELDS][ID]": str(deal_id),
        "ts": "1766047124",
        "auth[domain]": portal["domain"],
        "auth[client_endpoint]": portal["client_endpoint"],
        "auth[member_id]": portal["member_id"],
        "auth[application_token]": token,
    }


class TestWebhookPortal:
    async def test_registration_stores_webhook_mode_and_the_outgoing_token(
        self, stack: Stack
    ) -> None:
        portal = (await stack.control.post("/_sandbox/portals", json={"code": "wh"})).json()
        context = await webhook_context(
            stack, portal["webhook_url"], b24_webhook_member_id=portal["member_id"]
        )
        await register_webhook_portal(context)
        await register_webhook_portal(context)  # start-up again: harmless
        async with stack.context.sessions() as session:
            stored = (await session.scalars(select(Portal))).one()
        assert stored.member_id == portal["member_id"] and stored.auth_mode == "webhook"
        assert (
            stored.application_token == OUTGOING_TOKEN
            and stored.webhook_url == portal["webhook_url"]
        )
        assert stored.client_endpoint == portal["client_endpoint"] and stored.action_secret

    async def test_a_refused_webhook_registers_nothing(self, stack: Stack) -> None:
        portal = (await stack.control.post("/_sandbox/portals", json={"code": "wh"})).json()
        wrong = portal["webhook_url"].rstrip("/").rsplit("/", 1)[0] + "/wrongcode/"
        with pytest.raises(WebhookModeError):
            await register_webhook_portal(await webhook_context(stack, wrong))
        async with stack.context.sessions() as session:
            assert list(await session.scalars(select(Portal))) == []

    async def test_a_deal_of_the_webhook_portal_is_synced_from_an_outgoing_webhook_event(
        self, stack: Stack
    ) -> None:
        portal = (
            await stack.control.post("/_sandbox/portals", json={"code": "wh", "seed": True})
        ).json()
        context = await webhook_context(
            stack, portal["webhook_url"], b24_webhook_member_id=portal["member_id"]
        )
        await register_webhook_portal(context)
        await provision_portal(stack.context, portal["member_id"], buyer_ids=[BUYER_ID])
        async with stack.context.sessions() as session:
            values = await load_portal_settings(session, portal["member_id"])
        deal_id = await wh_act(
            stack,
            "crm.deal.add",
            {
                "fields": {
                    "TITLE": "Webhook deal",
                    "STAGE_ID": values["deal_stages"]["SEARCH"],
                    "ASSIGNED_BY_ID": SALES_ID,
                }
            },
        )
        await wh_act(
            stack,
            "crm.deal.productrows.set",
            {
                "id": deal_id,
                "rows": [
                    {
                        "PRODUCT_ID": 1,
                        "PRODUCT_NAME": "Фара передняя левая",
                        "PRICE": 12500,
                        "QUANTITY": 2,
                    }
                ],
            },
        )

        forged = await stack.http.post(
            "/b24/events", data=outgoing_event(portal, deal_id, token="forged-0000000")
        )
        assert forged.status_code == 403
        accepted = await stack.http.post("/b24/events", data=outgoing_event(portal, deal_id))
        assert accepted.status_code == 200 and accepted.json() == {"status": "accepted"}
        await stack.worker.run_until_idle()

        async with stack.context.sessions() as session:
            link = (await session.scalars(select(ProcurementLink))).one()
            inbox = list(await session.scalars(select(InboxEvent)))
        assert link.member_id == portal["member_id"] and link.deal_id == deal_id and link.card_id
        assert len(inbox) == 1
        requests = (await stack.control.get("/_sandbox/portals/wh/requests")).json()["requests"]
        deal_reads = [r for r in requests if "crm.deal.get" in [r["method"], *r["batch_commands"]]]
        assert deal_reads and all(r["http_status"] == 200 for r in deal_reads)


async def wh_act(stack: Stack, method: str, params: dict[str, Any]) -> int:
    body = {"user_id": SALES_ID, "method": method, "params": params, "as_automation": False}
    response = await stack.control.post("/_sandbox/portals/wh/act", json=body)
    response.raise_for_status()
    return int(response.json()["result"] or 0)
