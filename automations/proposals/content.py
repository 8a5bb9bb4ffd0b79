"""What a proposal says: the content both templates and the PDF render, and its hash.

Amounts are roubles as ``Decimal`` (exact); a line priced by its supplier in another
currency keeps that price and the rate it was converted at, so the document can show both.
"""

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class GoodsLine:
    number: int
    name: str
    quantity: Decimal
    unit_price: Decimal
    total: Decimal
    supplier: str = ""
    link: str = ""
    photo_url: str = ""
    supplier_price: Decimal | None = None
    currency: str = "RUB"
    rate: Decimal | None = None
    replacement: str = ""
    comment: str = ""


@dataclass(frozen=True)
class ServiceLine:
    name: str
    quantity: Decimal
    unit_price: Decimal
    total: Decimal


@dataclass(frozen=True)
class Totals:
    goods: Decimal
    services: Decimal
    discount: Decimal
    total: Decimal


@dataclass(frozen=True)
class Company:
    name: str
    requisites: tuple[str, ...]
    logo_url: str


@dataclass(frozen=True)
class ProposalContent:
    template: str
    deal_id: int
    deal_title: str
    deal_date: str
    client_name: str
    previous_orders: int
    company: Company
    lines: tuple[GoodsLine, ...]
    services: tuple[ServiceLine, ...]
    rates: tuple[tuple[str, Decimal], ...]
    totals: Totals
    manager_name: str
    manager_phone: str


@dataclass(frozen=True)
class Issue:
    """One generated document: the content, its version and the day it is valid until."""

    content: ProposalContent
    version: int
    valid_until: date
    public_url: str
    pdf_url: str


def content_hash(content: ProposalContent) -> str:
    """The same content always hashes the same (the validity date is not content)."""
    text = json.dumps(asdict(content), sort_keys=True, ensure_ascii=False, default=_plain)
    return hashlib.sha256(text.encode()).hexdigest()


def _plain(value: Any) -> str:
    return str(value)
