"""``workflow.start`` and ``workflow.result``: a node starts a business process on a deal
and reads its result (PRODUCT §3.10; the durable part is ``automations.exchange.workflows``).

The answer to ``workflow.start`` is the stored request (``status`` pending), never a
workflow id: the REST call runs in a job, so a portal outage delays the start instead of
failing the caller, and the same ``idempotency_key`` always answers the same request.
"""

from typing import Any

from pydantic import Field, model_validator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.models import ExchangeDocument, ExchangeNode
from automations.exchange import workflows
from webhooks.exchange.jsonrpc import Method, RpcError
from webhooks.exchange.rpc_methods import Params, invalid_params, params_of

Scalar = str | int | float | bool | None


class StartParams(Params):
    idempotency_key: str = Field(min_length=1, max_length=128)
    template_id: int = Field(ge=1)
    deal_id: int | None = Field(default=None, ge=1)
    external_id: str | None = Field(default=None, min_length=1, max_length=255)
    parameters: dict[str, Scalar | list[Scalar]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def one_deal(self) -> "StartParams":
        if (self.deal_id is None) == (self.external_id is None):
            raise ValueError(
                "укажите ровно одно из deal_id или external_id (заказ этого узла) / "
                "give exactly one of deal_id or external_id"
            )
        return self


class ResultParams(Params):
    request_id: int = Field(ge=1)


def workflow_methods(session: AsyncSession, node: ExchangeNode) -> dict[str, Method]:
    async def start(raw: dict[str, Any]) -> dict[str, Any]:
        return await workflow_start(session, node, raw)

    async def result(raw: dict[str, Any]) -> dict[str, Any]:
        return await workflow_result(session, node, raw)

    return {"workflow.start": start, "workflow.result": result}


async def workflow_start(
    session: AsyncSession, node: ExchangeNode, raw: dict[str, Any]
) -> dict[str, Any]:
    params = params_of(StartParams, raw)
    order_id = await _order_of(session, node, params.external_id) if params.external_id else None
    start = workflows.StartRequest(
        idempotency_key=params.idempotency_key, template_id=params.template_id,
        parameters=params.parameters, deal_id=params.deal_id, order_id=order_id,
    )  # fmt: skip
    stored = await workflows.store_request(session, node, start)
    if not start.same_as(stored):
        raise _reused_key(stored.id or 0)
    return workflows.as_result(stored)


async def workflow_result(
    session: AsyncSession, node: ExchangeNode, raw: dict[str, Any]
) -> dict[str, Any]:
    params = params_of(ResultParams, raw)
    found = await workflows.find_request(session, node.id or 0, request_id=params.request_id)
    if found is None:
        reason = "запрос не найден у этого узла / no such request of this node"
        raise invalid_params([{"field": "request_id", "reason": reason}])
    return workflows.as_result(found)


async def _order_of(session: AsyncSession, node: ExchangeNode, external_id: str) -> int:
    order_id = await session.scalar(
        select(ExchangeDocument.order_id).where(
            ExchangeDocument.node_id == node.id,
            ExchangeDocument.kind == "order",
            ExchangeDocument.external_id == external_id,
        )
    )
    if order_id is None:
        reason = (
            "заказ с таким external_id не присылался этим узлом: сначала order.upsert / "
            "no order with this external_id from this node"
        )
        raise invalid_params([{"field": "external_id", "reason": reason}])
    return int(order_id)


def _reused_key(request_id: int) -> RpcError:
    reason = (
        f"ключ уже использован запросом {request_id} с другими параметрами: для нового "
        f"запуска возьмите новый ключ / the key belongs to request {request_id} with other params"
    )
    return invalid_params([{"field": "idempotency_key", "reason": reason}])
