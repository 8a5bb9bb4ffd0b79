"""Install into the sandbox portal over real HTTP: registry, bindings, provisioning (idempotent)."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from app.models import Portal
from app.repositories.settings import load_portal_settings
from tests.e2e.harness import Stack, live_stack

pytestmark = pytest.mark.e2e


@pytest.fixture
async def stack(database_url: str) -> AsyncIterator[Stack]:
    async with live_stack(database_url) as stack:
        yield stack


class TestInstall:
    async def test_install_registers_the_portal_and_binds_events_tabs_and_robots(
        self, stack: Stack
    ) -> None:
        await stack.install()
        async with stack.context.sessions() as session:
            portal = (await session.scalars(select(Portal))).one()
        assert portal.member_id == stack.member_id and portal.status == "active"
        bound = await stack.ctl("GET", "/events/bound")
        names = {entry["event"].upper() for entry in bound["bindings"]}
        assert {"ONCRMDEALUPDATE", "ONCRMDYNAMICITEMUPDATE", "ONAPPUNINSTALL"} <= names
        placements = await stack.ctl("GET", "/placements")
        assert any(p["placement"] == "CRM_DEAL_DETAIL_TAB" for p in placements["placements"])
        robots = await stack.ctl("GET", "/robots")
        assert len(robots["robots"]) == 4

    async def test_repeated_install_is_harmless(self, stack: Stack) -> None:
        await stack.install()
        await stack.install()
        jobs = await stack.http.get("/readyz")
        assert jobs.status_code == 200
        bound = await stack.ctl("GET", "/events/bound")
        assert len(bound["bindings"]) == len(
            {(e["event"], e["handler"]) for e in bound["bindings"]}
        )

    async def test_provisioning_twice_creates_nothing_the_second_time(self, stack: Stack) -> None:
        await stack.install()
        await stack.provision()
        async with stack.context.sessions() as session:
            first = await load_portal_settings(session, stack.member_id)
        from app.provisioning import provision_portal

        report = await provision_portal(stack.context, stack.member_id)
        assert report.created == ()
        assert report.stage_map["deal_stages"] == first["deal_stages"]
        assert set(first["card_stages"]) == {
            "SEARCH",
            "SEARCH_DONE",
            "BUYOUT",
            "BOUGHT",
            "AT_WAREHOUSE",
            "SHIPPED",
            "DONE",
            "CANCELLED",
        }
        placements = await stack.ctl("GET", "/placements")
        card_tab = f"CRM_DYNAMIC_{first['card_entity_type_id']}_DETAIL_TAB"
        assert any(p["placement"] == card_tab for p in placements["placements"])
