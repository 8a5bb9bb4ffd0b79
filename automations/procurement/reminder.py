"""Rule 9's reminder firing: a due reminder becomes the sales manager's call task.

Trigger: a ``reminder`` job armed by the scheduler when ``fire_at`` passes (each
reminder fires once across processes). Effect: ``tasks.task.add`` bound to the deal.
Idempotency key: ``{reminder key}:{decision}`` in ``effects``.
"""

from __future__ import annotations

from app.core import effects, portal_store
from app.core.db import unit_of_work
from app.core.models import Job
from automations.ports import Deps
from automations.procurement.messages import render
from connectors.bitrix24 import Priority


async def fire_reminder(deps: Deps, job: Job) -> str:
    payload = job.payload
    key = f"{payload['key']}:{payload.get('decision', '')}"
    async with deps.sessions() as session:
        portal = await portal_store.find_active_portal(session, job.member_id)
        known = await effects.statuses(session, job.member_id, [key])
    if portal is None:
        return "portal not active"
    if key in known:
        return "already fired"
    async with unit_of_work(deps.sessions) as session:
        await effects.start(session, job.member_id, [(key, "ReminderTask")])
    title = render(payload["title_key"], portal.language, **payload.get("params", {}))
    client = deps.rest.for_portal(portal)
    task = await client.call(
        "tasks.task.add",
        {
            "fields": {
                "TITLE": title,
                "RESPONSIBLE_ID": payload["responsible_id"],
                "UF_CRM_TASK": [f"D_{payload['deal_id']}"],
            }
        },
        priority=Priority.BULK,
    )
    async with unit_of_work(deps.sessions) as session:
        await effects.finish(session, job.member_id, key, result={"task": str(task)[:200]})
    return "reminder task created"
