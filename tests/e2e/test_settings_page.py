"""The settings page over the sandbox portal: a real ``PLACEMENT=DEFAULT`` frame POST, the
administrator provisions, remaps a stage, saves and sees it after a reload; anyone else
may look but not change (``user.admin``); the API wants the page's view token."""

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from app.core.portal_settings import load_portal_settings
from tests.app.web.tab.html_tree import Node, parse
from tests.e2e.harness import SALES_ID, Stack, live_stack

pytestmark = pytest.mark.e2e

ADMIN_ID = 1


@pytest.fixture
async def stack(database_url: str) -> AsyncIterator[Stack]:
    async with live_stack(database_url) as stack:
        await stack.install()
        yield stack


async def main_page_request(stack: Stack, user_id: int) -> tuple[str, dict[str, str]]:
    """What the portal POSTs when a user opens the app (REST_FACTS §9.3, PLACEMENT=DEFAULT)."""
    request = await stack.ctl(
        "POST", "/app-page", json={"url": f"{stack.app_url}/b24/app", "user_id": user_id}
    )
    return request["url"], request["form"]


async def open_page(stack: Stack, user_id: int) -> tuple[httpx.Response, Node, dict[str, Any]]:
    url, form = await main_page_request(stack, user_id)
    response = await stack.http.post(url, data=form)
    assert response.status_code == 200, response.text
    document = parse(response.text)
    config = json.loads(document.find("script", id="settings-config").text())
    return response, document, config


def selected(document: Node, select_id: str) -> str:
    options = document.find("select", id=select_id).find_all("option")
    chosen = [option.attrs["value"] for option in options if "selected" in option.attrs]
    return chosen[0] if chosen else ""


def api(stack: Stack, token: str) -> dict[str, str]:
    return {"X-View-Token": token}


class TestAdministratorFlow:
    async def test_provision_remap_save_and_see_it_after_a_reload(self, stack: Stack) -> None:
        response, document, config = await open_page(stack, ADMIN_ID)
        assert f"frame-ancestors {stack.sandbox_url}" in response.headers["content-security-policy"]
        assert config["is_admin"] is True
        assert document.find("p", id="no-card-type")
        headers = api(stack, config["view_token"])

        first = await stack.http.post("/settings/api/provision", headers=headers, json={})
        assert first.status_code == 200, first.text
        assert first.json()["created"]
        again = await stack.http.post("/settings/api/provision", headers=headers)
        assert again.json()["created"] == []
        assert again.json()["message"] == "Всё уже создано — ничего нового не понадобилось."

        state = (await stack.http.get("/settings/api", headers=headers)).json()
        deal_stages = dict(state["settings"]["deal_stages"])
        spare = next(
            o["value"]
            for o in state["options"]["deal_stages"]
            if o["value"] not in deal_stages.values()
        )
        deal_stages["FOUND"] = spare
        saved = await stack.http.put(
            "/settings/api", headers=headers, json={"deal_stages": deal_stages}
        )
        assert saved.status_code == 200, saved.text

        _, reloaded, _ = await open_page(stack, ADMIN_ID)
        assert selected(reloaded, "deal-stage-FOUND") == spare
        card_search = state["settings"]["card_stages"]["SEARCH"]
        assert selected(reloaded, "card-stage-SEARCH") == card_search
        assert not reloaded.find_all("p", id="no-card-type")

    async def test_an_invalid_stage_is_refused_and_nothing_is_written(self, stack: Stack) -> None:
        _, _, config = await open_page(stack, ADMIN_ID)
        headers = api(stack, config["view_token"])
        await stack.http.post("/settings/api/provision", headers=headers)
        async with stack.context.sessions() as session:
            before = await load_portal_settings(session, stack.member_id)
        card_stage = before["card_stages"]["SEARCH"]
        bad = {
            "deal_stages": {**before["deal_stages"], "SEARCH": card_stage},
            "discount_field": "UF_CRM_7",
        }
        response = await stack.http.put("/settings/api", headers=headers, json=bad)
        assert response.status_code == 400
        assert response.json()["error_description"].startswith(
            "Стадии сделки: для «Передано в поиск» выбрана стадия не из этой воронки"
        )
        unknown = await stack.http.put(
            "/settings/api", headers=headers, json={"card_entity_type_id": 1}
        )
        assert unknown.status_code == 400
        async with stack.context.sessions() as session:
            assert await load_portal_settings(session, stack.member_id) == before


class TestNonAdministrator:
    async def test_may_view_but_not_save_or_provision(self, stack: Stack) -> None:
        _, document, config = await open_page(stack, SALES_ID)
        assert config["is_admin"] is False
        assert document.find("p", id="admin-only")
        assert "disabled" in document.find("button", id="save").attrs
        headers = api(stack, config["view_token"])
        assert (await stack.http.get("/settings/api", headers=headers)).status_code == 200
        put = await stack.http.put("/settings/api", headers=headers, json={"discount_field": ""})
        assert put.status_code == 403
        provision = await stack.http.post("/settings/api/provision", headers=headers)
        assert provision.status_code == 403
        async with stack.context.sessions() as session:
            assert "card_stages" not in await load_portal_settings(session, stack.member_id)


class TestViewToken:
    async def test_the_api_refuses_requests_without_the_pages_token(self, stack: Stack) -> None:
        for method, path in (("GET", ""), ("PUT", ""), ("POST", "/provision")):
            response = await stack.http.request(method, f"/settings/api{path}", json={})
            assert response.status_code == 403, (method, path)
        forged = await stack.http.get("/settings/api", headers={"X-View-Token": "abc.def"})
        assert forged.status_code == 403


class TestForgedFramePosts:
    @pytest.mark.parametrize(
        ("change", "status"),
        [
            ({"AUTH_ID": "f" * 64}, 401),
            ({"APPLICATION_TOKEN": "0" * 32}, 403),
            ({"PLACEMENT": "CRM_DEAL_DETAIL_TAB"}, 400),
        ],
        ids=["random-auth-id", "token-mismatch", "not-the-main-page"],
    )
    async def test_get_an_unframeable_error_page(
        self, stack: Stack, change: dict[str, str], status: int
    ) -> None:
        url, form = await main_page_request(stack, ADMIN_ID)
        response = await stack.http.post(url, data=form | change)
        assert response.status_code == status
        assert "settings-config" not in response.text
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
