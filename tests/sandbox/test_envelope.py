"""Envelopes and quirks per API family, routing, body encodings."""

import httpx

from tests.sandbox.conftest import call


class TestLegacyDealFamily:
    async def test_get_returns_upper_case_keys_and_only_string_scalars(
        self, client: httpx.AsyncClient, webhook: str
    ) -> None:
        body = (await client.post(f"{webhook}crm.deal.get", json={"id": 1})).json()
        deal = body["result"]
        assert (
            deal["ID"] == "1" and deal["CATEGORY_ID"] == "0" and deal["OPPORTUNITY"] == "46900.00"
        )
        assert all(v is None or isinstance(v, str) for v in deal.values())
        assert {"operating", "operating_reset_at", "start", "finish", "duration"} <= set(
            body["time"]
        )

    async def test_bad_parameters_answer_400_with_empty_error_code(
        self, client: httpx.AsyncClient, webhook: str
    ) -> None:
        response = await client.post(f"{webhook}crm.deal.add", json={"fields": "nope"})
        assert response.status_code == 400
        assert response.json()["error"] == ""
        assert response.json()["error_description"] == "Parameter 'fields' must be array."
        missing = await client.post(f"{webhook}crm.deal.get", json={"id": 999})
        assert (
            missing.status_code,
            missing.json()["error"],
            missing.json()["error_description"],
        ) == (400, "", "Not found")

    async def test_add_returns_int_id_and_update_true(
        self, client: httpx.AsyncClient, webhook: str
    ) -> None:
        new_id = (
            await client.post(f"{webhook}crm.deal.add", json={"fields": {"TITLE": "x"}})
        ).json()["result"]
        assert isinstance(new_id, int)
        updated = await client.post(
            f"{webhook}crm.deal.update", json={"id": new_id, "fields": {"TITLE": "y"}}
        )
        assert updated.json()["result"] is True


class TestUniversalItemFamily:
    async def test_item_get_is_typed_camel_case_over_the_same_store(
        self, client: httpx.AsyncClient, webhook: str
    ) -> None:
        item = (
            await client.post(f"{webhook}crm.item.get", json={"entityTypeId": 2, "id": 1})
        ).json()["result"]["item"]
        assert item["id"] == 1 and item["categoryId"] == 0 and item["opportunity"] == 46900.0
        assert item["stageId"] == "NEW" and item["updatedTime"].endswith("+03:00")

    async def test_delete_returns_empty_php_array_and_missing_item_is_not_found(
        self, client: httpx.AsyncClient, webhook: str
    ) -> None:
        deleted = await client.post(f"{webhook}crm.item.delete", json={"entityTypeId": 2, "id": 2})
        assert deleted.json()["result"] == []
        gone = await client.post(f"{webhook}crm.item.get", json={"entityTypeId": 2, "id": 2})
        assert (gone.status_code, gone.json()["error"]) == (400, "NOT_FOUND")
        legacy = await client.post(f"{webhook}crm.deal.get", json={"id": 2})
        assert legacy.json()["error"] == ""

    async def test_missing_required_parameter_is_code_100(
        self, client: httpx.AsyncClient, webhook: str
    ) -> None:
        response = await client.post(f"{webhook}crm.item.add", json={"entityTypeId": 2})
        assert (response.status_code, response.json()["error"]) == (400, "100")

    async def test_spa_item_accepts_uf_fields_in_camel_case(
        self, client: httpx.AsyncClient, token: str
    ) -> None:
        spa = (
            await call(
                client,
                "crm.type.add",
                {"fields": {"title": "Закупка", "isStagesEnabled": "Y"}},
                auth=token,
            )
        ).json()
        type_id = spa["result"]["type"]["entityTypeId"]
        field = {
            "entityId": f"CRM_{spa['result']['type']['id']}",
            "fieldName": f"UF_CRM_{spa['result']['type']['id']}_SUPPLIER",
            "userTypeId": "string",
        }
        assert (
            await call(
                client, "userfieldconfig.add", {"moduleId": "crm", "field": field}, auth=token
            )
        ).status_code == 200
        key = f"ufCrm{spa['result']['type']['id']}_SUPPLIER"
        added = (
            await call(
                client,
                "crm.item.add",
                {"entityTypeId": type_id, "fields": {"title": "P", key: "ACME"}},
                auth=token,
            )
        ).json()
        item = added["result"]["item"]
        assert item[key] == "ACME" and item["stageId"] == f"DT{type_id}_{item['categoryId']}:NEW"


class TestRouting:
    async def test_unknown_method_is_404(self, client: httpx.AsyncClient, webhook: str) -> None:
        response = await client.post(f"{webhook}crm.nothing.here", json={})
        assert (response.status_code, response.json()["error"]) == (404, "ERROR_METHOD_NOT_FOUND")

    async def test_form_body_with_php_brackets_and_json_suffix(
        self, client: httpx.AsyncClient, webhook: str
    ) -> None:
        form = {
            "fields[TITLE]": "Форма",
            "fields[PHONE][0][VALUE]": "+7000",
            "fields[PHONE][0][VALUE_TYPE]": "WORK",
        }
        new_id = (await client.post(f"{webhook}crm.contact.add.json", data=form)).json()["result"]
        contact = (await client.post(f"{webhook}crm.contact.get", data={"id": str(new_id)})).json()[
            "result"
        ]
        assert contact["PHONE"][0]["VALUE"] == "+7000" and contact["PHONE"][0]["TYPE_ID"] == "PHONE"

    async def test_webhook_auth_is_refused_by_app_context_methods(
        self, client: httpx.AsyncClient, webhook: str, token: str
    ) -> None:
        documented = {
            "placement.bind": (403, "WRONG_AUTH_TYPE", "Application context required"),
            "event.bind": (403, "WRONG_AUTH_TYPE", "Application context required"),
            "bizproc.robot.add": (400, "ACCESS_DENIED", "Application context required"),
            "bizproc.robot.list": (400, "ACCESS_DENIED", "Application context required"),
            "app.info": (400, "ACCESS_DENIED", "Access denied! Application context required"),
        }
        for method, answer in documented.items():
            response = await client.post(f"{webhook}{method}", json={})
            body = response.json()
            assert (response.status_code, body["error"], body["error_description"]) == answer, (
                method
            )
        assert (await call(client, "app.info", auth=token)).json()["result"]["INSTALLED"] is False

    async def test_token_of_another_portal_is_rejected(self, client: httpx.AsyncClient) -> None:
        other = (await client.post("/_sandbox/portals", json={"code": "b", "seed": False})).json()
        assert other["client_endpoint"] == "http://127.0.0.1:8001/p/b/rest/"
        b_token = (await client.post("/_sandbox/portals/b/tokens", json={"user_id": 1})).json()[
            "access_token"
        ]
        refused = await client.post("/rest/user.current", json={"auth": b_token})
        assert (refused.status_code, refused.json()["error"]) == (401, "NO_AUTH_FOUND")
        accepted = await client.post("/p/b/rest/user.current", json={"auth": b_token})
        assert accepted.json()["result"]["ID"] == "1"

    async def test_every_rest_request_is_logged_with_status(
        self, client: httpx.AsyncClient, webhook: str
    ) -> None:
        await client.post(f"{webhook}crm.deal.get", json={"id": 1})
        await client.post(f"{webhook}nope", json={})
        log = (await client.get("/_sandbox/portals/demo/requests")).json()["requests"]
        assert [(r["method"], r["http_status"], r["error"]) for r in log] == [
            ("crm.deal.get", 200, None),
            ("nope", 404, "ERROR_METHOD_NOT_FOUND"),
        ]
