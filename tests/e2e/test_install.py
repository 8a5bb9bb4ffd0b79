"""Install into the sandbox portal over real HTTP: registry, bindings, provisioning (idempotent)."""

from collections.abc import AsyncIterator

import pytest
import structlog
from sqlalchemy import select

from app.core.logs import redact_event
from app.core.models import Portal
from app.core.portal_settings import load_portal_settings
from app.portals.bindings import EVENTS, ROBOTS
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
        assert (
            len(robots["robots"]) == len(ROBOTS) == 9
        )  # kits, discount, clear, recheck, КП, 3 money

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
        from app.portals.provisioning import provision_portal

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


class TestOneBindingEach:
    """Re-install and re-provision leave one binding per placement, event and robot, whether
    or not the portal refuses a repeated placement.bind (UNCONFIRMED, a sandbox switch)."""

    @pytest.mark.parametrize("deduplicates", [True, False])
    async def test_install_provision_reinstall_leave_exactly_one_of_each(
        self, stack: Stack, deduplicates: bool
    ) -> None:
        await stack.ctl("PATCH", "/config", json={"placement_bind_deduplicates": deduplicates})
        await stack.install()
        await stack.provision()
        await stack.install()
        placements = [p["placement"] for p in (await stack.ctl("GET", "/placements"))["placements"]]
        assert sorted(placements) == sorted({"CRM_DEAL_DETAIL_TAB", "CRM_DYNAMIC_128_DETAIL_TAB"})
        bound = (await stack.ctl("GET", "/events/bound"))["bindings"]
        assert sorted(b["event"] for b in bound) == sorted(EVENTS)
        robots = (await stack.ctl("GET", "/robots"))["robots"]
        assert sorted(r["CODE"] for r in robots) == sorted(r["CODE"] for r in ROBOTS)

    async def test_a_re_bind_with_everything_in_place_binds_nothing(self, stack: Stack) -> None:
        await stack.install()
        await stack.ctl("DELETE", "/requests")
        await stack.install()
        requests = (await stack.ctl("GET", "/requests"))["requests"]
        commands = [m for r in requests if r["method"] == "batch" for m in r["batch_commands"]]
        assert sorted(commands) == ["bizproc.robot.list", "event.get", "placement.get"]


class TestInstallRefusals:
    @pytest.mark.parametrize(
        "domain",
        ["attacker.example", "169.254.169.254", "portal.bitrix24.com.evil.io", "[::1]:8001"],
    )
    async def test_a_foreign_domain_is_refused_before_any_call(
        self, stack: Stack, domain: str
    ) -> None:
        tokens = await stack.ctl("POST", "/tokens", json={"user_id": 1})
        form = {
            "AUTH_ID": tokens["access_token"],
            "REFRESH_ID": tokens["refresh_token"],
            "AUTH_EXPIRES": "3600",
            "APPLICATION_TOKEN": "a" * 32,
            "member_id": stack.member_id,
            "PLACEMENT": "DEFAULT",
        }
        await stack.ctl("DELETE", "/requests")
        response = await stack.http.post(f"/b24/install?DOMAIN={domain}&PROTOCOL=1", data=form)
        assert response.status_code == 400
        assert "not a Bitrix24 domain" in response.json()["error_description"]
        assert (await stack.ctl("GET", "/requests"))["requests"] == []
        async with stack.context.sessions() as session:
            assert (await session.scalars(select(Portal))).first() is None

    async def test_forged_tokens_are_refused_and_nothing_is_registered(self, stack: Stack) -> None:
        domain = stack.sandbox_url.removeprefix("http://")
        form = {
            "AUTH_ID": "f" * 40,
            "REFRESH_ID": "r" * 40,
            "APPLICATION_TOKEN": "a" * 32,
            "member_id": stack.member_id,
            "PLACEMENT": "DEFAULT",
        }
        response = await stack.http.post(f"/b24/install?DOMAIN={domain}&PROTOCOL=0", data=form)
        assert response.status_code == 401
        async with stack.context.sessions() as session:
            assert (await session.scalars(select(Portal))).first() is None


class TestApiOnlyInstall:
    async def test_onappinstall_registers_the_portal_and_binds(self, stack: Stack) -> None:
        result = await stack.ctl(
            "POST",
            "/app-event",
            json={"event": "ONAPPINSTALL", "url": f"{stack.app_url}/b24/install"},
        )
        assert result["status_code"] == 200
        await stack.worker.run_until_idle()
        async with stack.context.sessions() as session:
            portal = (await session.scalars(select(Portal))).one()
        assert portal.status == "active" and portal.access_token
        bound = await stack.ctl("GET", "/events/bound")
        assert any(b["event"].upper() == "ONCRMDEALUPDATE" for b in bound["bindings"])


class TestInstallSquatting:
    async def test_tokens_of_another_portal_cannot_claim_this_member_id(self, stack: Stack) -> None:
        await stack.control.post("/_sandbox/portals", json={"code": "attacker"})
        tokens = (
            await stack.control.post("/_sandbox/portals/attacker/tokens", json={"user_id": 1})
        ).json()
        domain = stack.sandbox_url.removeprefix("http://")
        form = {
            "AUTH_ID": tokens["access_token"],
            "REFRESH_ID": tokens["refresh_token"],
            "APPLICATION_TOKEN": "a" * 32,
            "member_id": stack.member_id,
            "PLACEMENT": "DEFAULT",
        }
        response = await stack.http.post(f"/b24/install?DOMAIN={domain}&PROTOCOL=0", data=form)
        assert response.status_code == 403
        assert "another portal" in response.json()["error_description"]
        async with stack.context.sessions() as session:
            assert (await session.scalars(select(Portal))).first() is None
        await stack.install()  # the real portal still installs


class TestOAuthServerSetting:
    """Issue 11 #16: B24_OAUTH_URL as a base or as the token endpoint; the failure is told."""

    async def test_the_token_endpoint_form_of_the_setting_installs(self, database_url: str) -> None:
        endpoint = lambda sandbox_url: f"{sandbox_url}/oauth/token/"  # noqa: E731
        async with live_stack(database_url, b24_oauth_url=endpoint) as stack:
            await stack.install()
            async with stack.context.sessions() as session:
                portal = (await session.scalars(select(Portal))).one()
            assert portal.status == "active"

    async def test_a_refused_install_tells_the_admin_what_failed_in_russian(
        self, stack: Stack
    ) -> None:
        domain = stack.sandbox_url.removeprefix("http://")
        form = {
            "AUTH_ID": "f" * 40,
            "REFRESH_ID": "r" * 40,
            "APPLICATION_TOKEN": "a" * 32,
            "member_id": stack.member_id,
            "PLACEMENT": "DEFAULT",
        }
        with structlog.testing.capture_logs() as logged:
            response = await stack.http.post(
                f"/b24/install?DOMAIN={domain}&PROTOCOL=0&LANG=ru",
                data=form,
                headers={"Accept": "text/html,application/xhtml+xml"},
            )
        assert response.status_code == 401
        assert "text/html" in response.headers["content-type"]
        page = response.text
        assert "Установка не завершена" in page
        assert "B24_CLIENT_SECRET" in page and "код ошибки: invalid_grant" in page
        refusal = next(e for e in logged if e["event"] == "install refused: tokens not accepted")
        assert redact_event(None, "", dict(refusal))["error_code"] == "invalid_grant"
