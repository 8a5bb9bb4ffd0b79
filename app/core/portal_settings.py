"""Per-portal settings (stage map, buyers, service products, procurement type)."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.models import PortalSettings
from app.core.models.base import utc_now


async def load_portal_settings(session: AsyncSession, member_id: str) -> dict[str, Any]:
    row = await session.get(PortalSettings, member_id)
    return dict(row.values) if row is not None else {}


async def update_portal_settings(
    session: AsyncSession, member_id: str, changes: dict[str, Any]
) -> dict[str, Any]:
    row = await session.get(PortalSettings, member_id, with_for_update=True)
    if row is None:
        row = PortalSettings(member_id=member_id, values={})
        session.add(row)
    row.values = {**row.values, **changes}
    row.updated_at = utc_now()
    await session.flush()
    return dict(row.values)
