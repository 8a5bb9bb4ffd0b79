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
from automations.exchange.promo_import import accept_promo
from webhooks.exchange.catalog import parse_promo_codes
from webhooks.exchange.commerceml import CommerceMLError, parse_documents

COOKIE = "b24bridge_1c"
SESSION_TTL = timedelta(hours=12)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


async def open_session(session: AsyncSession, node: ExchangeNode) -> str:
    """A new session; the node's expired ones are dropped on the way."""
    await session.execute(
        delete(ExchangeSession).where(
            ExchangeSession.node_id == node.id, ExchangeSession.expires_at < utc_now()
        )
    )
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
    done: bool = True


async def import_pending(
    session: AsyncSession, node: ExchangeNode, filename: str | None = None, *, step: int = 0
) -> list[Imported]:
    """Import the node's uploaded files (or one): parts joined, archived once, parsed; with
    ``step``, at most that many documents per call (``progress`` until the file is done)."""
    query = (
        select(ExchangeUpload).where(ExchangeUpload.node_id == node.id).order_by(ExchangeUpload.id)
    )
    if filename is not None:
        query = query.where(ExchangeUpload.filename == filename)
    files: dict[str, list[ExchangeUpload]] = {}
    for part in await session.scalars(query):
        files.setdefault(part.filename, []).append(part)
    return [await _import_file(session, node, parts, step) for parts in files.values()]


async def _import_file(
    session: AsyncSession, node: ExchangeNode, parts: list[ExchangeUpload], step: int
) -> Imported:
    head, body = parts[0], b"".join(part.data for part in parts)
    feed = await session.get(ExchangeFeed, head.feed_id) if head.feed_id else None
    if feed is None:
        feed = await intake.open_feed(
            session, node, door="1c", operation=_operation(head.filename), body=body,
            content_type="application/xml",
        )  # fmt: skip
        head.feed_id = feed.id
    parse, accept = READERS[head.filename.startswith(CATALOG)]
    try:
        documents = parse(body)
    except CommerceMLError as exc:
        intake.record(feed, [], (str(exc),))
        await _drop(session, parts)
        return Imported(False, str(exc), [])
    window = documents[head.imported : head.imported + step] if step else documents[head.imported :]
    received = [await accept(session, node, feed, raw) for raw in window]
    intake.record(feed, received)
    head.imported += len(window)
    if head.imported < len(documents):
        message = f"imported {head.imported} of {len(documents)}"
        return Imported(True, message, received, done=False)
    await _drop(session, parts)
    return Imported(True, _summary(feed.results), received)


CATALOG = "catalog/"  # uploads of type=catalog are stored under this prefix (no real name has /)
READERS = {
    False: (parse_documents, intake.accept_order),
    True: (parse_promo_codes, accept_promo),
}


def _operation(filename: str) -> str:
    if filename.startswith(CATALOG):
        return f"catalog file {filename.removeprefix(CATALOG)}"[:64]
    return f"sale file {filename}"[:64]


async def _drop(session: AsyncSession, parts: list[ExchangeUpload]) -> None:
    await session.execute(
        delete(ExchangeUpload).where(ExchangeUpload.id.in_([p.id for p in parts]))
    )


def _summary(results: list[dict[str, object]]) -> str:
    refused = [r for r in results if r.get("state") == intake.REFUSED]
    lines = [f"documents={len(results)} refused={len(refused)}"]
    return "\n".join(lines + [f"{r['external_id']}: {r.get('message', '')}" for r in refused])


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
    return Imported(True, _summary(feed.results), received)
