"""The tab lets no forged request in (RELIABILITY.md S5, S10, S11, S13)."""

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from app.core.db import unit_of_work
from app.core.models import ProcurementLine, ProcurementLink
from app.core.portal_store import PortalRegistration, register_portal
from app.web.frame.view_token import ViewClaims, issue
from tests.e2e.harness import BUYER_ID, live_stack
from tests.e2e.procurement_steps import Journey

pytestmark = pytest.mark.e2e


@pytest.fixture
async def journey(database_url: str) -> AsyncIterator[Journey]:
    async with live_stack(database_url) as stack:
        journey = await Journey.start(stack)
        await journey.create_deal()
        await journey.move_deal("SEARCH")
        yield journey


async def placement(journey: Journey) -> tuple[str, dict[str, str]]:
    request = await journey.stack.ctl(
        "POST",
        "/placement-request",
        json={
            "placement": "CRM_DEAL_DETAIL_TAB",
            "entity_id": journey.deal_id,
            "user_id": BUYER_ID,
        },
    )
    return request["url"], dict(request["form"])


class TestPlacementAuthentication:
    async def test_a_real_placement_post_opens_the_tab_framed_only_by_the_portal(
        self, journey: Journey
    ) -> None:
        url, form = await placement(journey)
        response = await journey.stack.http.post(url, data=form)
        assert response.status_code == 200
        csp = response.headers["content-security-policy"]
        assert f"frame-ancestors {journey.stack.sandbox_url}" in csp
        assert "x-frame-options" not in response.headers
        assert "access-control-allow-origin" not in response.headers
        assert "Фара передняя левая" in response.text

    @pytest.mark.parametrize(
        ("change", "status"),
        [
            ({"AUTH_ID": ""}, 401),
            ({"AUTH_ID": "f" * 64}, 401),
            ({"APPLICATION_TOKEN": "0" * 32}, 403),
            ({"member_id": "e" * 32}, 401),
            ({"PLACEMENT_OPTIONS": "{not json"}, 400),
        ],
        ids=["no-auth-id", "random-auth-id", "token-mismatch", "unknown-portal", "bad-options"],
    )
    async def test_forged_placement_posts_get_an_error_page_without_data(
        self, journey: Journey, change: dict[str, str], status: int
    ) -> None:
        url, form = await placement(journey)
        response = await journey.stack.http.post(url, data=form | change)
        assert response.status_code == status
        assert "Фара" not in response.text
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]

    async def test_auth_id_of_another_portal_is_refused(self, journey: Journey) -> None:
        await journey.stack.control.post("/_sandbox/portals", json={"code": "b"})
        other = (
            await journey.stack.control.post("/_sandbox/portals/b/tokens", json={"user_id": 1})
        ).json()
        url, form = await placement(journey)
        response = await journey.stack.http.post(
            url, data=form | {"AUTH_ID": other["access_token"]}
        )
        assert response.status_code == 401

    async def test_the_requests_domain_is_never_called(self, journey: Journey) -> None:
        url, form = await placement(journey)
        forged = (
            url.replace("DOMAIN=", "DOMAIN=attacker.example&X=")
            if "DOMAIN=" in url
            else url + "?DOMAIN=attacker.example"
        )
        response = await journey.stack.http.post(forged, data=form)
        assert (
            response.status_code == 200
        )  # the stored endpoint answered; attacker.example was never asked
        assert "attacker.example" not in response.headers["content-security-policy"]


class TestTabActionsCsrf:
    async def test_saving_without_a_view_token_is_forbidden(self, journey: Journey) -> None:
        line = (await journey.lines())[0]
        response = await journey.stack.http.patch(
            f"/tab/api/lines/{line.id}", json={"status": "found"}
        )
        assert response.status_code == 403
        cross_site = await journey.stack.http.post(
            "/tab/api/actions/clear_products",
            data={"x": "1"},
            headers={"origin": "https://evil.example"},
        )
        assert cross_site.status_code == 403
        assert (await journey.lines())[0].status == "pending"

    async def test_a_token_signed_with_another_key_is_forbidden(self, journey: Journey) -> None:
        line = (await journey.lines())[0]
        claims = ViewClaims(
            member_id=journey.stack.member_id,
            user_id=BUYER_ID,
            entity_kind="deal",
            entity_id=journey.deal_id,
            expires_at=4_000_000_000,
        )
        forged = issue(claims, "not-the-secret")
        response = await journey.stack.http.patch(
            f"/tab/api/lines/{line.id}", json={"status": "found"}, headers={"X-View-Token": forged}
        )
        assert response.status_code == 403

    async def test_an_expired_token_is_forbidden(self, journey: Journey) -> None:
        line = (await journey.lines())[0]
        secret = journey.stack.context.settings.secret_key.get_secret_value()
        claims = ViewClaims(
            member_id=journey.stack.member_id,
            user_id=BUYER_ID,
            entity_kind="deal",
            entity_id=journey.deal_id,
            expires_at=1,
        )
        response = await journey.stack.http.patch(
            f"/tab/api/lines/{line.id}",
            json={"status": "found"},
            headers={"X-View-Token": issue(claims, secret)},
        )
        assert response.status_code == 403

    @pytest.mark.parametrize(
        "changes",
        [
            {"status": "cancelled_by_client"},
            {"status": "lost"},
            {"moq": -1},
            {"unit_price": "abc"},
            {"supplier": "x" * 300},
            {"owner": 1},
            {"status": "replacement"},
        ],
    )
    async def test_invalid_entries_are_refused_and_nothing_changes(
        self, journey: Journey, changes: dict
    ) -> None:
        _html, config = await journey.open_tab("card")
        line_id = config["lines"][0]["id"]
        response = await journey.stack.http.patch(
            f"/tab/api/lines/{line_id}",
            json=changes,
            headers={"X-View-Token": config["view_token"]},
        )
        assert response.status_code == 400
        assert response.json()["error_description"]
        assert (await journey.lines())[0].status == "pending"


class TestTenantIsolation:
    async def test_a_tab_of_portal_a_never_shows_or_edits_rows_of_portal_b(
        self, journey: Journey
    ) -> None:
        other_member = "b" * 32
        async with unit_of_work(journey.stack.context.sessions) as session:
            await register_portal(
                session,
                PortalRegistration(
                    member_id=other_member,
                    domain="b.bitrix24.ru",
                    client_endpoint="https://b.bitrix24.ru/rest/",
                    application_token="token-of-portal-b",
                ),
                action_secret="s",
            )
            link = ProcurementLink(member_id=other_member, deal_id=journey.deal_id + 1000)
            session.add(link)
            await session.flush()
            session.add(
                ProcurementLine(
                    member_id=other_member,
                    link_id=link.id,
                    name="Секрет портала B",
                    quantity=Decimal(1),
                )
            )
        html, config = await journey.open_tab("card")
        assert "Секрет портала B" not in html
        foreign = next(line for line in await journey.lines() if line.member_id == other_member)
        response = await journey.stack.http.patch(
            f"/tab/api/lines/{foreign.id}",
            json={"status": "found"},
            headers={"X-View-Token": config["view_token"]},
        )
        assert response.status_code == 404
