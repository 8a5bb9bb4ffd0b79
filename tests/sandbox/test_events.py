"""Event delivery: wire format, tokens, gating by installFinish, uninstall, faults, offline."""

from typing import Any

import httpx

from tests.sandbox.conftest import Receiver, call

HANDLER = "http://receiver.test/events"
AUTH_KEYS = {
    "access_token",
    "expires",
    "expires_in",
    "scope",
    "domain",
    "server_endpoint",
    "status",
    "client_endpoint",
    "member_id",
    "user_id",
    "refresh_token",
    "application_token",
}
TOKENLESS_KEYS = {"domain", "client_endpoint", "server_endpoint", "member_id", "application_token"}


async def bind(client: httpx.AsyncClient, token: str, *events: str, handler: str = HANDLER) -> None:
    for event in events:
        response = await call(
            client, "event.bind", {"event": event, "handler": handler}, auth=token
        )
        assert response.json()["result"] is True


async def act(
    client: httpx.AsyncClient,
    method: str,
    params: dict[str, Any],
    *,
    user_id: int = 2,
    automation: bool = False,
) -> Any:
    body = {"user_id": user_id, "method": method, "params": params, "as_automation": automation}
    return (await client.post("/_sandbox/portals/demo/act", json=body)).json()


async def flush(client: httpx.AsyncClient) -> int:
    delivered: int = (await client.post("/_sandbox/portals/demo/events/flush")).json()["delivered"]
    return delivered


