"""Answers exactly as a portal gives them: selected fields only, error bodies without ``time``,
the auth server's own ``domain``, robots refusing webhooks, ``logic: OR`` filters."""

import httpx

from tests.sandbox.conftest import call, issue_token


async def titles(client: httpx.AsyncClient, webhook: str, filters: object) -> list[str]:
    params = {"entityTypeId": 2, "filter": filters, "select": ["id", "title"]}
    body = (await client.post(f"{webhook}crm.item.list", json=params)).json()
    return [item["title"] for item in body["result"]["items"]]


class TestItemList:
    async def test_only_the_selected_fields_come_back(
        self, client: httpx.AsyncClient, webhook: str
    ) -> None:
        params = {"entityTypeId": 2, "select": ["title", "stageId"]}
        items = (await client.post(f"{webhook}crm.item.list", json=params)).json()
        assert set(items["result"]["items"][0]) == {"id", "title", "stageId"}
        everything = {"entityTypeId": 2, "select": ["*"]}
        full = (await client.post(f"{webhook}crm.item.list", json=everything)).json()
        assert full["result"]["items"][0]["entityTypeId"] == 2

    async def test_logic_or_groups_nest(self, client: httpx.AsyncClient, webhook: str) -> None:
        either = {"0": {"logic": "OR", "0": {"=id": 1}, "1": {"%title": "рестайлинг"}}}
        assert await titles(client, webhook, either) == [
            "Фары и бампер для Camry",
            "Комплект рестайлинга",
        ]
        narrowed = either | {">opportunity": 45000}
        assert await titles(client, webhook, narrowed) == ["Фары и бампер для Camry"]
        neither = {"0": {"logic": "OR", "0": {"=id": 5}, "1": {"=id": 6}}}
        assert await titles(client, webhook, neither) == []

    async def test_an_or_group_in_a_form_body_works_too(
        self, client: httpx.AsyncClient, webhook: str
    ) -> None:
        form = {
            "entityTypeId": "2",
            "filter[0][logic]": "OR",
            "filter[0][0][=id]": "1",
            "filter[0][1][=id]": "2",
            "select[]": "id",
        }
        body = (await client.post(f"{webhook}crm.item.list", data=form)).json()
        assert [item["id"] for item in body["result"]["items"]] == [1, 2]


class TestErrorEnvelope:
    async def test_an_error_body_has_no_time_block_unless_switched_on(
        self, client: httpx.AsyncClient, webhook: str
    ) -> None:
        missing = await client.post(f"{webhook}crm.item.get", json={"entityTypeId": 2, "id": 99})
        assert set(missing.json()) == {"error", "error_description"}
        await client.patch("/_sandbox/portals/demo/config", json={"error_time_block": True})
        again = await client.post(f"{webhook}crm.item.get", json={"entityTypeId": 2, "id": 99})
        assert "operating" in again.json()["time"]


class TestOAuthAnswer:
    async def test_domain_names_the_authorization_server_not_the_portal(
        self, client: httpx.AsyncClient
    ) -> None:
        tokens = await issue_token(client)
        query = {
            "grant_type": "refresh_token",
            "client_id": "local.b24bridge",
            "client_secret": "sandbox-secret",
            "refresh_token": tokens["refresh_token"],
        }
        fresh = (await client.get("/oauth/token/", params=query)).json()
        portal = (await client.get("/_sandbox/portals/demo")).json()
        assert tokens["domain"] == fresh["domain"] == "oauth.bitrix.info"
        assert fresh["domain"] != portal["domain"]


class TestRobotsRefuseWebhooks:
    async def test_robot_methods_and_replies_need_the_app(
        self, client: httpx.AsyncClient, webhook: str, token: str
    ) -> None:
        for method in ("bizproc.robot.add", "bizproc.robot.update", "bizproc.robot.delete"):
            response = await client.post(f"{webhook}{method}", json={"CODE": "x"})
            body = response.json()
            assert (body["error"], body["error_description"]) == (
                "ACCESS_DENIED",
                "Application context required",
            ), method
        robot = {"CODE": "r", "HANDLER": "http://receiver.test/robot", "NAME": "R"}
        await call(client, "bizproc.robot.add", robot, auth=token)
        run = (await client.post("/_sandbox/portals/demo/robots/r/run", json={})).json()
        reply = {"EVENT_TOKEN": run["event_token"]}
        refused = await client.post(f"{webhook}bizproc.event.send", json=reply)
        assert (refused.status_code, refused.json()["error"]) == (403, "ACCESS_DENIED")
        await client.patch("/_sandbox/portals/demo/config", json={"webhook_event_send": True})
        accepted = await client.post(f"{webhook}bizproc.event.send", json=reply)
        assert accepted.json()["result"] is True
