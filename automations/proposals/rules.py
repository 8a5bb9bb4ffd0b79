"""Build a proposal's content from the deal and its procurement lines: pure, ``today`` passed in.

Goods are the **found** lines (and found replacements), in the deal's order. A line's unit
price is its supplier's price converted to roubles at the portal's rate (rounded to the
kopeck; the rate is shown), or, without a supplier price, the deal row's price before
discount. Services are the deal's service rows at their price before discount. The deal's
own per-unit discounts stay with their rows, and the total is the deal arithmetic of
``automations.pricing`` over those rows (``deal_total``); the discount shown is exactly
what makes goods + services − discount equal that total.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from automations.pricing import ProductRow, deal_total
from automations.pricing.money import round_money
from automations.pricing.row_prices import brutto_from_netto
from automations.procurement.model import Line, LineStatus
from automations.proposals.content import (
    Company,
    GoodsLine,
    ProposalContent,
    ServiceLine,
    Totals,
)
from automations.proposals.deal_facts import DealFacts
from automations.proposals.options import TEMPLATES, ProposalOptions
from connectors.crm.schemas import ProductRowRecord

SHOWN = (LineStatus.FOUND, LineStatus.REPLACEMENT)
ZERO = Decimal(0)


@dataclass(frozen=True)
class Problem:
    """Why no proposal is made: ``key`` of ``messages`` and its parameters."""

    key: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Priced:
    line: GoodsLine | ServiceLine
    row: ProductRow


def shown_lines(lines: Sequence[Line]) -> tuple[Line, ...]:
    return tuple(line for line in lines if line.status in SHOWN)


def check_request(template: str, lines: Sequence[Line]) -> Problem | None:
    if template not in TEMPLATES:
        return Problem("template_unknown", {"template": template[:40]})
    if not shown_lines(lines):
        return Problem("no_found_lines")
    return None


def check_rates(lines: Sequence[Line], options: ProposalOptions) -> Problem | None:
    """The first shown line priced in a currency the settings have no rate for."""
    for line in shown_lines(lines):
        currency = (line.search.currency or "RUB").upper()
        priced = line.search.unit_price is not None
        if priced and currency != "RUB" and currency not in options.rates:
            return Problem("rate_missing", {"currency": currency, "line": line.name})
    return None


def build_content(
    facts: DealFacts,
    lines: Sequence[Line],
    options: ProposalOptions,
    *,
    template: str,
    links: dict[str, str],
    service_ids: set[int],
) -> ProposalContent | Problem:
    """``links`` maps supplier URLs to their short links."""
    problem = check_request(template, lines)
    if problem is not None:
        return problem
    goods = _priced_goods(facts.rows, shown_lines(lines), options, links)
    if isinstance(goods, Problem):
        return goods
    services = [_priced_service(row) for row in facts.rows if row.product_id in service_ids]
    return ProposalContent(
        template=template,
        deal_id=facts.deal.id,
        deal_title=facts.deal.title,
        deal_date=str(facts.deal.fields.get("DATE_CREATE") or "")[:10],
        client_name=facts.client_name,
        previous_orders=facts.previous_orders,
        company=Company(
            options.company_name,
            tuple(t for t in options.company_requisites.splitlines() if t.strip()),
            options.logo_url,
        ),
        lines=tuple(p.line for p in goods if isinstance(p.line, GoodsLine)),
        services=tuple(p.line for p in services if isinstance(p.line, ServiceLine)),
        rates=_rates_used(goods),
        totals=_totals(goods, services),
        manager_name=facts.manager_name,
        manager_phone=facts.manager_phone or options.manager_phone,
    )


def _rates_used(goods: Sequence[Priced]) -> tuple[tuple[str, Decimal], ...]:
    used = {
        (p.line.currency, p.line.rate)
        for p in goods
        if isinstance(p.line, GoodsLine) and p.line.rate is not None
    }
    return tuple(sorted((currency, rate) for currency, rate in used if rate is not None))


def _priced_goods(
    rows: Sequence[ProductRowRecord],
    lines: Sequence[Line],
    options: ProposalOptions,
    links: dict[str, str],
) -> list[Priced] | Problem:
    priced = []
    for number, line in enumerate(lines, start=1):
        item = _priced_line(number, line, _row_of(line, rows), options, links)
        if isinstance(item, Problem):
            return item
        priced.append(item)
    return priced


def _row_of(line: Line, rows: Sequence[ProductRowRecord]) -> ProductRowRecord | None:
    by_id = next((row for row in rows if line.row_id and row.id == line.row_id), None)
    return by_id or next((row for row in rows if row.product_id == line.product_id), None)


def _priced_line(
    number: int,
    line: Line,
    row: ProductRowRecord | None,
    options: ProposalOptions,
    links: dict[str, str],
) -> Priced | Problem:
    search = line.search
    currency = (search.currency or "RUB").upper()
    rate = None if currency == "RUB" or search.unit_price is None else options.rates.get(currency)
    if search.unit_price is not None and currency != "RUB" and rate is None:
        return Problem("rate_missing", {"currency": currency, "line": line.name})
    if search.unit_price is None:
        unit = _list_price(row) if row else ZERO
    else:
        unit = round_money(search.unit_price * (rate or 1))
    goods = GoodsLine(
        number=number,
        name=line.name,
        quantity=line.quantity,
        unit_price=unit,
        total=round_money(unit * line.quantity),
        supplier=search.supplier,
        link=links.get(search.supplier_url, ""),
        photo_url=search.photo_url,
        supplier_price=search.unit_price if rate is not None else None,
        currency=currency if rate is not None else "RUB",
        rate=rate,
        replacement=search.replacement_note if line.status is LineStatus.REPLACEMENT else "",
        comment=search.comment,
    )
    return Priced(goods, _pricing_row(unit, line.quantity, row))


def _list_price(row: ProductRowRecord) -> Decimal:
    """The row's unit price before discount, tax included, as Bitrix24 shows it."""
    return max(brutto_from_netto(row.price_netto, row.tax_rate), row.price)


def _pricing_row(unit: Decimal, quantity: Decimal, row: ProductRowRecord | None) -> ProductRow:
    discount = _list_price(row) - row.price if row else ZERO
    return ProductRow(
        product_id=row.product_id or 0 if row else 0,
        name="",
        price_brutto=unit,
        price=max(unit - discount, ZERO),
        quantity=quantity,
    )


def _priced_service(row: ProductRowRecord) -> Priced:
    unit = _list_price(row)
    service = ServiceLine(row.name, row.quantity, unit, round_money(unit * row.quantity))
    return Priced(service, _pricing_row(unit, row.quantity, row))


def _totals(goods: Sequence[Priced], services: Sequence[Priced]) -> Totals:
    goods_sum = sum((p.line.total for p in goods), ZERO)
    services_sum = sum((p.line.total for p in services), ZERO)
    total = deal_total([p.row for p in [*goods, *services]])
    return Totals(goods_sum, services_sum, goods_sum + services_sum - total, total)
