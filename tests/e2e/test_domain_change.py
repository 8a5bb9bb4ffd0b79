"""The portal changes its domain (the old address answers 302, change-domen.md): the app
re-POSTs to the new address, stores it, and keeps processing the portal's events."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from app.core.models import Portal
from tests.e2e.harness import Stack, live_stack
from tests.e2e.procurement_steps import Journey

pytestmark = pytest.mark.e2e


@pytest.fixture
async def stack(database_url: str) -> AsyncIterator[Stack]:
    async with live_stack(database_url) as stack:
        yield stack


class TestDomainChange:
    async def test_the_app_follows_the_move_and_keeps_working(self, stack: Stack) -> None:
        journey = await Journey.start(stack)
        moved = await stack.ctl("POST", "/move", json={"address": "demo-renamed"})
        deal_id = await journey.create_deal()
        await journey.move_deal("SEARCH")
        await stack.settle()
        async with stack.context.sessions() as session:
            portal = (await session.scalars(select(Portal))).one()
        assert portal.client_endpoint == moved["client_endpoint"]
        items = await stack.act(
            "crm.item.list",
            {"entityTypeId": int(journey.values["card_entity_type_id"])},
            user_id=1,
        )
        assert [i["title"] for i in items["items"]] == [
            f"Закупка по сделке №{deal_id}: Фары для Audi"
        ]
