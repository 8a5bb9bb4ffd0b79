"""``bizproc.workflow.start`` and ``user.userfield.add/list`` with the answers their doc pages
show (api-reference/bizproc/bizproc-workflow-start.md, api-reference/user/userfields/)."""

import httpx
import pytest

DEAL = ["crm", "CCrmDocumentDeal", "DEAL_1"]


async def post(client: httpx.AsyncClient, url: str, body: dict[str, object]) -> httpx.Response:
    return await client.post(url, json=body)


class TestWorkflowStart:
    async def test_a_deal_template_starts_and_answers_the_workflow_id(
        self, client: httpx.AsyncClient, webhook: str
    ) -> None:
        body = {"TEMPLATE_ID": 1, "DOCUMENT_ID": DEAL, "PARAMETERS": {"p": "user_1"}}
        answer = await post(client, f"{webhook}bizproc.workflow.start", body)
        workflow_id = answer.json()["result"]
        assert isinstance(workflow_id, str) and "." in workflow_id
        listed = (await client.get("/_sandbox/portals/demo/workflows")).json()["workflows"]
        assert [w["ID"] for w in listed] == [workflow_id]

    @pytest.mark.parametrize(
        ("body", "description"),
        [
            ({"DOCUMENT_ID": DEAL}, "Empty TEMPLATE_ID"),
            ({"TEMPLATE_ID": 99, "DOCUMENT_ID": DEAL}, "Template not found"),
            ({"TEMPLATE_ID": 2, "DOCUMENT_ID": DEAL}, "Template type and DOCUMENT_ID mismatch!"),
            ({"TEMPLATE_ID": 1, "DOCUMENT_ID": ["crm", "CCrmDocumentDeal", "DEAL_999"]},
             "Wrong DOCUMENT_ID!"),
            ({"TEMPLATE_ID": 1, "DOCUMENT_ID": ["disk", "X", "1"]}, "Incorrect document type!"),
        ],
    )  # fmt: skip
    async def test_documented_errors(
        self, client: httpx.AsyncClient, webhook: str, body: dict[str, object], description: str
    ) -> None:
        answer = await post(client, f"{webhook}bizproc.workflow.start", body)
        assert answer.status_code == 400 and answer.json()["error_description"] == description


class TestUserFields:
    async def test_add_answers_the_id_and_a_second_add_is_error_core(
        self, client: httpx.AsyncClient, webhook: str
    ) -> None:
        fields = {"FIELD_NAME": "UF_USR_CODE", "USER_TYPE_ID": "string"}
        first = await post(client, f"{webhook}user.userfield.add", {"fields": fields})
        assert isinstance(first.json()["result"], int)
        again = await post(client, f"{webhook}user.userfield.add", {"fields": fields})
        assert again.status_code == 400 and again.json()["error"] == "ERROR_CORE"
        listed = await post(
            client, f"{webhook}user.userfield.list", {"filter": {"FIELD_NAME": "UF_USR_CODE"}}
        )
        assert [f["ENTITY_ID"] for f in listed.json()["result"]] == ["USER"]

    @pytest.mark.parametrize(
        ("switch", "stored"), [("if_missing", "UF_USR_CODE"), ("never", "CODE")]
    )
    async def test_a_bare_name_follows_the_prefix_switch(
        self, client: httpx.AsyncClient, webhook: str, switch: str, stored: str
    ) -> None:
        await client.patch("/_sandbox/portals/demo/config", json={"user_field_prefix": switch})
        fields = {"FIELD_NAME": "CODE", "USER_TYPE_ID": "string"}
        await post(client, f"{webhook}user.userfield.add", {"fields": fields})
        listed = (await post(client, f"{webhook}user.userfield.list", {})).json()["result"]
        assert [f["FIELD_NAME"] for f in listed] == [stored]

    async def test_a_missing_type_is_the_documented_empty_error(
        self, client: httpx.AsyncClient, webhook: str
    ) -> None:
        answer = await post(client, f"{webhook}user.userfield.add", {"fields": {"FIELD_NAME": "X"}})
        assert answer.status_code == 400
        assert answer.json()["error_description"] == "The 'USER_TYPE_ID' field is not found."
