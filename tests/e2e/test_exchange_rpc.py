"""The JSON-RPC door of the exchange gateway over the live stack: orders become deals once,
the standard error codes, batches mixing good and bad calls, the outbox cursor."""

from collections.abc import AsyncIterator

import pytest

from automations.exchange import promo
from tests.e2e import exchange_steps as steps
from tests.e2e.harness import Stack, live_stack

pytestmark = pytest.mark.e2e


@pytest.fixture
async def stack(database_url: str) -> AsyncIterator[Stack]:
    async with live_stack(database_url) as stack:
        await stack.install()
        yield stack


class TestOrders:
    async def test_an_order_becomes_one_deal_with_its_rows(self, stack: Stack) -> None:
        node = await steps.add(stack, "b2b", company_id=7)
        before = len(await steps.deals(stack))
        answer = await node.call("order.upsert", {"order": steps.order("o-1")})
        assert answer["result"]["state"] == "accepted"
        await stack.worker.run_until_idle()
        deals = await steps.deals(stack)
        assert len(deals) == before + 1
        deal = deals[-1]
        assert deal["TITLE"] == "Заказ S-77 от 2026-12-01"
        rows = await steps.rows_of(stack, deal["ID"])
        assert [(r["PRODUCT_ID"], r["QUANTITY"]) for r in rows] == [(1, 2.0), (3, 1.0)]
        assert deal["OPPORTUNITY"] == "32400.00"
        assert deal["CONTACT_ID"] == "1"  # matched by phone, not created
        assert deal["MYCOMPANY_ID"] == "7"  # the node's legal entity
        status = await node.call("order.status", {"external_id": "o-1"})
        assert status["result"]["status"] == "done"
        assert status["result"]["deal_id"] == int(deal["ID"])

    async def test_a_repeated_upload_changes_nothing(self, stack: Stack) -> None:
        node = await steps.add(stack, "b2b")
        await node.call("order.upsert", {"order": steps.order("o-1")})
        await stack.worker.run_until_idle()
        before = await steps.deals(stack)
        again = await node.call("order.upsert", {"order": steps.order("o-1")})
        assert again["result"]["state"] == "unchanged"
        await stack.worker.run_until_idle()
        assert await steps.deals(stack) == before

    async def test_two_nodes_sending_the_same_order_make_one_deal(self, stack: Stack) -> None:
        first, second = await steps.add(stack, "base-1"), await steps.add(stack, "base-2")
        before = len(await steps.deals(stack))
        await first.call("order.upsert", {"order": steps.order("guid-a")})
        await second.call("order.upsert", {"order": steps.order("guid-b", number="УТ-55")})
        await stack.worker.run_until_idle()
        assert len(await steps.deals(stack)) == before + 1
        status = await second.call("order.status", {"external_id": "guid-b"})
        assert status["result"]["status"] == "done" and "связан" in status["result"]["message"]

    async def test_an_unknown_product_refuses_the_document(self, stack: Stack) -> None:
        node = await steps.add(stack, "b2b")
        rows = [{"code": "no-such", "name": "Неизвестный", "price": "10", "quantity": "1"}]
        before = len(await steps.deals(stack))
        await node.call("order.upsert", {"order": steps.order("o-9", rows=rows)})
        await stack.worker.run_until_idle()
        assert len(await steps.deals(stack)) == before
        status = (await node.call("order.status", {"external_id": "o-9"}))["result"]
        assert status["status"] == "refused" and "no-such" in status["message"]

    async def test_a_node_allowed_to_create_products_adds_a_free_row(self, stack: Stack) -> None:
        node = await steps.add(stack, "b2b", allow_create_products=True)
        rows = [{"code": "no-such", "name": "Неизвестный", "price": "10", "quantity": "1"}]
        await node.call("order.upsert", {"order": steps.order("o-9", rows=rows)})
        await stack.worker.run_until_idle()
        deal = (await steps.deals(stack))[-1]
        [row] = await steps.rows_of(stack, deal["ID"])
        assert row["PRODUCT_NAME"] == "Неизвестный" and not row["PRODUCT_ID"]


