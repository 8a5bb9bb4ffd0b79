"""The JSON-RPC methods of a node, bound to one request's transaction and feed row."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.models import ExchangeDocument, ExchangeFeed, ExchangeNode
from app.core.models.base import utc_now
from automations.exchange import intake, outbox
from automations.exchange.documents import error_paths
from automations.exchange.promo import PromoCode
from webhooks.exchange.jsonrpc import INTERNAL_ERROR, INVALID_PARAMS, Method, RpcError

P = TypeVar("P", bound=BaseModel)


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OrderParams(Params):
    order: dict[str, Any]


class CounterpartyParams(Params):
    counterparty: dict[str, Any]


class StatusParams(Params):
    external_id: str = Field(min_length=1)
    kind: str = Field(default="order", pattern="^(order|counterparty)$")


class PullParams(Params):
    cursor: int = Field(default=0, ge=0)
    limit: int = Field(default=100, ge=1, le=outbox.MAX_PULL)


class AckParams(Params):
    cursor: int = Field(ge=0)


class NoParams(Params):
    pass


class PromoParams(Params):
    valid_on: date | None = None
    all: bool = False


PromoReader = Callable[[], Awaitable[list[PromoCode]]]


def params_of(model: type[P], raw: dict[str, Any]) -> P:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise invalid_params(error_paths(exc)) from exc


def invalid_params(errors: list[dict[str, Any]], prefix: str = "") -> RpcError:
    data = [{**e, "field": f"{prefix}{e['field']}" if prefix else e["field"]} for e in errors]
    listed = "; ".join(f"{e['field']}: {e['reason']}" for e in data)
    return RpcError(
        INVALID_PARAMS,
        f"Неверные параметры, исправьте: {listed}. / Invalid params: {listed}.",
        data,
    )


@dataclass
class NodeMethods:
    session: AsyncSession
    node: ExchangeNode
    feed: ExchangeFeed
    promo_codes: PromoReader | None = None

    def table(self) -> dict[str, Method]:
        return {
            "node.ping": self.ping,
            "order.upsert": self.order_upsert,
            "order.status": self.order_status,
            "counterparty.upsert": self.counterparty_upsert,
            "changes.pull": self.changes_pull,
            "changes.ack": self.changes_ack,
            "promo_codes.list": self.promo_codes_list,
        }

    async def ping(self, raw: dict[str, Any]) -> dict[str, Any]:
        params_of(NoParams, raw)
        node = self.node
        return {"node": node.name, "kind": node.kind, "direction": node.direction,
                "time": utc_now().isoformat()}  # fmt: skip

    async def order_upsert(self, raw: dict[str, Any]) -> dict[str, Any]:
        params = params_of(OrderParams, raw)
        received = await intake.accept_order(self.session, self.node, self.feed, params.order)
        return self._answer(received, "order.")

    async def counterparty_upsert(self, raw: dict[str, Any]) -> dict[str, Any]:
        params = params_of(CounterpartyParams, raw)
        received = await intake.accept_counterparty(
            self.session, self.node, self.feed, params.counterparty
        )
        return self._answer(received, "")  # the paths already start with counterparty.

    def _answer(self, received: intake.Received, prefix: str) -> dict[str, Any]:
        intake.record(self.feed, [received])
        if received.state == intake.REFUSED:
            raise invalid_params(received.errors, prefix)
        return received.as_dict()

    async def order_status(self, raw: dict[str, Any]) -> dict[str, Any]:
        params = params_of(StatusParams, raw)
        document = await self.session.scalar(
            select(ExchangeDocument).where(
                ExchangeDocument.node_id == self.node.id,
                ExchangeDocument.kind == params.kind,
                ExchangeDocument.external_id == params.external_id,
            )
        )
        if document is None:
            raise invalid_params(
                [{"field": "external_id", "reason": "документ не найден / no such document"}]
            )
        return {"external_id": document.external_id, "status": document.status, **document.result}

    async def changes_pull(self, raw: dict[str, Any]) -> dict[str, Any]:
        params = params_of(PullParams, raw)
        entries = await outbox.pending(
            self.session, self.node.id or 0, after=params.cursor, limit=params.limit
        )
        changes = [outbox.as_change(entry) for entry in entries]
        cursor = changes[-1]["cursor"] if changes else params.cursor
        return {"changes": changes, "cursor": cursor}

    async def changes_ack(self, raw: dict[str, Any]) -> dict[str, Any]:
        params = params_of(AckParams, raw)
        count = await outbox.acknowledge(self.session, self.node.id or 0, params.cursor)
        return {"acknowledged": count, "cursor": params.cursor}

    async def promo_codes_list(self, raw: dict[str, Any]) -> dict[str, Any]:
        """The directory's codes valid on ``valid_on`` (today by default), or ``all``."""
        params = params_of(PromoParams, raw)
        if self.promo_codes is None:
            raise RpcError(
                INTERNAL_ERROR, "Портал узла не установлен. / The node's portal is not installed."
            )
        day = params.valid_on or utc_now().date()
        codes = [c for c in await self.promo_codes() if params.all or c.is_valid_on(day)]
        return {"valid_on": day.isoformat(), "promo_codes": [c.as_dict() for c in codes]}
