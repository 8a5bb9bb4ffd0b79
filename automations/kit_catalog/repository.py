"""The portal's cached kit definitions (``kits``): replaced per source, read by product id."""

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.models.base import utc_now
from app.core.models.kits import Kit
from automations.kit_catalog import definition_from_json, definition_to_json
from automations.pricing import KitDefinition


async def load_kits(session: AsyncSession, member_id: str) -> dict[int, KitDefinition]:
    rows = await session.scalars(select(Kit).where(Kit.member_id == member_id))
    return {row.product_id: definition_from_json(row.definition) for row in rows}


async def replace_source(
    session: AsyncSession, member_id: str, source: str, kits: Sequence[KitDefinition]
) -> None:
    """All kits of ``source`` become exactly ``kits``; a product defined elsewhere moves here."""
    await session.execute(delete(Kit).where(Kit.member_id == member_id, Kit.source == source))
    await upsert_kits(session, member_id, source, kits)


async def upsert_kits(
    session: AsyncSession, member_id: str, source: str, kits: Iterable[KitDefinition]
) -> None:
    now = utc_now()
    for kit in kits:
        row = (
            await session.scalars(
                select(Kit).where(Kit.member_id == member_id, Kit.product_id == kit.product_id)
            )
        ).first()
        if row is None:
            row = Kit(member_id=member_id, product_id=kit.product_id)
            session.add(row)
        row.definition, row.source, row.updated_at = definition_to_json(kit), source, now
    await session.flush()
