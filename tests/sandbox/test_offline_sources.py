"""Offline events split by source (``auth_connector``) and ``event.offline.error`` (§8.6)."""

import httpx

from tests.sandbox.conftest import call
from tests.sandbox.test_events import act

CONNECTOR = "b24bridge"


async def offline_ids(client: httpx.AsyncClient, token: str, **params: object) -> list[str]:
    listed = (await call(client, "event.offline.list", dict(params), auth=token)).json()
    return sorted(e["EVENT_DATA"]["FIELDS"]["ID"] for e in listed["result"])


async def bind_offline(client: httpx.AsyncClient, token: str, **extra: str) -> None:
    params = {"event": "ONCRMDEALUPDATE", "event_type": "offline", **extra}
    assert (await call(client, "event.bind", params, auth=token)).json()["result"] is True


class TestAuthConnector:
    async def test_own_changes_skip_the_connectors_queue_and_queues_do_not_mix(
        self, client: httpx.AsyncClient, token: str
    ) -> None:
        await client.post("/_sandbox/portals/demo/install-finish")
        await bind_offline(client, token, auth_connector=CONNECTOR)
        await bind_offline(client, token)
        own = {"id": 1, "fields": {"TITLE": "by the app"}, "auth_connector": CONNECTOR}
        assert (await call(client, "crm.deal.update", own, auth=token)).json()["result"] is True
        await act(client, "crm.deal.update", {"id": 2, "fields": {"TITLE": "by a person"}})
        assert await offline_ids(client, token, auth_connector=CONNECTOR) == [2]
        assert await offline_ids(client, token) == [1, 2]
        got = await call(client, "event.offline.get", {"auth_connector": CONNECTOR}, auth=token)
        assert [e["EVENT_DATA"]["FIELDS"]["ID"] for e in got.json()["result"]["events"]] == [2]
        assert await offline_ids(client, token) == [1, 2]  # the default queue is untouched

    async def test_a_connector_in_a_batch_command_counts_for_that_command(
        self, client: httpx.AsyncClient, token: str
    ) -> None:
        await client.post("/_sandbox/portals/demo/install-finish")
        await bind_offline(client, token, auth_connector=CONNECTOR)
        cmd = {
            "own": f"crm.deal.update?id=1&fields[TITLE]=a&auth_connector={CONNECTOR}",
            "other": "crm.deal.update?id=2&fields[TITLE]=b",
        }
        await call(client, "batch", {"cmd": cmd}, auth=token)
        assert await offline_ids(client, token, auth_connector=CONNECTOR) == [2]

    async def test_the_same_event_may_be_bound_offline_once_per_source(
        self, client: httpx.AsyncClient, token: str
    ) -> None:
        await bind_offline(client, token, auth_connector=CONNECTOR)
        await bind_offline(client, token)
        again = await call(
            client,
            "event.bind",
            {"event": "ONCRMDEALUPDATE", "event_type": "offline", "auth_connector": CONNECTOR},
            auth=token,
        )
        assert again.json()["error"] == "ERROR_HANDLER_ALREADY_EXIST"


class TestOfflineError:
    async def test_failed_records_stay_flagged_and_come_back_only_on_request(
        self, client: httpx.AsyncClient, token: str
    ) -> None:
        await client.post("/_sandbox/portals/demo/install-finish")
        await bind_offline(client, token)
        for deal_id in (1, 2):
            await act(client, "crm.deal.update", {"id": deal_id, "fields": {"TITLE": "x"}})
        got = (await call(client, "event.offline.get", {"clear": 0}, auth=token)).json()["result"]
        failed = next(e for e in got["events"] if e["EVENT_DATA"]["FIELDS"]["ID"] == 1)
        params = {"process_id": got["process_id"], "message_id": [failed["MESSAGE_ID"]]}
        marked = await call(client, "event.offline.error", params, auth=token)
        assert marked.json()["result"] is True
        await call(client, "event.offline.clear", {"process_id": got["process_id"]}, auth=token)
        listed = (await call(client, "event.offline.list", auth=token)).json()["result"]
        assert [(e["MESSAGE_ID"], e["ERROR"]) for e in listed] == [(failed["MESSAGE_ID"], "1")]
        plain = (await call(client, "event.offline.get", auth=token)).json()["result"]
        assert plain["events"] == []
        errors = await call(client, "event.offline.get", {"error": 1}, auth=token)
        assert [e["MESSAGE_ID"] for e in errors.json()["result"]["events"]] == [
            failed["MESSAGE_ID"]
        ]

    async def test_process_id_is_required(self, client: httpx.AsyncClient, token: str) -> None:
        response = await call(client, "event.offline.error", {"message_id": ["x"]}, auth=token)
        assert (response.status_code, response.json()["error"]) == (400, "ERROR_ARGUMENT")
