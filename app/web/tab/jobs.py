"""The jobs a tab follows to their end: the action or the proposal its button queued, and
the deal's sync that opening the tab or saving a line armed.

A job is shown only to a tab of its portal and its deal (S13), and only the kinds a tab
queues; anything else is «no such job». While it waits or runs it is ``running``; then
``done``, ``refused`` or ``failed`` with the outcome the worker stored on it, told as the
robots tell it («Готово: …», «Не выполнено: …»). A sync job's own note is not for people:
the page re-reads the lines instead.
"""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import queue
from app.core.errors import NotFound
from app.core.models import Job
from app.core.outcome import Outcome, OutcomeKind
from app.web.frame.i18n import t
from app.web.frame.view_token import ViewClaims
from app.web.tab.service import deal_of
from app.worker.outcomes import dead_letter_outcome, outcome_text

FOLLOWED_KINDS = (queue.ACTION, queue.SYNC_DEAL, queue.PROPOSAL)
TOLD_KINDS = (queue.ACTION, queue.PROPOSAL)  # their outcome is told; a sync's is not
RUNNING = "running"


async def job_state(session: AsyncSession, claims: ViewClaims, job_id: int) -> dict[str, Any]:
    deal_id = await deal_of(session, claims)
    job = await session.get(Job, job_id)
    if job is None or not _belongs(job, claims.member_id, deal_id):
        raise NotFound(t("job_unknown", claims.lang))
    return job_view(job, claims.lang)


def _belongs(job: Job, member_id: str, deal_id: int) -> bool:
    return (
        job.member_id == member_id
        and job.kind in FOLLOWED_KINDS
        and str(job.payload.get("deal_id")) == str(deal_id)
    )


def job_view(job: Job, lang: str) -> dict[str, Any]:
    """``{"id", "kind", "state", "text"}``; ``text`` only for an ended action or proposal."""
    view = {"id": job.id, "kind": job.kind, "state": RUNNING, "text": ""}
    if job.status in (queue.PENDING, queue.RUNNING):
        return view
    outcome = _ended(job, lang)
    view["state"] = outcome.kind.value
    if job.kind in TOLD_KINDS:
        view["text"] = outcome_text(outcome, lang)
    return view


def _ended(job: Job, lang: str) -> Outcome:
    if job.status == queue.DEAD:
        return Outcome.failed(job.outcome) if job.outcome else dead_letter_outcome(job, lang)
    known = {kind.value for kind in OutcomeKind}
    kind = OutcomeKind(job.outcome_kind) if job.outcome_kind in known else OutcomeKind.DONE
    return Outcome(kind, job.outcome)
