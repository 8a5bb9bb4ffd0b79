"""Provision a portal (smart process, stages, ETA field) and store its stage map."""

from typing import Any

from app.core import portal_store, queue
from app.core.context import AppContext
from app.core.db import unit_of_work
from app.core.errors import NotFound
from app.core.portal_settings import load_portal_settings, update_portal_settings
from app.portals.clients import portal_clients
from automations.bonuses.provisioning import (
    RegistryProvisioner,
    keep_manual_registry_stages,
    owned_registries,
)
from automations.provisioning.handler import Provisioner, ProvisionReport


async def provision_portal(
    context: AppContext,
    member_id: str,
    *,
    deal_category_id: int = 0,
    buyer_ids: list[int] | None = None,
) -> ProvisionReport:
    async with context.sessions() as session:
        portal = await portal_store.find_active_portal(session, member_id)
        stored = await load_portal_settings(session, member_id)
    if portal is None:
        raise NotFound(f"no active portal {member_id}")
    owned = stored.get("card_entity_type_id") if stored.get("card_funnel_owned") else None
    client = portal_clients(context).for_portal(portal)
    report = await Provisioner(client).run(deal_category_id=deal_category_id, owned_type_id=owned)
    registries = RegistryProvisioner(client)
    found = await registries.run_registries(owned_registries(stored))
    report = ProvisionReport(
        {**report.stage_map, **found},
        report.created + tuple(registries.created),
        report.changed + tuple(registries.changed),
    )
    changes: dict[str, Any] = keep_manual_mapping(dict(report.stage_map), stored)
    changes = keep_manual_registry_stages(changes, stored)
    if buyer_ids is not None:
        changes["buyer_ids"] = buyer_ids
    async with unit_of_work(context.sessions) as session:
        await update_portal_settings(session, member_id, changes)
        if portal.auth_mode != "webhook":  # a webhook cannot bind tabs or events (app context only)
            await queue.arm_portal_binding(session, member_id)
    return report


def keep_manual_mapping(found: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    """An admin's own stage choices (settings page) survive a re-run of provisioning, as long
    as they are for the same funnel and smart process; provisioning only fills the gaps."""
    same_deal_funnel = stored.get("deal_category_id") == found.get("deal_category_id")
    same_card_type = stored.get("card_entity_type_id") == found.get("card_entity_type_id")
    for key, same in (("deal_stages", same_deal_funnel), ("card_stages", same_card_type)):
        if same and isinstance(stored.get(key), dict):
            found[key] = {**found.get(key, {}), **stored[key]}
    return found
