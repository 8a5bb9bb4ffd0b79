"""Queries of the proposals' tables. Never commits: the caller's unit of work does."""

import hashlib

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.models import Proposal, ShortLink
from app.core.models.base import utc_now
from app.core.upsert import insert_for
from automations.proposals.link_rules import new_code

INSERT_ATTEMPTS = 5


def url_hash(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()


async def shorten_many(session: AsyncSession, member_id: str, urls: list[str]) -> dict[str, str]:
    """The code of every (already checked) URL in the portal, made where missing: one read,
    one multi-row insert that yields to a concurrent maker or a code collision, one re-read."""
    wanted = {url_hash(url): url for url in dict.fromkeys(urls)}
    codes = await _codes_by_hash(session, member_id, list(wanted))
    for _ in range(INSERT_ATTEMPTS):
        missing = [digest for digest in wanted if digest not in codes]
        if not missing:
            break
        now = utc_now()
        rows = [
            {"code": new_code(), "member_id": member_id, "url_hash": digest}
            | {"url": wanted[digest], "clicks": 0, "created_at": now}
            for digest in missing
        ]
        await session.execute(insert_for(session, ShortLink).values(rows).on_conflict_do_nothing())
        codes |= await _codes_by_hash(session, member_id, missing)
    return {wanted[digest]: code for digest, code in codes.items()}


async def shorten(session: AsyncSession, member_id: str, url: str) -> str:
    return (await shorten_many(session, member_id, [url]))[url]


async def _codes_by_hash(
    session: AsyncSession, member_id: str, digests: list[str]
) -> dict[str, str]:
    rows = await session.execute(
        select(ShortLink.url_hash, ShortLink.code).where(
            ShortLink.member_id == member_id, ShortLink.url_hash.in_(digests)
        )
    )
    return {digest: code for digest, code in rows.all()}


async def follow(session: AsyncSession, code: str) -> str | None:
    """The target of ``code``, counting the click in the same atomic UPDATE."""
    result = await session.execute(
        update(ShortLink)
        .where(ShortLink.code == code)
        .values(clicks=ShortLink.clicks + 1)
        .returning(ShortLink.url)
    )
    return result.scalar_one_or_none()


async def clicks_by_url(session: AsyncSession, member_id: str, urls: list[str]) -> dict[str, int]:
    """Clicks of the portal's short links to ``urls`` (URLs never shortened are absent)."""
    digests = {url_hash(url.strip()): url for url in urls if url}
    if not digests:
        return {}
    rows = await session.execute(
        select(ShortLink.url_hash, ShortLink.clicks).where(
            ShortLink.member_id == member_id, ShortLink.url_hash.in_(list(digests))
        )
    )
    return {digests[digest]: clicks for digest, clicks in rows.all()}


async def find_version_by_hash(
    session: AsyncSession, member_id: str, deal_id: int, digest: str
) -> Proposal | None:
    return await session.scalar(
        select(Proposal).where(
            Proposal.member_id == member_id,
            Proposal.deal_id == deal_id,
            Proposal.content_hash == digest,
        )
    )


async def next_version(session: AsyncSession, member_id: str, deal_id: int) -> int:
    latest = await session.scalar(
        select(func.max(Proposal.version)).where(
            Proposal.member_id == member_id, Proposal.deal_id == deal_id
        )
    )
    return int(latest or 0) + 1


async def add_version(session: AsyncSession, proposal: Proposal) -> Proposal:
    session.add(proposal)
    await session.flush()
    return proposal


async def find_by_code(session: AsyncSession, code: str) -> Proposal | None:
    return await session.scalar(select(Proposal).where(Proposal.code == code))


async def mark_attached(session: AsyncSession, proposal_id: int) -> None:
    await session.execute(
        update(Proposal).where(Proposal.id == proposal_id).values(attached_at=utc_now())
    )


async def latest_version(session: AsyncSession, member_id: str, deal_id: int) -> Proposal | None:
    return await session.scalar(
        select(Proposal)
        .where(Proposal.member_id == member_id, Proposal.deal_id == deal_id)
        .order_by(Proposal.version.desc())
        .limit(1)
    )