class TestErrors:
    async def test_a_body_that_is_not_json_is_a_parse_error(self, stack: Stack) -> None:
        node = await steps.add(stack, "b2b")
        headers = {"Authorization": f"Bearer {node.credentials.bearer}"}
        response = await stack.http.post("/exchange/rpc", content=b"{oops", headers=headers)
        assert response.status_code == 200
        assert response.json()["error"]["code"] == -32700
        assert response.json()["id"] is None

    async def test_a_request_without_jsonrpc_is_invalid(self, stack: Stack) -> None:
        node = await steps.add(stack, "b2b")
        answer = (await node.rpc({"method": "node.ping", "id": 5})).json()
        assert answer["error"]["code"] == -32600 and answer["id"] == 5

    async def test_an_unknown_method_is_not_found(self, stack: Stack) -> None:
        node = await steps.add(stack, "b2b")
        answer = await node.call("order.delete", {})
        assert answer["error"]["code"] == -32601
        assert "order.upsert" in answer["error"]["data"]["available"]

    async def test_invalid_params_name_the_field_paths(self, stack: Stack) -> None:
        node = await steps.add(stack, "b2b")
        bad = steps.order("o-1")
        bad["rows"][0]["price"] = "-5"
        del bad["number"]
        answer = await node.call("order.upsert", {"order": bad})
        assert answer["error"]["code"] == -32602
        fields = {item["field"] for item in answer["error"]["data"]}
        assert fields == {"order.number", "order.rows.0.price"}

    async def test_a_wrong_token_is_refused_and_nothing_is_stored(self, stack: Stack) -> None:
        node = await steps.add(stack, "b2b")
        headers = {"Authorization": f"Bearer {node.credentials.login}.wrong"}
        body = {"jsonrpc": "2.0", "method": "order.upsert",
                "params": {"order": steps.order("o-1")}, "id": 1}  # fmt: skip
        response = await stack.http.post("/exchange/rpc", json=body, headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == -32001
        answer = await node.call("order.status", {"external_id": "o-1"})
        assert answer["error"]["code"] == -32602

    async def test_a_batch_mixing_good_and_bad_calls_answers_each(self, stack: Stack) -> None:
        node = await steps.add(stack, "b2b")
        batch = [
            {"jsonrpc": "2.0", "method": "node.ping", "id": 1},
            {"jsonrpc": "2.0", "method": "nope", "id": 2},
            {"jsonrpc": "2.0", "method": "order.upsert", "params": {"order": {}}, "id": 3},
            {
                "jsonrpc": "2.0",
                "method": "order.upsert",
                "params": {"order": steps.order("o-1")},
                "id": 4,
            },
            {"jsonrpc": "2.0", "method": "node.ping"},
            42,
        ]
        answers = (await node.rpc(batch)).json()
        by_id = {a["id"]: a for a in answers}
        assert len(answers) == 5  # the notification has no answer
        assert by_id[1]["result"]["node"] == "b2b"
        assert by_id[2]["error"]["code"] == -32601
        assert by_id[3]["error"]["code"] == -32602
        assert by_id[4]["result"]["state"] == "accepted"
        assert by_id[None]["error"]["code"] == -32600
        await stack.worker.run_until_idle()
        status = await node.call("order.status", {"external_id": "o-1"})
        assert status["result"]["status"] == "done"


class TestOutbox:
    async def test_a_stage_change_reaches_the_order_s_node_once(self, stack: Stack) -> None:
        sender = await steps.add(stack, "b2b", direction="both")
        bystander = await steps.add(stack, "other", direction="both")
        await sender.call("order.upsert", {"order": steps.order("o-1")})
        await stack.settle()
        assert (await sender.call("changes.pull", {}))["result"]["changes"] == []  # own echo
        deal_id = (await steps.deals(stack))[-1]["ID"]
        await stack.act("crm.deal.update", {"id": deal_id, "fields": {"STAGE_ID": "EXECUTING"}})
        await stack.settle()
        pulled = (await sender.call("changes.pull", {}))["result"]
        [change] = pulled["changes"]
        assert change["stage"] == "EXECUTING" and change["changed"] == ["stage"]
        assert change["external_id"] == "o-1" and change["deal_id"] == int(deal_id)
        again = (await sender.call("changes.pull", {}))["result"]["changes"]
        assert again == [change]  # not acknowledged yet: offered again
        acked = await sender.call("changes.ack", {"cursor": pulled["cursor"]})
        assert acked["result"]["acknowledged"] == 1
        assert (await sender.call("changes.pull", {}))["result"]["changes"] == []
        assert (await bystander.call("changes.pull", {}))["result"]["changes"] == []

    async def test_a_deal_made_in_bitrix24_goes_to_the_nodes_of_its_funnel(
        self, stack: Stack
    ) -> None:
        receiver = await steps.add(stack, "erp", direction="out", deal_category_id=0, company_id=7)
        other_entity = await steps.add(stack, "erp-2", direction="out", company_id=8)
        inbound = await steps.add(stack, "site", direction="in")
        await stack.act("crm.deal.add", {"fields": {"TITLE": "Из портала", "MYCOMPANY_ID": 7}})
        await stack.settle()
        [change] = (await receiver.call("changes.pull", {}))["result"]["changes"]
        assert change["event"] == "deal.created"
        assert (await inbound.call("changes.pull", {}))["result"]["changes"] == []
        assert (await other_entity.call("changes.pull", {}))["result"]["changes"] == []


class TestProperties:
    async def test_properties_map_to_deal_fields_and_their_change_goes_back(
        self, stack: Stack
    ) -> None:
        node = await steps.add(stack, "b2b", property_map={"Склад": "UF_CRM_STORE"})
        properties = {"bonus_card": "777", "Склад": "Главный", "Неизвестное": "x"}
        await node.call("order.upsert", {"order": steps.order("o-1", properties=properties)})
        await stack.settle()
        deal = (await steps.deals(stack))[-1]
        assert deal["UF_CRM_B24B_BONUS_CARD"] == "777" and deal["UF_CRM_STORE"] == "Главный"
        assert "Неизвестное" not in str(deal)
        fields = {"UF_CRM_B24B_BONUS_CARD": "778"}
        await stack.act("crm.deal.update", {"id": deal["ID"], "fields": fields})
        await stack.settle()
        [change] = (await node.call("changes.pull", {}))["result"]["changes"]
        assert change["changed"] == ["properties"]
        assert change["properties"] == {"Номер бонусной карты": "778"}


class TestResponsible:
    async def test_the_employee_code_picks_the_user(self, stack: Stack) -> None:
        node = await steps.add(stack, "b2b", default_user_id=3)
        await node.call("order.upsert", {"order": steps.order("o-1", responsible_code="000102")})
        await stack.worker.run_until_idle()
        assert (await steps.deals(stack))[-1]["ASSIGNED_BY_ID"] == "2"

    async def test_an_unknown_code_goes_to_the_default_user_and_is_reported(
        self, stack: Stack
    ) -> None:
        node = await steps.add(stack, "b2b", default_user_id=3)
        await node.call("order.upsert", {"order": steps.order("o-1", responsible_code="777")})
        await stack.worker.run_until_idle()
        assert (await steps.deals(stack))[-1]["ASSIGNED_BY_ID"] == "3"
        status = (await node.call("order.status", {"external_id": "o-1"}))["result"]
        assert status["status"] == "done" and "«777» не найден" in status["message"]


class TestPromoCodes:
    async def test_nodes_read_the_codes_valid_on_a_day(self, stack: Stack) -> None:
        portal_client = stack.deps.rest.for_portal(await steps.portal(stack))
        created = await promo.provision(portal_client)
        assert "smart process Промокоды" in created and "field UF_CRM_B24B_BONUS_CARD" in created
        assert await promo.provision(portal_client) == []  # idempotent
        [kind] = (
            await stack.act("crm.type.list", {"filter": {"code": promo.TYPE_CODE}}, user_id=1)
        )["types"]
        prefix = f"ufCrm{kind['id']}_"
        for code, discount, start, end in (("WINTER", "10", "2026-12-01", "2026-12-31"),
                                           ("OLD", "5", "2025-01-01", "2025-02-01")):  # fmt: skip
            fields = {"title": code, f"{prefix}CODE": code, f"{prefix}DISCOUNT": discount,
                      f"{prefix}VALID_FROM": start, f"{prefix}VALID_TO": end}  # fmt: skip
            await stack.act(
                "crm.item.add", {"entityTypeId": kind["entityTypeId"], "fields": fields}
            )
        node = await steps.add(stack, "b2b")
        answer = (await node.call("promo_codes.list", {"valid_on": "2026-12-02"}))["result"]
        assert answer["promo_codes"] == [{"code": "WINTER", "discount_percent": "10",
                                          "valid_from": "2026-12-01", "valid_to": "2026-12-31"}]  # fmt: skip
        everything = (await node.call("promo_codes.list", {"all": True}))["result"]
        assert {c["code"] for c in everything["promo_codes"]} == {"WINTER", "OLD"}
        wrong = await node.call("promo_codes.list", {"valid_on": "вчера"})
        assert wrong["error"]["code"] == -32602 and wrong["error"]["data"][0]["field"] == "valid_on"


class TestCounterparties:
    async def test_a_company_is_found_by_inn_and_updated_not_duplicated(self, stack: Stack) -> None:
        node = await steps.add(stack, "b2b")
        party = {"external_id": "c-1", "name": "ООО Ромашка", "inn": "7701234567"}
        before = len(await stack.act("crm.company.list", {}, user_id=1))
        answer = await node.call("counterparty.upsert", {"counterparty": party})
        assert answer["result"]["state"] == "accepted"
        await stack.worker.run_until_idle()
        renamed = party | {"name": "ООО Ромашка и К", "phone": "+74950000000"}
        await node.call("counterparty.upsert", {"counterparty": renamed})
        await stack.worker.run_until_idle()
        companies = await stack.act("crm.company.list", {"select": ["*", "PHONE"]}, user_id=1)
        assert len(companies) == before + 1
        assert companies[-1]["TITLE"] == "ООО Ромашка и К"
        status = await node.call("order.status", {"external_id": "c-1", "kind": "counterparty"})
        assert status["result"]["status"] == "done"

    async def test_a_bad_inn_is_refused_with_its_path(self, stack: Stack) -> None:
        node = await steps.add(stack, "b2b")
        answer = await node.call("counterparty.upsert", {"counterparty": {"name": "X", "inn": "1"}})
        assert answer["error"]["data"][0]["field"] == "counterparty.inn"


class TestDirection:
    async def test_a_node_that_only_receives_cannot_send_orders(self, stack: Stack) -> None:
        node = await steps.add(stack, "erp", direction="out")
        answer = await node.call("order.upsert", {"order": steps.order("o-1")})
        assert answer["error"]["code"] == -32602
        assert answer["error"]["data"][0]["field"] == "order.direction"
