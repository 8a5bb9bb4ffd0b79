"""The tab's data: open (lines + progress), save a buyer's entry, list lines.

A buyer's entry is committed with its ``sync_deal`` job in one transaction — it is
durable before the answer, and the worker then applies rule 3 (stage moves and
notifications). Every lookup is scoped by the portal of the view token (S13).
"""

import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import queue
from app.core.config import Settings
from app.core.errors import BadRequest, NotFound
from app.core.models import Portal, ProcurementLink
from app.web.frame.view_token import DEFAULT_TTL_SECONDS, ViewClaims, issue
from app.web.tab.entry import parse_entry
from app.web.tab.page import TabPage
from automations.procurement import repository as procurement
from automations.procurement.messages import CATALOGUE, render
from automations.procurement.model import Line
from automations.procurement.search import EntryRejected, apply_search_entry, search_progress
from automations.proposals.repository import clicks_by_url

API_BASE = "/tab/api"


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
        lines=lines,
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
    clicks = await short_link_clicks(session, claims.member_id, lines)
    return {"lines": list(lines), "found": found, "active": active, "clicks": clicks}


async def short_link_clicks(
    session: AsyncSession, member_id: str, lines: Sequence[Line]
) -> dict[int, int]:
    """Clicks on the proposal short link of each line's supplier URL, by line ID."""
    by_url = await clicks_by_url(session, member_id, [line.search.supplier_url for line in lines])
    return {
        line.line_id: by_url[line.search.supplier_url]
        for line in lines
        if line.line_id and line.search.supplier_url in by_url
    }


async def save_entry(
    session: AsyncSession, claims: ViewClaims, line_id: int, changes: dict[str, Any]
) -> dict[str, Any]:
    link = await find_entity_link(session, claims.member_id, claims.entity_kind, claims.entity_id)
    lines = await load_lines(session, link)
    current = next((line for line in lines if line.line_id == line_id), None)
    if link is None or current is None:
        raise NotFound(f"line {line_id} is not in this card")
    status, search = parse_entry(current, changes, claims.lang)
    updated = apply_search_entry(lines, line_id, status, search)
    if isinstance(updated, EntryRejected):
        raise BadRequest(_rejection_text(updated, claims.lang))
    await procurement.save_lines(session, link, updated)
    await queue.arm_deal_sync(session, claims.member_id, link.deal_id)
    found, active = search_progress(updated)
    saved = next(line for line in updated if line.line_id == line_id)
    return {"line": saved, "found": found, "active": active}


def _rejection_text(rejected: EntryRejected, lang: str) -> str:
    key = rejected.problem.value
    return render(key, lang) if key in CATALOGUE else key
