"""Product actions on a deal — from the tab's buttons, robots and action webhooks.

Each request becomes a durable ``action`` job (one per request), so a click or a robot
call survives restarts and limit errors; the worker runs the action's handler and stores
its outcome (done or refused, with the message) on the job, where the tab follows it. A
product action that changed the deal's rows arms the deal's sync, because product-row
writes fire no event and the procurement lines must follow the rows.
"""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import portal_store, queue
from app.core.db import unit_of_work
from app.core.models import Job, Portal
from app.core.outcome import Outcome
from app.core.queue import PermanentJobError
from automations.bonuses.money_actions import MONEY_ACTIONS
from automations.exchange.workflows import workflow_result_action
from automations.ports import ActionHandler, Deps
from automations.product_actions import PRODUCT_ACTIONS
from automations.product_actions.messages import say
from automations.proposals.handler import proposal_action

ACTIONS = ("expand_kits", "apply_discount", "clear_products", "recheck_search")
QUEUED = {
    "ru": "Принято: выполняется в фоне…",
    "en": "Accepted: running in the background…",
}


@dataclass(frozen=True)
class QueuedAction:
    job_id: int  # the tab follows the job by this id
    message: str


async def queue_action(
    session: AsyncSession,
    member_id: str,
    deal_id: int,
    name: str,
    params: dict[str, Any],
    *,
    lang: str = "ru",
    request_key: str | None = None,
) -> QueuedAction:
    key = request_key or uuid.uuid4().hex
    job_id = await queue.arm_action(
        session, member_id, key, {"action": name, "deal_id": deal_id, "params": params}
    )
    return QueuedAction(job_id=job_id, message=QUEUED["en" if lang == "en" else "ru"])


async def recheck_search(
    deps: Deps, portal: Portal, deal_id: int, _params: dict[str, Any]
) -> Outcome:
    async with unit_of_work(deps.sessions) as session:
        await queue.arm_deal_sync(session, portal.member_id, deal_id)
    return Outcome.done(
        say(
            portal.language,
            "Проверка статуса поиска поставлена в очередь.",
            "The search status re-check is queued.",
        )
    )


def action_handlers() -> dict[str, ActionHandler]:
    return {
        "recheck_search": recheck_search,
        "make_proposal": proposal_action,
        **PRODUCT_ACTIONS,
        **MONEY_ACTIONS,
        "workflow_result": workflow_result_action,
    }


async def run_action_job(deps: Deps, job: Job) -> str | Outcome:
    name = str(job.payload.get("action"))
    handler = action_handlers().get(name)
    if handler is None:
        raise PermanentJobError(f"unknown action {name!r}")
    async with deps.sessions() as session:
        portal = await portal_store.find_active_portal(session, job.member_id)
    if portal is None:
        return "portal not active"
    deal_id = int(job.payload["deal_id"])
    outcome = await handler(deps, portal, deal_id, dict(job.payload.get("params") or {}))
    if outcome.is_done and name in PRODUCT_ACTIONS:
        async with unit_of_work(deps.sessions) as session:
            await queue.arm_deal_sync(session, portal.member_id, deal_id)
    return outcome
