"""Keep the ``kits`` table in step with the portal; look kits up, refreshing on a miss.

A miss is a bundle row (product row ``type`` 2) whose product has no cached definition:
the portal's «Комплекты» items are read again once for that deal. Portal-sourced
definitions are replaced as a whole; file-loaded ones stay until a portal item takes over.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from app.core.db import unit_of_work
from app.core.models import Portal
from automations.kit_catalog import repository as kit_rows
from automations.kit_catalog.portal_source import find_kits_type, read_portal_kits
from automations.ports import Deps
from automations.pricing import KitDefinition, ProductRow

PORTAL_SOURCE = "portal"
FILE_SOURCE = "file"


@dataclass(frozen=True, slots=True)
class RefreshReport:
    loaded: int
    problems: tuple[str, ...]
    source_found: bool


async def refresh_kits(deps: Deps, portal: Portal) -> RefreshReport:
    """Read every «Комплекты» item through the connector and replace the portal's cached kits."""
    client = deps.rest.for_portal(portal)
    source = await find_kits_type(client)
    if source is None:
        return RefreshReport(loaded=0, problems=(), source_found=False)
    found = await read_portal_kits(client, source)
    async with unit_of_work(deps.sessions) as session:
        await kit_rows.replace_source(session, portal.member_id, PORTAL_SOURCE, found.kits)
    return RefreshReport(loaded=len(found.kits), problems=found.problems, source_found=True)


async def load_cached_kits(deps: Deps, member_id: str) -> dict[int, KitDefinition]:
    async with deps.sessions() as session:
        return await kit_rows.load_kits(session, member_id)


async def kits_for_rows(
    deps: Deps, portal: Portal, rows: Iterable[ProductRow]
) -> dict[int, KitDefinition]:
    """The cached kits, refreshed from the portal first when a bundle row is not among them."""
    kits = await load_cached_kits(deps, portal.member_id)
    if any(row.is_bundle and row.product_id not in kits for row in rows):
        await refresh_kits(deps, portal)
        kits = await load_cached_kits(deps, portal.member_id)
    return kits
