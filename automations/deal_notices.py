"""What a deal's event tells the other capabilities, ahead of the deal's procurement sync.

Trigger: every deal event arms one ``sync_deal`` job; before the sync reads the deal, one
unit of work (no REST call) arms ``exchange_deal`` when a node receives the portal's
changes (PRODUCT §3.11) and marks the deal for the bonus scan when bonuses are on
(PRODUCT §3.9). One job per event instead of a job per capability: the intake writes one
job row per event, and a worker claims one job.
"""

from app.core.db import unit_of_work
from app.core.models import Job
from app.core.outcome import Outcome
from automations.bonuses.handler import mark_for_scan
from automations.exchange.changes import arm_if_subscribed
from automations.ports import Deps, JobHandler


def notices_then(handler: JobHandler) -> JobHandler:
    """``handler`` (the deal sync), preceded by the deal's notices."""

    async def run(deps: Deps, job: Job) -> str | Outcome:
        await notice_deal(deps, job.member_id, int(job.payload["deal_id"]))
        return await handler(deps, job)

    return run


async def notice_deal(deps: Deps, member_id: str, deal_id: int) -> None:
    async with unit_of_work(deps.sessions) as session:
        await arm_if_subscribed(session, member_id, deal_id)
        await mark_for_scan(session, member_id, deal_id, deps.settings.bonus_batch_delay_seconds)
