"""Make a deal's proposal: load → decide → render → store → attach, in at most two REST requests
(one ``batch`` read of the deal, one ``batch`` write of the timeline comment with the PDF and
the deal field «Ссылка на КП»).

The same content again is the same version (found by its hash; nothing new is written or
attached). Any problem — no found lines, a missing rate, a template that fails — rolls the
whole unit of work back: no version, no short link, nothing attached. A version is stored
before it is attached; a failed attach leaves it unattached, and the retry attaches it.
"""

import base64
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import unit_of_work
from app.core.models import Portal, Proposal
from app.core.portal_settings import load_portal_settings
from automations.ports import Deps
from automations.procurement import repository as procurement
from automations.procurement.model import Line
from automations.proposals import repository
from automations.proposals.content import ProposalContent, content_hash
from automations.proposals.deal_facts import DealFacts, read_deal_facts
from automations.proposals.html import render_html, render_wording
from automations.proposals.link_rules import TargetRefused, checked_target, new_code
from automations.proposals.options import ProposalOptions, proposal_options
from automations.proposals.pdf import render_pdf
from automations.proposals.rules import Problem, build_content, check_request, shown_lines
from automations.proposals.short_links import make_short_links
from connectors.bitrix24 import Bitrix24Client, Priority

PROPOSAL_CODE_LENGTH = 22


@dataclass(frozen=True)
class Made:
    version: int
    url: str
    pdf_url: str
    new: bool


class Refused(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.key)
        self.problem = problem


def proposal_url(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/p/{code}"


async def make_proposal(
    deps: Deps, portal: Portal, deal_id: int, template: str, *, today: date
) -> Made | Problem:
    async with deps.sessions() as session:
        values = await load_portal_settings(session, portal.member_id)
        lines = await _lines(session, portal.member_id, deal_id)
    problem = check_request(template, lines)
    if problem is not None:
        return problem
    client = deps.rest.for_portal(portal)
    facts = await read_deal_facts(client, deal_id, priority=Priority.INTERACTIVE)
    if facts is None:
        return Problem("deal_missing", {"deal_id": str(deal_id)})
    draft = Draft(deps.settings.app_base_url, portal.member_id, values, facts, lines, today)
    try:
        async with unit_of_work(deps.sessions) as session:
            stored = await draft.store(session, template)
    except Refused as refused:
        return refused.problem
    if stored.attached_at is None:
        await _attach(deps, client, draft, stored)
    url = proposal_url(deps.settings.app_base_url, stored.code)
    return Made(stored.version, url, f"{url}/pdf", new=stored.attached_at is None)


async def _lines(session: AsyncSession, member_id: str, deal_id: int) -> list[Line]:
    link = await procurement.find_link(session, member_id, deal_id)
    if link is None or link.id is None:
        return []
    return [
        procurement.to_line(row)
        for row in await procurement.list_lines(session, member_id, link.id)
    ]


@dataclass(frozen=True)
class Draft:
    base_url: str
    member_id: str
    values: dict[str, Any]
    facts: DealFacts
    lines: list[Line]
    today: date

    @property
    def options(self) -> ProposalOptions:
        return proposal_options(self.values)

    async def store(self, session: AsyncSession, template: str) -> Proposal:
        content = await self._content(session, template)
        digest = content_hash(content)
        deal_id = self.facts.deal.id
        found = await repository.find_version_by_hash(session, self.member_id, deal_id, digest)
        if found is not None:
            return found
        version = await repository.next_version(session, self.member_id, deal_id)
        code = new_code(PROPOSAL_CODE_LENGTH)
        valid_until = self.today + timedelta(days=self.options.validity_days)
        rendering: dict[str, Any] = {
            "version": version,
            "valid_until": valid_until,
            "pdf_url": f"{proposal_url(self.base_url, code)}/pdf",
            "overrides": self.options.templates,
        }
        html = render_html(content, **rendering)
        if isinstance(html, Problem):
            raise Refused(html)
        wording = render_wording(content, **rendering)
        proposal = Proposal(
            member_id=self.member_id,
            deal_id=deal_id,
            version=version,
            code=code,
            content_hash=digest,
            template=template,
            valid_until=valid_until,
            html=html,
            pdf=render_pdf(content, version=version, valid_until=valid_until, wording=wording),
        )
        return await repository.add_version(session, proposal)

    async def _content(self, session: AsyncSession, template: str) -> ProposalContent:
        targets = [line.search.supplier_url for line in shown_lines(self.lines)]
        links = await make_short_links(
            session, self.base_url, self.member_id, [u for u in targets if self._linkable(u)]
        )
        services = {int(i) for i in self.values.get("service_product_ids", [])}
        content = build_content(
            self.facts,
            self.lines,
            self.options,
            template=template,
            links=links,
            service_ids=services,
        )
        if isinstance(content, Problem):
            raise Refused(content)
        return content

    def _linkable(self, url: str) -> bool:
        try:
            return bool(url) and bool(checked_target(url, self.base_url))
        except TargetRefused:
            return False


async def _attach(deps: Deps, client: Bitrix24Client, draft: Draft, proposal: Proposal) -> None:
    url = proposal_url(draft.base_url, proposal.code)
    name = f"KP-{proposal.deal_id}-{proposal.version}.pdf"
    comment = {
        "ENTITY_ID": proposal.deal_id,
        "ENTITY_TYPE": "deal",
        "COMMENT": f"Коммерческое предложение, версия {proposal.version}: {url}",
        "FILES": [[name, base64.b64encode(proposal.pdf).decode()]],
    }
    commands: dict[str, Any] = {"comment": ("crm.timeline.comment.add", {"fields": comment})}
    if draft.options.link_field:
        fields = {draft.options.link_field: url}
        commands["field"] = ("crm.deal.update", {"id": proposal.deal_id, "fields": fields})
    outcomes = await client.batch(commands, priority=Priority.INTERACTIVE)
    for outcome in outcomes.values():
        outcome.unwrap()
    async with unit_of_work(deps.sessions) as session:
        await repository.mark_attached(session, proposal.id or 0)
