"""The 1C door's state: sessions opened by ``checkauth`` (only a hash of the cookie is
kept), upload parts appended by ``mode=file``, and their import into the core."""

import hashlib
import posixpath
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.models import ExchangeFeed, ExchangeNode, ExchangeSession, ExchangeUpload
from app.core.models.base import utc_now
from automations.exchange import intake
from webhooks.exchange.commerceml import CommerceMLError, parse_documents

COOKIE = "b24bridge_1c"
SESSION_TTL = timedelta(hours=12)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


async def open_session(session: AsyncSession, node: ExchangeNode) -> str:
    value = secrets.token_hex(20)
    session.add(
        ExchangeSession(
            node_id=node.id or 0, cookie_hash=_digest(value), expires_at=utc_now() + SESSION_TTL
        )
    )
    await session.flush()
    return value


async def find_session(session: AsyncSession, value: str) -> ExchangeSession | None:
    if not value:
        return None
    found = await session.scalar(
        select(ExchangeSession).where(ExchangeSession.cookie_hash == _digest(value))
    )
    if found is None:
        return None
    expires = (
        found.expires_at
        if found.expires_at.tzinfo
        else found.expires_at.replace(tzinfo=utc_now().tzinfo)
    )
    return found if expires > utc_now() else None


class FilenameError(ValueError):
    pass


def clean_filename(raw: str) -> str:
    """1C sends its temp path (``C:\\v8_8789_c.xml``): keep the basename, refuse ``..``."""
    name = posixpath.basename(raw.replace("\\", "/")).strip()
    if not name or ".." in raw or len(name) > 200:
        raise FilenameError(
            f"Недопустимое имя файла «{raw[:100]}»: нужно имя без «..». / Bad file name."
        )
    return name


async def append_part(
    session: AsyncSession, node: ExchangeNode, filename: str, data: bytes
) -> None:
    session.add(ExchangeUpload(node_id=node.id or 0, filename=filename, data=data))
    await session.flush()


@dataclass(frozen=True)
class Imported:
    ok: bool
    message: str
    received: list[intake.Received]


async def import_pending(
    session: AsyncSession, node: ExchangeNode, filename: str | None = None
) -> list[Imported]:
    """Import the node's uploaded files (or one of them): each part joined, archived, parsed."""
    query = (
        select(ExchangeUpload).where(ExchangeUpload.node_id == node.id).order_by(ExchangeUpload.id)
    )
    if filename is not None:
        query = query.where(ExchangeUpload.filename == filename)
    parts = list(await session.scalars(query))
    files: dict[str, list[bytes]] = {}
    for part in parts:
        files.setdefault(part.filename, []).append(part.data)
    results = []
    for name, chunks in files.items():
        results.append(await _import_file(session, node, name, b"".join(chunks)))
    if parts:
        await session.execute(
            delete(ExchangeUpload).where(ExchangeUpload.id.in_([p.id for p in parts]))
        )
    return results


async def _import_file(
    session: AsyncSession, node: ExchangeNode, name: str, body: bytes
) -> Imported:
    feed = await intake.open_feed(
        session, node, door="1c", operation=f"sale file {name}"[:64], body=body,
        content_type="application/xml",
    )  # fmt: skip
    return await import_orders(session, node, feed, body)


async def import_orders(
    session: AsyncSession, node: ExchangeNode, feed: ExchangeFeed, body: bytes
) -> Imported:
    try:
        documents = parse_documents(body)
    except CommerceMLError as exc:
        intake.record(feed, [], (str(exc),))
        return Imported(False, str(exc), [])
    received = [await intake.accept_order(session, node, feed, raw) for raw in documents]
    intake.record(feed, received)
    refused = [r for r in received if r.state == intake.REFUSED]
    summary = f"documents={len(received)} refused={len(refused)}"
    lines = [summary] + [f"{r.external_id}: {r.message}" for r in refused]
    return Imported(True, "\n".join(lines), received)
