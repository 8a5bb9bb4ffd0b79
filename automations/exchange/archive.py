"""The feed archive: list, show (with each document's final result), and prune by age."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.models import ExchangeDocument, ExchangeFeed
from app.core.models.base import utc_now


@dataclass(frozen=True)
class FeedView:
    feed: ExchangeFeed
    documents: list[ExchangeDocument]

    def as_dict(self) -> dict[str, Any]:
        feed = self.feed
        return {
            "id": feed.id,
            "node_id": feed.node_id,
            "direction": feed.direction,
            "door": feed.door,
            "operation": feed.operation,
            "created_at": feed.created_at.isoformat(),
            "bytes": len(feed.body),
            "received": feed.results,
            "errors": feed.errors,
            "documents": [
                {"kind": d.kind, "external_id": d.external_id, "status": d.status, **d.result}
                for d in self.documents
            ],
        }


async def list_feeds(
    session: AsyncSession,
    *,
    member_id: str | None = None,
    node_id: int | None = None,
    limit: int = 50,
) -> list[ExchangeFeed]:
    query = select(ExchangeFeed).order_by(ExchangeFeed.id.desc()).limit(limit)
    if member_id is not None:
        query = query.where(ExchangeFeed.member_id == member_id)
    if node_id is not None:
        query = query.where(ExchangeFeed.node_id == node_id)
    return list(await session.scalars(query))


async def find_feed(session: AsyncSession, feed_id: int) -> FeedView | None:
    feed = await session.get(ExchangeFeed, feed_id)
    if feed is None:
        return None
    documents = await session.scalars(
        select(ExchangeDocument)
        .where(ExchangeDocument.feed_id == feed_id)
        .order_by(ExchangeDocument.id)
    )
    return FeedView(feed, list(documents))


async def prune(session: AsyncSession, *, older_than_days: int) -> int:
    cutoff = utc_now() - timedelta(days=older_than_days)
    result = await session.execute(delete(ExchangeFeed).where(ExchangeFeed.created_at < cutoff))
    return int(result.rowcount or 0)


def prune_archive(days: int) -> Callable[[AsyncSession], Awaitable[int]]:
    """The daily retention tick: feeds older than ``days`` are deleted (documents stay)."""

    async def tick(session: AsyncSession) -> int:
        return await prune(session, older_than_days=days)

    return tick
