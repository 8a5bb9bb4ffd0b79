"""The document model both doors speak: orders and counterparties, validated by pydantic.

Money and quantities are ``Decimal`` (never float); a JSON number or string is accepted
and kept exact. ``dedupe_key`` is the cross-node key of an order (PRODUCT §3.10).
"""

import hashlib
import json
from datetime import date as Date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
Amount = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=4)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Counterparty(Strict):
    external_id: str | None = None
    name: Text
    inn: str | None = Field(default=None, pattern=r"^\d{10}(\d{2})?$")
    kpp: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=255)

    @property
    def is_company(self) -> bool:
        return bool(self.inn)

    @property
    def identity(self) -> str:
        return self.inn or self.phone or self.email or self.external_id or self.name


class OrderRow(Strict):
    code: Text
    article: str | None = None
    name: Text
    price: Amount
    quantity: Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=4)]


class OrderDocument(Strict):
    external_id: Text
    number: Text
    date: Date
    site_number: str | None = None
    currency: str = "RUB"
    amount: Amount | None = None
    comment: str = Field(default="", max_length=4000)
    counterparty: Counterparty | None = None
    rows: list[OrderRow] = Field(min_length=1, max_length=500)
    properties: dict[str, str] = Field(default_factory=dict)
    responsible_code: str | None = None
    cancelled: bool = False


class CounterpartyDocument(Strict):
    counterparty: Counterparty


def content_hash(document: BaseModel) -> str:
    canonical = json.dumps(document.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def dedupe_key(order: OrderDocument, *, rule: str, node_id: int) -> str:
    """site_or_number: the originating site's order number + date, else number + date +
    counterparty; number_date: number + date; external_id: no cross-node dedupe."""
    if rule == "external_id":
        key = f"node:{node_id}:{order.external_id}"
    elif rule == "number_date":
        key = f"num:{order.number}:{order.date.isoformat()}"
    elif order.site_number:
        key = f"site:{order.site_number}:{order.date.isoformat()}"
    else:
        who = order.counterparty.identity if order.counterparty else ""
        key = f"num:{order.number}:{order.date.isoformat()}:{who}"
    if len(key) > 200:
        key = "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    return key


def error_paths(exc: ValidationError) -> list[dict[str, Any]]:
    """Field paths and reasons, e.g. ``rows.0.price``: the readable part of a refusal."""
    return [
        {"field": ".".join(str(part) for part in error["loc"]), "reason": error["msg"]}
        for error in exc.errors(include_url=False)
    ]


def describe(errors: list[dict[str, Any]]) -> str:
    joined = "; ".join(f"{e['field']}: {e['reason']}" for e in errors)
    return f"Документ отклонён, исправьте поля: {joined}. / Document refused, fix: {joined}."
