"""Entry points of proposal making for the worker: the ``proposal`` job (tab button, CLI
queueing) and the robot action ``make_proposal`` («Сформировать КП»), whose reply carries
the return values ``url`` and ``version`` (empty when no proposal was made)."""

from datetime import UTC, datetime
from typing import Any

from app.core import portal_store
from app.core.models import Job, Portal
from app.core.outcome import Outcome
from automations.ports import Deps
from automations.proposals.making import Made, make_proposal
from automations.proposals.messages import message
from automations.proposals.rules import Problem


def reply_of(outcome: Made | Problem, lang: str) -> Outcome:
    """What a person is told, and the robot's return values."""
    lang = "en" if lang == "en" else "ru"
    if isinstance(outcome, Problem):
        text = message(lang, outcome.key, **outcome.params)
        return Outcome.refused(text, {"url": "", "version": ""})
    text = message(lang, "proposal_made", version=str(outcome.version), url=outcome.url)
    return Outcome.done(text, {"url": outcome.url, "version": str(outcome.version)})


async def make_for_portal(deps: Deps, portal: Portal, deal_id: int, template: str) -> Outcome:
    today = datetime.now(UTC).date()
    outcome = await make_proposal(deps, portal, deal_id, template, today=today)
    return reply_of(outcome, portal.language)


async def proposal_action(
    deps: Deps, portal: Portal, deal_id: int, params: dict[str, Any]
) -> Outcome:
    template = str(params.get("template") or "new").strip().lower()
    return await make_for_portal(deps, portal, deal_id, template)


async def make_proposal_job(deps: Deps, job: Job) -> str | Outcome:
    async with deps.sessions() as session:
        portal = await portal_store.find_active_portal(session, job.member_id)
    if portal is None:
        return "portal not active"
    deal_id = int(job.payload["deal_id"])
    return await make_for_portal(deps, portal, deal_id, str(job.payload.get("template", "new")))
