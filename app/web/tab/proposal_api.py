"""The tab's proposal requests: check what can be checked at once (template, found lines,
rates), then queue the ``proposal`` job and give the page a reference to follow."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import queue
from app.core.errors import BadRequest, Conflict, NotFound
from app.core.models import Job
from app.core.portal_settings import load_portal_settings
from app.web.frame.view_token import ViewClaims
from app.web.tab.render import proposal_json
from app.web.tab.service import deal_of, find_entity_link, latest_proposal, load_lines
from automations.proposals.messages import message
from automations.proposals.options import proposal_options
from automations.proposals.rules import check_rates, check_request

FOLLOW = "/tab/api/proposal"


async def queue_proposal(
    session: AsyncSession, claims: ViewClaims, body: dict[str, Any]
) -> dict[str, Any]:
    template = str(body.get("template") or "").strip().lower()
    deal_id = await deal_of(session, claims)
    link = await find_entity_link(session, claims.member_id, "deal", deal_id)
    lines = await load_lines(session, link)
    options = proposal_options(await load_portal_settings(session, claims.member_id))
    problem = check_request(template, lines) or check_rates(lines, options)
    if problem is not None:
        error = BadRequest if problem.key == "template_unknown" else Conflict
        raise error(message(claims.lang, problem.key, **problem.params), reason=problem.key)
    job_id = await queue.arm_proposal(session, claims.member_id, deal_id, template, claims.lang)
    return {
        "job_id": job_id,
        "message": message(claims.lang, "proposal_queued"),
        "follow": f"{FOLLOW}?job_id={job_id}",
    }


async def proposal_state(
    session: AsyncSession, claims: ViewClaims, job_id: int, base_url: str
) -> dict[str, Any]:
    """Whether the job has run, and the deal's latest proposal version."""
    deal_id = await deal_of(session, claims)
    job = await session.get(Job, job_id)
    if job is None or job.member_id != claims.member_id or job.kind != queue.PROPOSAL:
        raise NotFound(f"no proposal job {job_id} for this portal")
    if int(job.payload.get("deal_id", 0)) != deal_id:
        raise NotFound(f"proposal job {job_id} is not for this deal")
    latest = await latest_proposal(session, base_url, claims.member_id, deal_id)
    return {"job_id": job_id, "status": job.status, "latest": proposal_json(latest)}
