"""The tab's data: open (lines + progress), save a buyer's entry, list lines.

A buyer's entry is committed with its ``sync_deal`` job in one transaction — it is
durable before the answer, and the worker then applies rule 3 (stage moves and
notifications). Every lookup is scoped by the portal of the view token (S13).
"""

import time
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import queue
from app.core.config import Settings
from app.core.errors import BadRequest, NotFound
from app.core.models import Portal, ProcurementLink
from app.web.frame.view_token import DEFAULT_TTL_SECONDS, ViewClaims, issue
from app.web.tab.page import LinePage, TabPage
from automations.procurement import repository as procurement
from automations.procurement.messages import CATALOGUE, render
from automations.procurement.model import Line, LineStatus, SearchData
from automations.procurement.search import EntryRejected, apply_search_entry, search_progress

API_BASE = "/tab/api"
TEXT_LIMITS = {
    "supplier": 255,
    "supplier_url": 1024,
    "currency": 8,
    "photo_url": 1024,
    "comment": 2000,
    "replacement_note": 1000,
}
INT_FIELDS = ("moq", "lead_time_days")
MAX_INT = 10**9


def line_page(line: Line) -> LinePage:
    search = line.search
    return LinePage(
        id=line.line_id or 0,
        position=line.position,
        name=line.name,
        quantity=line.quantity,
        status=line.status.value,
        supplier=search.supplier,
        supplier_url=search.supplier_url,
        unit_price=search.unit_price,
        currency=search.currency,
        moq=search.moq,
        lead_time_days=search.lead_time_days,
        photo_url=search.photo_url,
        comment=search.comment,
        replacement_note=search.replacement_note,
    )


async def find_entity_link(
    session: AsyncSession, member_id: str, kind: str, entity_id: int
) -> ProcurementLink | None:
    if kind == "deal":
        return await procurement.find_link(session, member_id, entity_id)
    return await procurement.find_link_by_card(session, member_id, entity_id)


async def load_lines(session: AsyncSession, link: ProcurementLink | None) -> tuple[Line, ...]:
    if link is None or link.id is None:
        return ()
    return tuple(
        procurement.to_line(row)
        for row in await procurement.list_lines(session, link.member_id, link.id)
    )


async def open_tab(
    session: AsyncSession, settings: Settings, portal: Portal, claims: ViewClaims
) -> TabPage:
    link = await find_entity_link(session, portal.member_id, claims.entity_kind, claims.entity_id)
    lines = await load_lines(session, link)
    if link is not None:  # product-row edits fire no event: re-read the deal whenever the tab opens
        await queue.arm_deal_sync(session, portal.member_id, link.deal_id)
    found, active = search_progress(lines)
    return TabPage(
        entity_kind=claims.entity_kind,
        entity_id=claims.entity_id,
        deal_id=link.deal_id if link else (claims.entity_id if claims.entity_kind == "deal" else 0),
        card_id=link.card_id if link else None,
        title="",
        lang=claims.lang,
        lines=tuple(line_page(line) for line in lines),
        found=found,
        active=active,
        view_token=issue(claims, settings.secret_key.get_secret_value()),
        api_base=API_BASE,
        portal_origin=portal.client_endpoint.removesuffix("/").removesuffix("/rest"),
        notice=""
        if link
        else (
            "The deal has not been passed to search yet"
            if claims.lang == "en"
            else "Сделка ещё не передана в поиск"
        ),
    )


def new_claims(portal: Portal, *, user_id: int, kind: str, entity_id: int, lang: str) -> ViewClaims:
    return ViewClaims(
        member_id=portal.member_id,
        user_id=user_id,
        entity_kind=kind,
        entity_id=entity_id,
        expires_at=int(time.time()) + DEFAULT_TTL_SECONDS,
        lang="en" if lang == "en" else "ru",
    )


async def deal_of(session: AsyncSession, claims: ViewClaims) -> int:
    """The sales deal behind the tab (the card tab's deal comes from the link table)."""
    if claims.entity_kind == "deal":
        return claims.entity_id
    link = await procurement.find_link_by_card(session, claims.member_id, claims.entity_id)
    if link is None:
        raise NotFound("this procurement card is not linked to a deal")
    return link.deal_id


async def list_lines(session: AsyncSession, claims: ViewClaims) -> dict[str, Any]:
    link = await find_entity_link(session, claims.member_id, claims.entity_kind, claims.entity_id)
    lines = await load_lines(session, link)
    found, active = search_progress(lines)
    return {"lines": [line_page(line) for line in lines], "found": found, "active": active}


async def save_entry(
    session: AsyncSession, claims: ViewClaims, line_id: int, changes: dict[str, Any]
) -> dict[str, Any]:
    link = await find_entity_link(session, claims.member_id, claims.entity_kind, claims.entity_id)
    lines = await load_lines(session, link)
    current = next((line for line in lines if line.line_id == line_id), None)
    if link is None or current is None:
        raise NotFound(f"line {line_id} is not in this card")
    status, search = parse_changes(current, changes)
    updated = apply_search_entry(lines, line_id, status, search)
    if isinstance(updated, EntryRejected):
        raise BadRequest(_rejection_text(updated, claims.lang))
    await procurement.save_lines(session, link, updated)
    await queue.arm_deal_sync(session, claims.member_id, link.deal_id)
    found, active = search_progress(updated)
    saved = next(line for line in updated if line.line_id == line_id)
    return {"line": line_page(saved), "found": found, "active": active}


def _rejection_text(rejected: EntryRejected, lang: str) -> str:
    key = rejected.problem.value
    return render(key, lang) if key in CATALOGUE else key


def parse_changes(current: Line, changes: dict[str, Any]) -> tuple[LineStatus, SearchData]:
    allowed = set(TEXT_LIMITS) | set(INT_FIELDS) | {"status", "unit_price"}
    unknown = set(changes) - allowed
    if unknown:
        raise BadRequest(f"unknown field(s): {', '.join(sorted(unknown))}")
    search = current.search
    values: dict[str, Any] = {}
    for name, limit in TEXT_LIMITS.items():
        if name in changes:
            values[name] = _text(changes[name], name, limit)
    for name in INT_FIELDS:
        if name in changes:
            values[name] = _int(changes[name], name)
    if "unit_price" in changes:
        values["unit_price"] = _price(changes["unit_price"])
    return _status(changes.get("status", current.status.value)), replace(search, **values)


def _text(value: Any, name: str, limit: int) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise BadRequest(f"{name} must be text of at most {limit} characters")
    return value.strip()


def _int(value: Any, name: str) -> int | None:
    if value in (None, ""):
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | str)
        or not str(value).isdigit()
        or int(value) > MAX_INT
    ):
        raise BadRequest(f"{name} must be a whole number ≥ 0")
    return int(value)


def _price(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        price = Decimal(str(value).replace(",", "."))
    except InvalidOperation as exc:
        raise BadRequest("unit_price must be a number") from exc
    if not price.is_finite() or price < 0 or price >= Decimal(10) ** 15:
        raise BadRequest("unit_price must be a non-negative amount")
    return price.quantize(Decimal("0.01"))


def _status(value: Any) -> LineStatus:
    try:
        return LineStatus(str(value))
    except ValueError as exc:
        raise BadRequest(f"unknown status {str(value)[:40]!r}") from exc
