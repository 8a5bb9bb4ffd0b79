"""The ``exchange_workflow`` job: one ``bizproc.workflow.start`` per stored request.

Trigger: ``workflow.start`` (``workflows.store_request``). Rule: the deal is the request's
own or, for an order sent by the node, the deal that order became (the job waits, by its
retries, until the order is written; a refused order fails the request). Effect: the workflow id and status ``started`` are
recorded; a report already waiting for that id settles the request at once. Idempotency:
``exchange:workflow:<request>`` is recorded ``started`` before the call and ``done`` with
the id after it. ``bizproc.workflow.start`` is not safe to repeat and Bitrix24 offers no
lookup by a caller's key, so a record left ``started`` by a crash mid-call (the outcome is
unknown) fails the request with that reason instead of risking a second process; a call
refused before execution (rate or operating limit) forgets the record and is retried.
"""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import effects, portal_store
from app.core.db import unit_of_work
from app.core.models import ExchangeDocument, ExchangeOrder, ExchangeWorkflow, Job
from app.core.models.base import utc_now
from automations.exchange.workflows import FAILED, PENDING, STARTED, settle
from automations.ports import Deps
from connectors.bitrix24 import (
    BadRequestError,
    NotFoundError,
    OperatingLimitError,
    PermissionDeniedError,
    Priority,
    RateLimitError,
)

DEAL_DOCUMENT = ("crm", "CCrmDocumentDeal")


class OrderNotWritten(Exception):
    """The order this workflow is for has no deal yet; the job retries with backoff."""


def effect_key(request_id: int) -> str:
    return f"exchange:workflow:{request_id}"


async def start_workflow(deps: Deps, job: Job) -> str:
    request_id = int(job.payload["request_id"])
    async with deps.sessions() as session:
        request = await session.get(ExchangeWorkflow, request_id)
        portal = await portal_store.find_active_portal(session, job.member_id)
        known = await effects.statuses(session, job.member_id, [effect_key(request_id)])
        deal_id = await _deal_of(session, request) if request is not None else None
    if request is None or portal is None or request.status != PENDING:
        return "nothing to start"
    if effect_key(request_id) in known:
        await _fail(deps, request_id, _UNKNOWN)
        return f"workflow request {request_id}: outcome of the earlier start unknown"
    if deal_id is None:
        return await _wait_for_order(deps, request)
    params = {
        "TEMPLATE_ID": request.template_id,
        "DOCUMENT_ID": [*DEAL_DOCUMENT, f"DEAL_{deal_id}"],
        "PARAMETERS": request.parameters,
    }
    async with unit_of_work(deps.sessions) as session:
        await effects.start(session, job.member_id, [(effect_key(request_id), "exchange_workflow")])
    client = deps.rest.for_portal(portal)
    try:
        workflow_id = await client.call("bizproc.workflow.start", params, priority=Priority.BULK)
    except (RateLimitError, OperatingLimitError):
        await _forget(deps, job.member_id, request_id)
        raise
    except (BadRequestError, NotFoundError, PermissionDeniedError) as exc:
        await _forget(deps, job.member_id, request_id)
        await _fail(deps, request_id, f"Битрикс24 отказал в запуске: {exc}. / Bitrix24 refused.")
        return f"workflow request {request_id}: refused by Bitrix24"
    await _started(deps, request_id, deal_id, str(workflow_id))
    return f"workflow request {request_id}: workflow {workflow_id} on deal {deal_id}"


_UNKNOWN = (
    "Неизвестно, запустился ли процесс: прошлая попытка прервалась во время вызова. "
    "Проверьте бизнес-процессы сделки и при необходимости отправьте workflow.start с новым "
    "ключом. / The earlier start attempt was interrupted mid-call; check the deal's workflows."
)


async def _deal_of(session: AsyncSession, request: ExchangeWorkflow) -> int | None:
    if request.deal_id is not None or request.order_id is None:
        return request.deal_id
    order = await session.get(ExchangeOrder, request.order_id)
    return order.deal_id if order is not None else None


async def _wait_for_order(deps: Deps, request: ExchangeWorkflow) -> str:
    """Retry while the order may still become a deal; fail when it was refused."""
    async with deps.sessions() as session:
        pending = await session.scalar(
            select(ExchangeDocument.id).where(
                ExchangeDocument.order_id == request.order_id,
                ExchangeDocument.status == "pending",
            )
        )
    if pending is not None:
        raise OrderNotWritten(f"workflow request {request.id}: the order has no deal yet")
    await _fail(deps, request.id or 0, _NO_DEAL)
    return f"workflow request {request.id}: the order was not written"


_NO_DEAL = (
    "Заказ не записан в сделку (он отклонён — см. order.status), процесс не запущен. / "
    "The order was not written to a deal; the workflow was not started."
)


async def _forget(deps: Deps, member_id: str, request_id: int) -> None:
    async with unit_of_work(deps.sessions) as session:
        await effects.forget(session, member_id, [effect_key(request_id)])


async def _fail(deps: Deps, request_id: int, message: str) -> None:
    async with unit_of_work(deps.sessions) as session:
        request = await session.get(ExchangeWorkflow, request_id)
        if request is not None and request.status == PENDING:
            request.status, request.message, request.updated_at = FAILED, message, utc_now()


async def _started(deps: Deps, request_id: int, deal_id: int, workflow_id: str) -> None:
    async with unit_of_work(deps.sessions) as session:
        request = await session.get(ExchangeWorkflow, request_id)
        assert request is not None
        request.workflow_id, request.deal_id, request.status = workflow_id, deal_id, STARTED
        request.updated_at = utc_now()
        await effects.finish(
            session, request.member_id, effect_key(request_id), result={"workflow_id": workflow_id}
        )
        await settle(session, request)
