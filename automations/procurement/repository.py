"""The link table: links (deal ↔ card) and procurement lines, always scoped by portal.

Also the conversion between our rows and the rules' model (``automations.procurement``).
"""

from collections.abc import Sequence
from dataclasses import asdict, fields

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.models import ProcurementLine, ProcurementLink
from app.core.models.base import utc_now
from automations.procurement.model import (
    SEARCH_DATA,
    CardStage,
    DealStage,
    Line,
    LineStatus,
    LinkState,
    SearchData,
)


async def find_link(session: AsyncSession, member_id: str, deal_id: int) -> ProcurementLink | None:
    return await session.scalar(
        select(ProcurementLink).where(
            ProcurementLink.member_id == member_id, ProcurementLink.deal_id == deal_id
        )
    )


async def find_link_by_card(
    session: AsyncSession, member_id: str, card_id: int
) -> ProcurementLink | None:
    return await session.scalar(
        select(ProcurementLink).where(
            ProcurementLink.member_id == member_id, ProcurementLink.card_id == card_id
        )
    )


async def find_link_by_id(
    session: AsyncSession, member_id: str, link_id: int
) -> ProcurementLink | None:
    return await session.scalar(
        select(ProcurementLink).where(
            ProcurementLink.member_id == member_id, ProcurementLink.id == link_id
        )
    )


async def list_lines(session: AsyncSession, member_id: str, link_id: int) -> list[ProcurementLine]:
    rows = await session.scalars(
        select(ProcurementLine)
        .where(ProcurementLine.member_id == member_id, ProcurementLine.link_id == link_id)
        .order_by(ProcurementLine.position, ProcurementLine.id)
    )
    return list(rows)


async def find_line(session: AsyncSession, member_id: str, line_id: int) -> ProcurementLine | None:
    return await session.scalar(
        select(ProcurementLine).where(
            ProcurementLine.member_id == member_id, ProcurementLine.id == line_id
        )
    )


async def ensure_link(session: AsyncSession, member_id: str, deal_id: int) -> ProcurementLink:
    link = await find_link(session, member_id, deal_id)
    if link is None:
        link = ProcurementLink(member_id=member_id, deal_id=deal_id)
        session.add(link)
        await session.flush()
    return link


def link_state(deal_id: int, link: ProcurementLink | None) -> LinkState:
    if link is None:
        return LinkState(deal_id=deal_id)
    return LinkState(
        deal_id=deal_id,
        card_id=link.card_id,
        deal_stage=DealStage(link.deal_stage) if link.deal_stage else None,
        card_stage=CardStage(link.card_stage) if link.card_stage else None,
        eta=link.eta,
        buyer_id=link.buyer_id,
        epoch=link.epoch,
    )


def to_line(row: ProcurementLine) -> Line:
    stored = {field.name: getattr(row, field.name) for field in fields(SearchData)}
    search = SEARCH_DATA.validate_python(stored)
    return Line(
        line_id=row.id,
        row_id=row.row_id,
        product_id=row.product_id,
        position=row.position,
        name=row.name,
        quantity=row.quantity,
        status=LineStatus(row.status),
        search=search,
        prior_status=LineStatus(row.prior_status) if row.prior_status else None,
    )


def _apply(row: ProcurementLine, line: Line) -> None:
    row.row_id, row.product_id, row.position = line.row_id, line.product_id, line.position
    row.name, row.quantity, row.status = line.name[:255], line.quantity, line.status.value
    row.prior_status = line.prior_status.value if line.prior_status else ""
    for name, value in asdict(line.search).items():
        setattr(row, name, value)
    row.updated_at = utc_now()


async def save_lines(session: AsyncSession, link: ProcurementLink, lines: Sequence[Line]) -> None:
    """Insert lines without an id, update the others (only those of this link)."""
    existing = {row.id: row for row in await list_lines(session, link.member_id, link.id or 0)}
    for line in lines:
        row = existing.get(line.line_id) if line.line_id is not None else None
        if row is None:
            row = ProcurementLine(member_id=link.member_id, link_id=link.id or 0)
            session.add(row)
        _apply(row, line)
    await session.flush()
