"""``POST /exchange/rpc``: bearer token of a node → the JSON-RPC request or batch, archived
and applied in one transaction that commits before the answer."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import portal_store
from app.core.context import AppContext
from app.core.http_deps import ContextDep
from app.core.models import ExchangeNode
from app.core.uow import in_transaction
from app.portals.clients import portal_clients
from automations.exchange import nodes
from automations.exchange.credentials import split_bearer
from automations.exchange.intake import open_feed
from automations.exchange.promo import read_promo_codes
from webhooks.bitrix24.body import read_body
from webhooks.exchange.jsonrpc import (
    INVALID_REQUEST,
    UNAUTHORIZED,
    RpcError,
    dispatch,
    error_response,
    parse_body,
)
from webhooks.exchange.rpc_methods import NodeMethods, PromoReader
from webhooks.exchange.rpc_workflows import workflow_methods

router = APIRouter(prefix="/exchange", tags=["exchange gateway"])

_UNAUTHORIZED = RpcError(
    UNAUTHORIZED,
    "Нет доступа: передайте заголовок «Authorization: Bearer <логин>.<секрет>» действующего "
    "узла обмена. / Unauthorized: send the bearer token of an enabled exchange node.",
)


async def rpc_node(context: Any, request: Request) -> ExchangeNode | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    login, secret = split_bearer(token.strip())
    async with context.sessions() as session:
        node = await nodes.authenticate(session, login, secret)
    return node if node is not None and node.kind == "rpc" else None


_EXAMPLES = {
    "ping": {"value": {"jsonrpc": "2.0", "id": 1, "method": "node.ping"}},
    "order": {
        "value": {
            "jsonrpc": "2.0", "id": 2, "method": "order.upsert",
            "params": {"order": {
                "external_id": "b2b-10045", "number": "10045", "date": "2026-12-01",
                "site_number": "S-77",
                "counterparty": {"name": "ООО Ромашка", "inn": "7701234567"},
                "rows": [{"code": "1c-guid", "article": "ART-001", "name": "Фара",
                          "price": "12500.00", "quantity": "2"}],
                "properties": {"bonus_card": "BC-1"},
            }},
        }
    },
    "batch": {
        "value": [
            {"jsonrpc": "2.0", "id": 3, "method": "changes.pull", "params": {"cursor": 0}},
            {"jsonrpc": "2.0", "id": 4, "method": "changes.ack", "params": {"cursor": 17}},
            {"jsonrpc": "2.0", "id": 5, "method": "promo_codes.list"},
        ]
    },
    "workflow_start": {
        "value": {
            "jsonrpc": "2.0", "id": 6, "method": "workflow.start",
            "params": {"idempotency_key": "erp-approve-10045", "external_id": "b2b-10045",
                       "template_id": 12, "parameters": {"approver": "user_14", "limit": 50000}},
        }
    },
    "workflow_result": {
        "value": {"jsonrpc": "2.0", "id": 7, "method": "workflow.result",
                  "params": {"request_id": 31}},
    },
}  # fmt: skip
_OPENAPI = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {}, "examples": _EXAMPLES}},
    }
}


@router.post("/rpc", response_model=None, openapi_extra=_OPENAPI)
async def rpc(request: Request, context: ContextDep) -> Response:
    """JSON-RPC 2.0 for B2B portals and ERPs: ``Authorization: Bearer <login>.<password>``;
    methods node.ping, order.upsert, order.status, counterparty.upsert, changes.pull,
    changes.ack, promo_codes.list, workflow.start, workflow.result (parameters and answers: README «Exchange gateway»)."""
    node = await rpc_node(context, request)
    if node is None:
        return JSONResponse(error_response(_UNAUTHORIZED), status_code=401)
    body = await read_body(request)

    async def work(session: AsyncSession) -> Any:
        reader = await _promo_reader(context, session, node)
        return await _answer(session, node, body, request.headers.get("content-type", ""), reader)

    answer = await in_transaction(context, work)
    if answer is None:
        return Response(status_code=204)
    return JSONResponse(answer)


async def _promo_reader(
    context: AppContext, session: AsyncSession, node: ExchangeNode
) -> PromoReader | None:
    portal = await portal_store.find_active_portal(session, node.member_id)
    if portal is None:
        return None
    client = portal_clients(context).for_portal(portal)
    return lambda: read_promo_codes(client)


async def _answer(
    session: AsyncSession,
    node: ExchangeNode,
    body: bytes,
    content_type: str,
    promo_codes: PromoReader | None = None,
) -> Any:
    feed = await open_feed(
        session, node, door="rpc", operation="rpc", body=body, content_type=content_type
    )
    try:
        raw = parse_body(body)
    except RpcError as error:
        feed.errors = [error.message]
        return error_response(error)
    methods = NodeMethods(session, node, feed, promo_codes).table()
    methods |= workflow_methods(session, node)
    if isinstance(raw, list):
        feed.operation = "rpc batch"
        if not raw:
            empty = RpcError(INVALID_REQUEST, "Пустой пакет запросов. / Empty batch.")
            feed.errors = [empty.message]
            return error_response(empty)
        answers = [await dispatch(item, methods) for item in raw]
        return [a for a in answers if a is not None] or None
    if isinstance(raw, dict) and isinstance(raw.get("method"), str):
        feed.operation = raw["method"][:64]
    return await dispatch(raw, methods)
