"""Business processes started from outside over the live stack: ``workflow.start`` stores the
request and a job starts the workflow once; the template's last step (the app's result
robot, called by the sandbox the way Bitrix24 calls it) brings the values back to
``workflow.result``, to ``changes.pull`` and to a push node's URL."""

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi import FastAPI, Request, Response

from tests.e2e import exchange_steps as steps
from tests.e2e.harness import Stack, free_port, live_stack, serve

pytestmark = pytest.mark.e2e


@pytest.fixture
async def stack(database_url: str) -> AsyncIterator[Stack]:
    async with live_stack(database_url) as stack:
        await stack.install()
        yield stack


def start_params(key: str = "erp-1", **changes: Any) -> dict[str, Any]:
    return {"idempotency_key": key, "external_id": "o-1", "template_id": 1,
            "parameters": {"approver": "user_1", "limit": 50000}} | changes  # fmt: skip


async def deal_of_order(stack: Stack, node: steps.Node) -> int:
    await node.call("order.upsert", {"order": steps.order("o-1")})
    await stack.worker.run_until_idle()
    status = await node.call("order.status", {"external_id": "o-1"})
    return int(status["result"]["deal_id"])


async def finish(stack: Stack, workflow_id: str, **properties: str) -> None:
    answer = await stack.ctl(
        "POST", f"/workflows/{workflow_id}/finish", json={"properties": properties}
    )
    assert answer["status_code"] == 200, answer
    await stack.worker.run_until_idle()


class TestWorkflowStart:
    async def test_the_workflow_starts_once_and_its_result_comes_back(self, stack: Stack) -> None:
        node = await steps.add(stack, "erp")
        deal_id = await deal_of_order(stack, node)
        first = (await node.call("workflow.start", start_params()))["result"]
        again = (await node.call("workflow.start", start_params()))["result"]
        assert first["status"] == "pending" and again["request_id"] == first["request_id"]
        await stack.worker.run_until_idle()
        started = (await stack.ctl("GET", "/workflows"))["workflows"]
        assert len(started) == 1
        assert started[0]["DOCUMENT_ID"] == ["crm", "CCrmDocumentDeal", f"DEAL_{deal_id}"]
        assert started[0]["TEMPLATE_ID"] == 1 and started[0]["PARAMETERS"]["limit"] == 50000
        request_id = first["request_id"]
        running = (await node.call("workflow.result", {"request_id": request_id}))["result"]
        assert running["status"] == "started" and running["workflow_id"] == started[0]["ID"]
        values = json.dumps({"approved": "Y", "sum": "1500.00"})
        await finish(stack, started[0]["ID"], values=values, message="Одобрено")
        done = (await node.call("workflow.result", {"request_id": request_id}))["result"]
        assert done["status"] == "finished" and done["values"] == {
            "approved": "Y",
            "sum": "1500.00",
        }
        assert done["message"] == "Одобрено" and done["deal_id"] == deal_id
        replies = (await stack.ctl("GET", "/workflow-replies"))["replies"]
        assert replies[-1]["robot_code"] == "b24bridge_workflow_result"  # the workflow goes on
        pulled = (await node.call("changes.pull", {}))["result"]["changes"]
        results = [c for c in pulled if c.get("event") == "workflow.result"]
        assert [(c["request_id"], c["status"]) for c in results] == [(request_id, "finished")]

    async def test_a_failed_workflow_reports_failed(self, stack: Stack) -> None:
        node = await steps.add(stack, "erp")
        deal_id = await deal_of_order(stack, node)
        first = await node.call("workflow.start", start_params(external_id=None, deal_id=deal_id))
        await stack.worker.run_until_idle()
        workflow_id = (await stack.ctl("GET", "/workflows"))["workflows"][0]["ID"]
        await finish(stack, workflow_id, status="failed", message="Лимит превышен")
        done = await node.call("workflow.result", {"request_id": first["result"]["request_id"]})
        assert done["result"]["status"] == "failed" and done["result"]["values"] == {}

    async def test_a_template_bitrix24_refuses_fails_the_request_with_the_reason(
        self, stack: Stack
    ) -> None:
        node = await steps.add(stack, "erp")
        await deal_of_order(stack, node)
        first = await node.call("workflow.start", start_params(template_id=99))
        await stack.worker.run_until_idle()
        done = await node.call("workflow.result", {"request_id": first["result"]["request_id"]})
        assert done["result"]["status"] == "failed"
        assert "Template not found" in done["result"]["message"]
        assert (await stack.ctl("GET", "/workflows"))["workflows"] == []

    async def test_a_workflow_for_a_refused_order_fails_without_starting(
        self, stack: Stack
    ) -> None:
        node = await steps.add(stack, "erp")
        unknown = [{"code": "no-such", "name": "Нет в каталоге", "price": "1", "quantity": "1"}]
        await node.call("order.upsert", {"order": steps.order("o-1", rows=unknown)})
        await stack.worker.run_until_idle()
        first = await node.call("workflow.start", start_params())
        await stack.worker.run_until_idle()
        done = await node.call("workflow.result", {"request_id": first["result"]["request_id"]})
        assert done["result"]["status"] == "failed" and "отклонён" in done["result"]["message"]
        assert (await stack.ctl("GET", "/workflows"))["workflows"] == []


