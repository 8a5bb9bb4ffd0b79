"""The settings API's guards, in-process: the page's view token, the administrator role,
unknown keys refused before the portal is asked, and the main page's unauthenticated refusal."""

import time
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from app.core.models import PortalSettings
from app.web.frame.view_token import ViewClaims, issue
from app.web.settings_page.service import ADMIN_ROLE, SETTINGS_KIND
from tests.appclient import MEMBER_ID, AppHarness, app_harness

SECRET = "settings-test-secret-key-0123456789"
CLAIMS = ViewClaims(
    member_id=MEMBER_ID,
    user_id=1,
    entity_kind=SETTINGS_KIND,
    entity_id=0,
    role=ADMIN_ROLE,
    expires_at=int(time.time()) + 3600,
)


@pytest.fixture
async def harness(database_url: str) -> AsyncIterator[AppHarness]:
    async with app_harness(database_url, secret_key=SECRET) as harness:
        await harness.register()
        yield harness


def token(**changes: object) -> dict[str, str]:
    return {"X-View-Token": issue(replace(CLAIMS, **changes), SECRET)}  # type: ignore[arg-type]


class TestViewToken:
    @pytest.mark.parametrize(
        "headers",
        [
            {},
            {"X-View-Token": "forged.token"},
            {"X-View-Token": issue(CLAIMS, "another-secret")},
            token(expires_at=1),
            token(entity_kind="deal"),
        ],
        ids=["missing", "forged", "other-secret", "expired", "tab-token"],
    )
    async def test_without_the_pages_token_every_call_is_forbidden(
        self, harness: AppHarness, headers: dict[str, str]
    ) -> None:
        for method, path in (("GET", ""), ("PUT", ""), ("POST", "/provision")):
            response = await harness.http.request(
                method, f"/settings/api{path}", headers=headers, json={}
            )
            assert response.status_code == 403, (method, path, response.text)


class TestAdministratorOnly:
    async def test_a_viewer_can_neither_save_nor_provision(self, harness: AppHarness) -> None:
        viewer = token(role="", user_id=2)
        put = await harness.http.put("/settings/api", headers=viewer, json={"discount_field": ""})
        assert put.status_code == 403
        assert put.json()["error_description"] == (
            "Изменять настройки может только администратор портала."
        )
        post = await harness.http.post("/settings/api/provision", headers=viewer)
        assert post.status_code == 403
        assert await harness.count(PortalSettings) == 0


class TestRefusedBeforeThePortalIsAsked:
    async def test_unknown_keys_are_refused_and_nothing_is_written(
        self, harness: AppHarness
    ) -> None:
        response = await harness.http.put(
            "/settings/api", headers=token(), json={"card_entity_type_id": 7, "deal_stages": {}}
        )
        assert response.status_code == 400
        assert "card_entity_type_id" in response.json()["error_description"]
        assert await harness.count(PortalSettings) == 0

    @pytest.mark.parametrize("body", ["[1, 2]", "not json"])
    async def test_a_body_must_be_a_json_object(self, harness: AppHarness, body: str) -> None:
        response = await harness.http.put(
            "/settings/api", headers=token() | {"content-type": "application/json"}, content=body
        )
        assert response.status_code == 400

    async def test_provisioning_takes_only_a_deal_funnel(self, harness: AppHarness) -> None:
        response = await harness.http.post(
            "/settings/api/provision", headers=token(), json={"buyer_ids": [1]}
        )
        assert response.status_code == 400

    async def test_a_token_of_an_unknown_portal_finds_nothing(self, harness: AppHarness) -> None:
        response = await harness.http.get("/settings/api", headers=token(member_id="f" * 32))
        assert response.status_code == 404


class TestMainPage:
    async def test_a_post_from_outside_bitrix24_gets_an_unframeable_error(
        self, harness: AppHarness
    ) -> None:
        response = await harness.post_form("/b24/app?LANG=en", {"PLACEMENT": "DEFAULT"})
        assert response.status_code == 401
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert "Settings are unavailable" in response.text
        assert "settings-config" not in response.text
