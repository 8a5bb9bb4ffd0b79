"""Scopes: each method needs its scope in the token or webhook (REST_FACTS §2, §16)."""

from typing import Any

import httpx
import pytest

import sandbox.methods  # noqa: F401 - registers every REST method
from sandbox.calls import METHODS
from sandbox.scopes import scope_of
from tests.sandbox.conftest import call, issue_token

INSUFFICIENT = {
    "error": "insufficient_scope",
    "error_description": "The request requires higher privileges than provided by the webhook token",
}


async def make_webhook(client: httpx.AsyncClient, scope: str, user_id: int = 1) -> str:
    response = await client.post(
        "/_sandbox/portals/demo/webhooks", json={"user_id": user_id, "scope": scope}
    )
    assert response.status_code == 200, response.text
    return str(response.json()["webhook_url"])


async def app_token_with(client: httpx.AsyncClient, scope: str) -> str:
    changed = await client.put("/_sandbox/portals/demo/app-scope", json={"scope": scope})
    assert changed.status_code == 200, changed.text
    return str((await issue_token(client))["access_token"])


class TestWebhookScopes:
    async def test_a_method_outside_the_webhooks_scopes_is_refused_exactly(
        self, client: httpx.AsyncClient
    ) -> None:
        hook = await make_webhook(client, "crm")
        refused = await client.post(f"{hook}user.current", json={})
        assert (refused.status_code, refused.json()) == (403, INSUFFICIENT)
        assert (await client.post(f"{hook}crm.deal.get", json={"id": 1})).status_code == 200
        basic = await client.post(f"{hook}server.time", json={})
        assert basic.status_code == 200 and basic.json()["result"].endswith("+03:00")
        assert (await client.post(f"{hook}scope", json={})).json()["result"] == ["crm"]

    async def test_a_cut_down_user_scope_still_reads_users(self, client: httpx.AsyncClient) -> None:
        hook = await make_webhook(client, "user_brief")
        assert (await client.post(f"{hook}user.get", json={"ID": 1})).status_code == 200
        assert (await client.post(f"{hook}crm.deal.get", json={"id": 1})).status_code == 403

    async def test_inside_a_batch_each_command_is_checked(self, client: httpx.AsyncClient) -> None:
        hook = await make_webhook(client, "crm")
        cmd = {"deal": "crm.deal.get?id=1", "me": "user.current", "task": "tasks.task.list"}
        response = await client.post(f"{hook}batch", json={"halt": 0, "cmd": cmd})
        assert response.status_code == 200
        body = response.json()["result"]
        assert list(body["result"]) == ["deal"]
        refused = {"error": "insufficient_scope", "error_description": ""}
        assert body["result_error"] == {"me": refused, "task": refused}

    async def test_a_webhook_works_only_for_its_user_and_portal(
        self, client: httpx.AsyncClient
    ) -> None:
        hook = await make_webhook(client, "crm,user", user_id=2)
        assert (await client.post(f"{hook}user.current", json={})).json()["result"]["ID"] == "2"
        as_other = hook.replace("/rest/2/", "/rest/1/")
        assert (await client.post(f"{as_other}user.current", json={})).status_code == 401
        await client.post("/_sandbox/portals", json={"code": "b", "seed": False})
        elsewhere = hook.replace("/p/demo/", "/p/b/")
        refused = await client.post(f"{elsewhere}user.current", json={})
        assert (refused.status_code, refused.json()["error"]) == (401, "NO_AUTH_FOUND")

    async def test_unknown_scopes_are_refused_by_the_control_api(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.post(
            "/_sandbox/portals/demo/webhooks", json={"scope": "crm,tasks_extended"}
        )
        assert response.status_code == 422


class TestAppScopes:
    async def test_the_apps_declared_scopes_travel_with_its_tokens(
        self, client: httpx.AsyncClient
    ) -> None:
        token = await app_token_with(client, "crm,placement")
        task = await call(client, "tasks.task.add", {"fields": {"TITLE": "x"}}, auth=token)
        assert (task.status_code, task.json()) == (403, INSUFFICIENT)
        notify = await call(client, "im.notify.system.add", {"USER_ID": 1}, auth=token)
        assert notify.json()["error"] == "insufficient_scope"
        assert (await call(client, "crm.deal.get", {"id": 1}, auth=token)).status_code == 200
        assert (await call(client, "app.info", auth=token)).status_code == 200
        assert (await call(client, "scope", auth=token)).json()["result"] == ["crm", "placement"]

    async def test_the_default_app_has_the_readme_scopes(self, client: httpx.AsyncClient) -> None:
        tokens = await issue_token(client)
        assert (
            tokens["scope"]
            == "crm,placement,bizproc,im,task,user,user.userfield,catalog,userfieldconfig"
        )
        full = await call(client, "scope", {"full": True}, auth=tokens["access_token"])
        assert {"crm", "task", "telephony", "disk"} <= set(full.json()["result"])

    async def test_a_crm_tab_needs_the_crm_scope_besides_placement(
        self, client: httpx.AsyncClient
    ) -> None:
        token = await app_token_with(client, "placement")
        params = {"PLACEMENT": "CRM_DEAL_DETAIL_TAB", "HANDLER": "https://app.example/tab"}
        refused = await call(client, "placement.bind", params, auth=token)
        assert (refused.status_code, refused.json()["error"]) == (400, "ERROR_PLACEMENT_NOT_FOUND")
        token = await app_token_with(client, "placement,crm")
        assert (await call(client, "placement.bind", params, auth=token)).json()["result"] is True

    async def test_user_fields_need_the_scope_of_their_module_too(
        self, client: httpx.AsyncClient
    ) -> None:
        token = await app_token_with(client, "userfieldconfig")
        listed = await call(client, "userfieldconfig.list", {"moduleId": "crm"}, auth=token)
        assert listed.json()["error"] == "insufficient_scope"

    async def test_events_and_bindings_follow_the_scopes(self, client: httpx.AsyncClient) -> None:
        token = await app_token_with(client, "task")
        listed = (await call(client, "events", auth=token)).json()["result"]
        assert "ONTASKADD" in listed and "ONAPPUNINSTALL" in listed
        assert "ONCRMDEALUPDATE" not in listed
        params = {"event": "ONCRMDEALUPDATE", "handler": "https://app.example/b24/events"}
        refused = await call(client, "event.bind", params, auth=token)
        assert (refused.status_code, refused.json()["error"]) == (400, "ERROR_EVENT_NOT_FOUND")
        only_crm = await call(client, "events", {"SCOPE": "crm"}, auth=token)
        assert "ONCRMDEALUPDATE" in only_crm.json()["result"]
        assert "ONTASKADD" not in only_crm.json()["result"]


class TestMethodCatalog:
    @pytest.mark.parametrize("name", sorted(METHODS))
    def test_every_method_has_a_scope(self, name: str) -> None:
        assert scope_of(name)

    async def test_methods_lists_what_the_caller_may_call(self, client: httpx.AsyncClient) -> None:
        hook = await make_webhook(client, "im")

        async def listed(params: dict[str, Any]) -> list[str]:
            return list((await client.post(f"{hook}methods", json=params)).json()["result"])

        mine = await listed({})
        assert "im.notify.system.add" in mine and "server.time" in mine
        assert "crm.deal.get" not in mine
        assert "crm.deal.get" in await listed({"scope": "crm"})
        assert set(await listed({"scope": ""})) >= {"server.time", "scope", "methods"}
