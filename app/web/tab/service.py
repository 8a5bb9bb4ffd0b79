"""The tab's data: open (lines + progress), save a buyer's entry, list lines.

A buyer's entry is committed with its ``sync_deal`` job in one transaction — it is
durable before the answer, and the worker then applies rule 3 (stage moves and
notifications); the answer names that job, so the page can follow it and learn whether
the deal moved. Opening the tab arms the same job (product-row edits fire no event) and
the page follows it too, refreshing its lines when it ends. Every lookup is scoped by the
portal of the view token (S13); what a tab may do is ``access``'s.
"""

import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import queue
from app.core.config import Settings
from app.core.errors import BadRequest, NotFound
from app.core.models import Portal, ProcurementLink
from app.core.portal_settings import load_portal_settings
from app.web.frame.i18n import t
from app.web.frame.view_token import DEFAULT_TTL_SECONDS, ViewClaims, issue
from app.web.tab.access import TabAccess, require_editing, tab_access
from app.web.tab.entry import parse_entry
from app.web.tab.page import ProposalLinks, TabPage
from automations.procurement import repository as procurement
from automations.procurement.messages import CATALOGUE, render
from automations.procurement.model import Line
from automations.procurement.search import EntryRejected, apply_search_entry, search_progress
from automations.proposals import repository as proposals
from automations.proposals.making import proposal_url

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


def tab_title(claims: ViewClaims, link: ProcurementLink | None) -> str:
    if claims.entity_kind == "deal":
        return t("title_deal", claims.lang).format(deal_id=claims.entity_id)
    if link is None:
        return t("title_card_unlinked", claims.lang).format(card_id=claims.entity_id)
    return t("title_card", claims.lang).format(card_id=claims.entity_id, deal_id=link.deal_id)


async def open_tab(
    session: AsyncSession, settings: Settings, portal: Portal, claims: ViewClaims
) -> TabPage:
    link = await find_entity_link(session, portal.member_id, claims.entity_kind, claims.entity_id)
    lines = await load_lines(session, link)
    sync_job_id = (
        await queue.arm_deal_sync(session, portal.member_id, link.deal_id) if link else None
    )
    access = await _access(session, claims, link)
    found, active = search_progress(lines)
    latest = (
        await latest_proposal(session, settings.app_base_url, portal.member_id, link.deal_id)
        if link and claims.entity_kind == "deal"
        else None
    )
    return TabPage(
        entity_kind=claims.entity_kind,
        entity_id=claims.entity_id,
        deal_id=link.deal_id if link else (claims.entity_id if claims.entity_kind == "deal" else 0),
        card_id=link.card_id if link else None,
        title=tab_title(claims, link),
        lang=claims.lang,
        lines=lines,
        found=found,
        active=active,
        view_token=issue(claims, settings.secret_key.get_secret_value()),
        api_base=API_BASE,
        portal_origin=portal.client_endpoint.removesuffix("/").removesuffix("/rest"),
        notice="" if link else t("not_passed", claims.lang),
        actions=access.actions,
        editable=access.editable,
        hint=access.hint,
        sync_job_id=sync_job_id,
        deal_stage=access.deal_stage,
        clicks=await short_link_clicks(session, portal.member_id, lines),
        proposal=latest,
    )


async def latest_proposal(
    session: AsyncSession, base_url: str, member_id: str, deal_id: int
) -> ProposalLinks | None:
    latest = await proposals.latest_version(session, member_id, deal_id)
    if latest is None:
        return None
    url = proposal_url(base_url, latest.code)
    return ProposalLinks(version=latest.version, url=url, pdf_url=f"{url}/pdf")


async def _access(
    session: AsyncSession, claims: ViewClaims, link: ProcurementLink | None
) -> TabAccess:
    values = await load_portal_settings(session, claims.member_id)
    return tab_access(claims.entity_kind, link, values, claims.lang)


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
        raise NotFound(t("card_unlinked", claims.lang))
    return link.deal_id


async def list_lines(session: AsyncSession, claims: ViewClaims) -> dict[str, Any]:
    link = await find_entity_link(session, claims.member_id, claims.entity_kind, claims.entity_id)
    lines = await load_lines(session, link)
    found, active = search_progress(lines)
    access = await _access(session, claims, link)
    clicks = await short_link_clicks(session, claims.member_id, lines)
    return {
        "lines": list(lines),
        "found": found,
        "active": active,
        "access": access,
        "clicks": clicks,
    }


async def short_link_clicks(
    session: AsyncSession, member_id: str, lines: Sequence[Line]
) -> dict[int, int]:
    """Clicks on the proposal short link of each line's supplier URL, by line ID."""
    by_url = await proposals.clicks_by_url(
        session, member_id, [line.search.supplier_url for line in lines]
    )
    return {
        line.line_id: by_url[line.search.supplier_url]
        for line in lines
        if line.line_id and line.search.supplier_url in by_url
    }


async def save_entry(
    session: AsyncSession, claims: ViewClaims, line_id: int, changes: dict[str, Any]
) -> dict[str, Any]:
    link = await find_entity_link(session, claims.member_id, claims.entity_kind, claims.entity_id)
    values = await load_portal_settings(session, claims.member_id)
    require_editing(claims.entity_kind, link, values, claims.lang)
    lines = await load_lines(session, link)
    current = next((line for line in lines if line.line_id == line_id), None)
    if link is None or current is None:
        raise NotFound(render("entry.unknown_line", claims.lang))
    status, search = parse_entry(current, changes, claims.lang)
    updated = apply_search_entry(lines, line_id, status, search)
    if isinstance(updated, EntryRejected):
        raise BadRequest(_rejection_text(updated, claims.lang))
    await procurement.save_lines(session, link, updated)
    sync_job_id = await queue.arm_deal_sync(session, claims.member_id, link.deal_id)
    found, active = search_progress(updated)
    saved = next(line for line in updated if line.line_id == line_id)
    return {"line": saved, "found": found, "active": active, "sync_job_id": sync_job_id}


def _rejection_text(rejected: EntryRejected, lang: str) -> str:
    key = rejected.problem.value
    return render(key, lang) if key in CATALOGUE else key
