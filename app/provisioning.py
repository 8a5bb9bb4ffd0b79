"""Provision a portal (smart process, stages, ETA field) and store its stage map."""

from typing import Any

from app.context import AppContext
from app.db import unit_of_work
from app.errors import NotFound
from app.portal_clients import portal_clients
from app.repositories import jobs, portals
from app.repositories.settings import update_portal_settings
from automations.provisioning.handler import Provisioner, ProvisionReport


async def provision_portal(
    context: AppContext,
    member_id: str,
    *,
    deal_category_id: int = 0,
    buyer_ids: list[int] | None = None,
) -> ProvisionReport:
    async with context.sessions() as session:
        portal = await portals.find_active_portal(session, member_id)
    if portal is None:
        raise NotFound(f"no active portal {member_id}")
    report = await Provisioner(portal_clients(context).for_portal(portal)).run(
        deal_category_id=deal_category_id
    )
    changes: dict[str, Any] = dict(report.stage_map)
    if buyer_ids is not None:
        changes["buyer_ids"] = buyer_ids
    async with unit_of_work(context.sessions) as session:
        await update_portal_settings(session, member_id, changes)
        if portal.auth_mode != "webhook":  # a webhook cannot bind tabs or events (app context only)
            await jobs.arm_job(session, member_id, "bind_portal", f"{member_id}:bind", {})
    return report
