"""Business processes started from outside (PRODUCT §3.10): ``workflow.start`` →
``bizproc.workflow.start`` on the deal, the result returned when the workflow ends.

Trigger: a node's ``workflow.start`` stores a request keyed by (node, the caller's
idempotency key) and arms one ``exchange_workflow`` job in the same transaction
(``workflow_start`` runs it). The end: the template's last step is the app's robot
«b24bridge: вернуть результат во внешнюю систему»; Bitrix24 calls it with the workflow's id,
the robot job stores a report once per workflow id (``record_report``) and settles the
request that started that workflow. Effect: the request turns ``finished``/``failed`` with
the returned values, and one outbox entry goes to the requesting node (pulled by
``changes.pull`` or pushed to its URL). Idempotency: a repeated key is the same request;
a report arriving before the start job recorded the workflow id waits in its table and is
settled when the id is recorded; a request is settled (and its outbox entry written) once.
"""

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import queue
from app.core.db import unit_of_work
from app.core.models import ExchangeNode, ExchangeWorkflow, ExchangeWorkflowReport, Portal
from app.core.models.base import utc_now
from app.core.outcome import Outcome
from app.core.upsert import insert_for
from automations.exchange import outbox
from automations.ports import Deps

PENDING, STARTED, FINISHED, FAILED = "pending", "started", "finished", "failed"
REPORTED = (FINISHED, FAILED)
RESULT_ROBOT = "b24bridge_workflow_result"


@dataclass(frozen=True)
class StartRequest:
    idempotency_key: str
    template_id: int
    parameters: dict[str, Any]
    deal_id: int | None = None
    order_id: int | None = None

    def same_as(self, stored: ExchangeWorkflow) -> bool:
        return (stored.template_id, stored.parameters, stored.deal_id, stored.order_id) == (
            self.template_id,
            self.parameters,
            self.deal_id,
            self.order_id,
        )


async def find_request(
    session: AsyncSession, node_id: int, *, key: str | None = None, request_id: int | None = None
) -> ExchangeWorkflow | None:
    query = select(ExchangeWorkflow).where(ExchangeWorkflow.node_id == node_id)
    if key is not None:
        query = query.where(ExchangeWorkflow.idempotency_key == key)
    if request_id is not None:
        query = query.where(ExchangeWorkflow.id == request_id)
    found: ExchangeWorkflow | None = await session.scalar(query)
    return found


async def store_request(
    session: AsyncSession, node: ExchangeNode, start: StartRequest
) -> ExchangeWorkflow:
    """The stored request (a new one armed; a repeated key answers the first, unchanged)."""
    inserted = await session.execute(
        insert_for(session, ExchangeWorkflow)
        .values(
            member_id=node.member_id,
            node_id=node.id,
            idempotency_key=start.idempotency_key,
            order_id=start.order_id,
            deal_id=start.deal_id,
            template_id=start.template_id,
            parameters=start.parameters,
            status=PENDING,
            values={},
            message="",
            created_at=utc_now(),
            updated_at=utc_now(),
        )
        .on_conflict_do_nothing(index_elements=["node_id", "idempotency_key"])
    )
    stored = await find_request(session, node.id or 0, key=start.idempotency_key)
    assert stored is not None
    if getattr(inserted, "rowcount", 0):
        await queue.arm_exchange_workflow(session, node.member_id, stored.id or 0)
    return stored


def as_result(request: ExchangeWorkflow) -> dict[str, Any]:
    return {
        "request_id": request.id,
        "idempotency_key": request.idempotency_key,
        "status": request.status,
        "workflow_id": request.workflow_id,
        "deal_id": request.deal_id,
        "template_id": request.template_id,
        "values": request.values,
        "message": request.message,
    }


async def settle(session: AsyncSession, request: ExchangeWorkflow) -> bool:
    """Copy the workflow's report onto the request once and tell the requesting node."""
    if request.status in REPORTED or not request.workflow_id:
        return False
    report = await session.scalar(
        select(ExchangeWorkflowReport).where(
            ExchangeWorkflowReport.member_id == request.member_id,
            ExchangeWorkflowReport.workflow_id == request.workflow_id,
        )
    )
    if report is None:
        return False
    request.status, request.values, request.message = report.status, report.values, report.message
    request.updated_at = utc_now()
    node = await session.get(ExchangeNode, request.node_id)
    if node is not None:
        change = {"event": "workflow.result", **as_result(request)}
        outbox.enqueue(session, [node], request.deal_id or report.deal_id, change)
        if node.push_url:
            await queue.arm_exchange_push(session, node.member_id, node.id or 0)
    return True


@dataclass(frozen=True)
class Report:
    workflow_id: str
    deal_id: int
    status: str
    values: dict[str, Any]
    message: str


async def record_report(session: AsyncSession, member_id: str, report: Report) -> bool:
    """Store the report once per workflow id; True when it settled a request now."""
    await session.execute(
        insert_for(session, ExchangeWorkflowReport)
        .values(
            member_id=member_id,
            workflow_id=report.workflow_id,
            deal_id=report.deal_id,
            status=report.status,
            values=report.values,
            message=report.message[:1000],
            created_at=utc_now(),
        )
        .on_conflict_do_nothing(index_elements=["member_id", "workflow_id"])
    )
    request = await session.scalar(
        select(ExchangeWorkflow).where(
            ExchangeWorkflow.member_id == member_id,
            ExchangeWorkflow.workflow_id == report.workflow_id,
        )
    )
    return request is not None and await settle(session, request)


async def workflow_result_action(
    deps: Deps, portal: Portal, deal_id: int, params: dict[str, Any]
) -> Outcome:
    """The result robot's action: the report is kept and handed to the caller's request."""
    report = Report(
        workflow_id=str(params["workflow_id"]),
        deal_id=deal_id,
        status=str(params.get("status") or FINISHED),
        values=dict(json.loads(str(params.get("values") or "{}"))),
        message=str(params.get("message") or ""),
    )
    async with unit_of_work(deps.sessions) as session:
        settled = await record_report(session, portal.member_id, report)
    if settled:
        return Outcome.done("результат передан во внешнюю систему")
    return Outcome.done(
        "результат сохранён; внешний запрос этого процесса ещё не записан или процесс "
        "запущен не из внешней системы"
    )