class TestWorkflowRefusals:
    async def test_bad_params_are_refused_with_field_paths(self, stack: Stack) -> None:
        node = await steps.add(stack, "erp")
        await deal_of_order(stack, node)
        await node.call("workflow.start", start_params())
        cases = [
            (start_params(deal_id=5), "idempotency_key"),  # neither or both deal keys
            (start_params("erp-2", external_id="nope"), "external_id"),
            (start_params(template_id=2), "idempotency_key"),  # the key is taken, other params
        ]
        errors = [(await node.call("workflow.start", params))["error"] for params, _ in cases]
        assert all(e["code"] == -32602 for e in errors)
        assert errors[1]["data"][0]["field"] == "external_id"
        assert errors[2]["data"][0]["field"] == "idempotency_key"
        unknown = await node.call("workflow.result", {"request_id": 999})
        assert unknown["error"]["data"][0]["field"] == "request_id"

    async def test_a_result_robot_with_malformed_values_is_refused_and_nothing_stored(
        self, stack: Stack
    ) -> None:
        node = await steps.add(stack, "erp")
        await deal_of_order(stack, node)
        first = await node.call("workflow.start", start_params())
        await stack.worker.run_until_idle()
        workflow_id = (await stack.ctl("GET", "/workflows"))["workflows"][0]["ID"]
        body = {"properties": {"values": "{not json"}}
        answer = await stack.ctl("POST", f"/workflows/{workflow_id}/finish", json=body)
        assert answer["status_code"] == 400
        await stack.worker.run_until_idle()
        still = await node.call("workflow.result", {"request_id": first["result"]["request_id"]})
        assert still["result"]["status"] == "started"


class TestPushedResult:
    async def test_a_push_node_receives_the_result_at_its_url(self, database_url: str) -> None:
        pushed: list[dict[str, Any]] = []
        receiver = FastAPI()

        @receiver.post("/changes")
        async def take(request: Request) -> Response:
            pushed.extend((await request.json())["params"]["changes"])
            return Response(status_code=204)

        port = free_port()
        async with serve(receiver, port), live_stack(database_url) as stack:
            await stack.install()
            node = await steps.add(stack, "erp", push_url=f"http://127.0.0.1:{port}/changes")
            await deal_of_order(stack, node)
            await node.call("workflow.start", start_params())
            await stack.worker.run_until_idle()
            workflow_id = (await stack.ctl("GET", "/workflows"))["workflows"][0]["ID"]
            await finish(stack, workflow_id, values='{"approved": "Y"}')
            await stack.worker.run_until_idle()
        results = [c for c in pushed if c.get("event") == "workflow.result"]
        assert len(results) == 1 and results[0]["values"] == {"approved": "Y"}