class TestGatingAndFormat:
    async def test_no_event_before_install_finish(
        self, client: httpx.AsyncClient, token: str, receiver: Receiver
    ) -> None:
        await bind(client, token, "ONCRMDEALUPDATE")
        await act(client, "crm.deal.update", {"id": 1, "fields": {"TITLE": "before"}})
        await flush(client)
        assert receiver.events() == []
        await client.post("/_sandbox/portals/demo/install-finish")
        await act(client, "crm.deal.update", {"id": 1, "fields": {"TITLE": "after"}})
        assert await flush(client) == 1

    async def test_install_with_auto_finish_posts_placement_style(
        self, client: httpx.AsyncClient, receiver: Receiver
    ) -> None:
        result = (
            await client.post(
                "/_sandbox/portals/demo/install",
                json={"install_url": "http://receiver.test/install"},
            )
        ).json()
        assert result == {"status_code": 200, "installed": True}
        posted = receiver.received[-1]
        assert {"DOMAIN", "PROTOCOL", "LANG", "APP_SID"} <= set(posted.query)
        form = dict(posted.pairs)
        assert (
            form["PLACEMENT"] == "DEFAULT"
            and form["AUTH_ID"]
            and form["REFRESH_ID"]
            and form["APPLICATION_TOKEN"]
        )
        assert (await call(client, "user.current", auth=form["AUTH_ID"])).json()["result"][
            "ID"
        ] == "1"

    async def test_user_change_sends_php_bracket_form_with_user_tokens(
        self, client: httpx.AsyncClient, token: str, receiver: Receiver
    ) -> None:
        await client.post("/_sandbox/portals/demo/install-finish")
        await bind(client, token, "ONCRMDEALUPDATE")
        await act(client, "crm.deal.update", {"id": 1, "fields": {"TITLE": "new"}}, user_id=2)
        await flush(client)
        (event,) = receiver.events("ONCRMDEALUPDATE")
        assert event.content_type == "application/x-www-form-urlencoded"
        keys = [k for k, _ in event.pairs]
        assert keys[:3] == ["event", "event_handler_id", "data[FIELDS][ID]"] and keys[3] == "ts"
        assert {k[5:-1] for k in keys if k.startswith("auth[")} == AUTH_KEYS
        data = event.data
        assert data["data"]["FIELDS"]["ID"] == "1" and data["auth"]["user_id"] == "2"
        me = await call(client, "user.current", auth=data["auth"]["access_token"])
        assert me.json()["result"]["ID"] == "2"

    async def test_automation_changes_carry_no_tokens(
        self, client: httpx.AsyncClient, token: str, receiver: Receiver
    ) -> None:
        await client.post("/_sandbox/portals/demo/install-finish")
        await bind(client, token, "ONCRMDEALUPDATE")
        await act(
            client, "crm.deal.update", {"id": 1, "fields": {"TITLE": "robot"}}, automation=True
        )
        await flush(client)
        (event,) = receiver.events()
        assert set(event.data["auth"]) == TOKENLESS_KEYS

    async def test_funnel_change_fires_move_to_category_only_and_rows_fire_nothing(
        self, client: httpx.AsyncClient, token: str, receiver: Receiver
    ) -> None:
        await client.post("/_sandbox/portals/demo/install-finish")
        await bind(
            client, token, "ONCRMDEALUPDATE", "ONCRMDEALMOVETOCATEGORY", "ONCRMDYNAMICITEMUPDATE"
        )
        category = (
            await call(
                client,
                "crm.category.add",
                {"entityTypeId": 2, "fields": {"name": "Закупки"}},
                auth=token,
            )
        ).json()["result"]["category"]
        await call(
            client,
            "crm.item.update",
            {"entityTypeId": 2, "id": 1, "fields": {"categoryId": category["id"]}},
            auth=token,
        )
        await call(
            client,
            "crm.deal.productrows.set",
            {"id": 1, "rows": [{"PRODUCT_NAME": "x", "PRICE": 1}]},
            auth=token,
        )
        await flush(client)
        assert [dict(e.pairs)["event"] for e in receiver.events()] == ["ONCRMDEALMOVETOCATEGORY"]
        fields = receiver.events()[0].data["data"]["FIELDS"]
        assert fields == {
            "ID": "1",
            "CATEGORY_ID": str(category["id"]),
            "STAGE_ID": f"C{category['id']}:NEW",
        }

    async def test_smart_process_events_carry_entity_type_id(
        self, client: httpx.AsyncClient, token: str, receiver: Receiver
    ) -> None:
        await client.post("/_sandbox/portals/demo/install-finish")
        spa = (
            await call(client, "crm.type.add", {"fields": {"title": "Закупка"}}, auth=token)
        ).json()["result"]["type"]
        await bind(client, token, "ONCRMDYNAMICITEMADD", "ONCRMDEALADD")
        await call(
            client,
            "crm.item.add",
            {"entityTypeId": spa["entityTypeId"], "fields": {"title": "p"}},
            auth=token,
        )
        await flush(client)
        (event,) = receiver.events()
        assert event.data["data"]["FIELDS"] == {
            "ID": "1",
            "ENTITY_TYPE_ID": str(spa["entityTypeId"]),
        }

    async def test_uninstall_sends_tokenless_event_and_kills_tokens(
        self, client: httpx.AsyncClient, token: str, receiver: Receiver
    ) -> None:
        await client.post("/_sandbox/portals/demo/install-finish")
        await bind(client, token, "ONAPPUNINSTALL")
        await client.post("/_sandbox/portals/demo/uninstall", json={"clean": True})
        (event,) = receiver.events("ONAPPUNINSTALL")
        assert event.data["data"]["CLEAN"] == "1" and set(event.data["auth"]) == TOKENLESS_KEYS
        assert (await call(client, "user.current", auth=token)).json()["error"] == "NO_AUTH_FOUND"

    async def test_failed_delivery_is_logged_not_retried(
        self, client: httpx.AsyncClient, token: str, receiver: Receiver
    ) -> None:
        await client.post("/_sandbox/portals/demo/install-finish")
        await bind(client, token, "ONCRMDEALUPDATE", handler="http://receiver.test/fail")
        await act(client, "crm.deal.update", {"id": 1, "fields": {"TITLE": "z"}})
        await flush(client)
        log = (await client.get("/_sandbox/portals/demo/events/log")).json()["deliveries"]
        assert [(d["event"], d["status"]) for d in log] == [("ONCRMDEALUPDATE", 500)]
        assert len(receiver.received) == 1


