"""Methods with their documented envelopes: ``server.time``, ``crm.item.fields``,
``crm.company.*``, ``tasks.task.get/update``, ``user.admin``."""

import httpx

from tests.sandbox.conftest import Receiver, call
from tests.sandbox.test_events import bind, flush


class TestSystem:
    async def test_server_time_is_the_portals_clock_with_its_offset(
        self, client: httpx.AsyncClient, webhook: str
    ) -> None:
        body = (await client.post(f"{webhook}server.time", json={})).json()
        assert body["result"] == "2026-01-15T12:00:00+03:00"

    async def test_user_admin_says_whether_the_caller_administers(
        self, client: httpx.AsyncClient
    ) -> None:
        for user_id, admin in ((1, True), (2, False)):
            token = (
                await client.post("/_sandbox/portals/demo/tokens", json={"user_id": user_id})
            ).json()["access_token"]
            assert (await call(client, "user.admin", auth=token)).json()["result"] is admin


class TestItemFields:
    async def test_fields_are_described_with_their_upper_names(
        self, client: httpx.AsyncClient, webhook: str
    ) -> None:
        body = (await client.post(f"{webhook}crm.item.fields", json={"entityTypeId": 2})).json()
        fields = body["result"]["fields"]
        assert fields["id"]["isReadOnly"] is True and fields["stageId"]["upperName"] == "STAGE_ID"
        assert fields["title"]["type"] == "string"

    async def test_a_smart_process_lists_its_user_fields(
        self, client: httpx.AsyncClient, token: str
    ) -> None:
        created = await call(client, "crm.type.add", {"fields": {"title": "Закупка"}}, auth=token)
        spa = created.json()["result"]["type"]
        field = {
            "entityId": f"CRM_{spa['id']}",
            "fieldName": f"UF_CRM_{spa['id']}_ETA",
            "userTypeId": "date",
        }
        await call(client, "userfieldconfig.add", {"moduleId": "crm", "field": field}, auth=token)
        params = {"entityTypeId": spa["entityTypeId"]}
        camel = (await call(client, "crm.item.fields", params, auth=token)).json()["result"]
        assert camel["fields"][f"ufCrm{spa['id']}_ETA"]["type"] == "date"
        original = await call(
            client, "crm.item.fields", params | {"useOriginalUfNames": "Y"}, auth=token
        )
        assert f"UF_CRM_{spa['id']}_ETA" in original.json()["result"]["fields"]

    async def test_an_unknown_type_is_not_found(
        self, client: httpx.AsyncClient, webhook: str
    ) -> None:
        response = await client.post(f"{webhook}crm.item.fields", json={"entityTypeId": 999})
        assert (response.status_code, response.json()["error"]) == (400, "NOT_FOUND")


class TestCompanies:
    async def test_add_get_update_list_in_the_legacy_shape(
        self, client: httpx.AsyncClient, webhook: str, token: str, receiver: Receiver
    ) -> None:
        await client.post("/_sandbox/portals/demo/install-finish")
        await bind(client, token, "ONCRMCOMPANYADD", "ONCRMCOMPANYUPDATE")
        fields = {"TITLE": "ООО Ромашка", "PHONE": [{"VALUE": "+7111", "VALUE_TYPE": "WORK"}]}
        company_id = (
            await client.post(f"{webhook}crm.company.add", json={"fields": fields})
        ).json()["result"]
        assert isinstance(company_id, int)
        got = (await client.post(f"{webhook}crm.company.get", json={"id": company_id})).json()
        assert got["result"]["TITLE"] == "ООО Ромашка" and got["result"]["ID"] == str(company_id)
        update = {"id": company_id, "fields": {"TITLE": "ООО Лютик"}}
        assert (await client.post(f"{webhook}crm.company.update", json=update)).json()[
            "result"
        ] is True
        listed = await client.post(
            f"{webhook}crm.company.list", json={"filter": {"%TITLE": "Лютик"}, "select": ["ID"]}
        )
        assert listed.json()["result"] == [{"ID": str(company_id)}] and listed.json()["total"] == 1
        await flush(client)
        assert [e.data["event"] for e in receiver.events()] == [
            "ONCRMCOMPANYADD",
            "ONCRMCOMPANYUPDATE",
        ]

    async def test_a_missing_company_is_the_legacy_empty_error(
        self, client: httpx.AsyncClient, webhook: str
    ) -> None:
        missing = await client.post(f"{webhook}crm.company.get", json={"id": 99})
        assert (missing.status_code, missing.json()["error"]) == (400, "")


class TestTasks:
    async def test_get_and_update_a_task_uf_crm_task_only_when_selected(
        self, client: httpx.AsyncClient, webhook: str
    ) -> None:
        fields = {"TITLE": "Позвонить", "RESPONSIBLE_ID": 2, "UF_CRM_TASK": ["D_1"]}
        added = (await client.post(f"{webhook}tasks.task.add", json={"fields": fields})).json()
        task_id = added["result"]["task"]["id"]
        got = (await client.post(f"{webhook}tasks.task.get", json={"taskId": task_id})).json()
        assert got["result"]["task"]["title"] == "Позвонить"
        assert "ufCrmTask" not in got["result"]["task"]
        selected = await client.post(
            f"{webhook}tasks.task.get", json={"taskId": task_id, "select": ["ID", "UF_CRM_TASK"]}
        )
        assert selected.json()["result"]["task"] == {"id": task_id, "ufCrmTask": ["D_1"]}
        change = {"taskId": task_id, "fields": {"TITLE": "Перезвонить", "RESPONSIBLE_ID": 3}}
        updated = (await client.post(f"{webhook}tasks.task.update", json=change)).json()
        assert updated["result"]["task"]["title"] == "Перезвонить"
        assert updated["result"]["task"]["responsibleId"] == "3"

    async def test_documented_errors(self, client: httpx.AsyncClient, webhook: str) -> None:
        no_id = await client.post(f"{webhook}tasks.task.get", json={})
        assert (no_id.status_code, no_id.json()["error"]) == (400, "100")
        missing = await client.post(f"{webhook}tasks.task.get", json={"taskId": 777})
        assert missing.json()["error"] == "0"
        fields = {"TITLE": "x", "RESPONSIBLE_ID": 2}
        task = (await client.post(f"{webhook}tasks.task.add", json={"fields": fields})).json()
        task_id = task["result"]["task"]["id"]
        nobody = {"taskId": task_id, "fields": {"RESPONSIBLE_ID": 99}}
        refused = await client.post(f"{webhook}tasks.task.update", json=nobody)
        assert refused.json()["error"] == "ERROR_CORE"
        empty = await client.post(f"{webhook}tasks.task.update", json={"taskId": task_id})
        assert empty.json()["error"] == "100"