class TestFaults:
    async def _fire(
        self, client: httpx.AsyncClient, token: str, config: dict[str, Any], count: int = 10
    ) -> None:
        await client.post("/_sandbox/portals/demo/install-finish")
        await client.patch("/_sandbox/portals/demo/config", json=config)
        await bind(client, token, "ONCRMDEALADD")
        await call(
            client,
            "batch",
            {"cmd": {f"d{i}": f"crm.deal.add?fields[TITLE]={i}" for i in range(count)}},
            auth=token,
        )
        await flush(client)

    async def test_drop_everything(
        self, client: httpx.AsyncClient, token: str, receiver: Receiver
    ) -> None:
        await self._fire(client, token, {"event_drop_rate": 1.0})
        log = (await client.get("/_sandbox/portals/demo/events/log")).json()["deliveries"]
        assert receiver.events() == [] and len(log) == 10 and all(d["dropped"] for d in log)

    async def test_duplicate_everything(
        self, client: httpx.AsyncClient, token: str, receiver: Receiver
    ) -> None:
        await self._fire(client, token, {"event_duplicate_rate": 1.0})
        ids = [e.data["data"]["FIELDS"]["ID"] for e in receiver.events()]
        assert len(ids) == 20 and len(set(ids)) == 10

    async def test_reorder_is_a_seeded_permutation(
        self, client: httpx.AsyncClient, token: str, receiver: Receiver
    ) -> None:
        await self._fire(client, token, {"event_reorder": True, "random_seed": 7})
        ids = [int(e.data["data"]["FIELDS"]["ID"]) for e in receiver.events()]
        assert sorted(ids) == list(range(3, 13)) and ids != sorted(ids)


class TestOffline:
    async def test_latest_state_per_object_and_reserve_then_clear(
        self, client: httpx.AsyncClient, token: str
    ) -> None:
        await client.post("/_sandbox/portals/demo/install-finish")
        await call(
            client, "event.bind", {"event": "ONCRMDEALUPDATE", "event_type": "offline"}, auth=token
        )
        for title in ("a", "b", "c"):
            await act(client, "crm.deal.update", {"id": 1, "fields": {"TITLE": title}})
        await act(client, "crm.deal.update", {"id": 2, "fields": {"TITLE": "x"}})
        got = (await call(client, "event.offline.get", {"clear": 0}, auth=token)).json()["result"]
        assert len(got["events"]) == 2 and got["process_id"]
        again = (
            await call(client, "event.offline.get", {"process_id": got["process_id"]}, auth=token)
        ).json()["result"]
        assert [e["ID"] for e in again["events"]] == [e["ID"] for e in got["events"]]
        await call(client, "event.offline.clear", {"process_id": got["process_id"]}, auth=token)
        assert (await call(client, "event.offline.list", auth=token)).json()["total"] == 0


class TestRobots:
    async def test_robot_run_posts_event_token_usable_once(
        self, client: httpx.AsyncClient, token: str, receiver: Receiver
    ) -> None:
        robot = {
            "CODE": "apply_discount",
            "HANDLER": "http://receiver.test/robot",
            "NAME": "Скидка",
            "PROPERTIES": {"amount": {"Name": "Сумма", "Type": "double"}},
        }
        assert (await call(client, "bizproc.robot.add", robot, auth=token)).json()["result"] is True
        run = (
            await client.post(
                "/_sandbox/portals/demo/robots/apply_discount/run",
                json={
                    "document_id": ["crm", "CCrmDocumentDeal", "DEAL_1"],
                    "properties": {"amount": 150},
                },
            )
        ).json()
        posted = receiver.received[-1].data
        assert posted["event_token"] == run["event_token"] and posted["document_type"] == [
            "crm",
            "CCrmDocumentDeal",
            "DEAL",
        ]
        assert posted["properties"] == {"amount": "150"} and posted["auth"]["access_token"]
        first = await call(
            client,
            "bizproc.event.send",
            {"EVENT_TOKEN": run["event_token"], "RETURN_VALUES": {"ok": "Y"}},
            auth=token,
        )
        assert first.json()["result"] is True
        second = await call(
            client, "bizproc.event.send", {"EVENT_TOKEN": run["event_token"]}, auth=token
        )
        assert (second.status_code, second.json()["error"]) == (403, "ACCESS_DENIED")
        replies = (await client.get("/_sandbox/portals/demo/workflow-replies")).json()["replies"]
        assert replies[0]["return_values"] == {"ok": "Y"}
