"""Push nodes: the ``exchange_push`` job POSTs a node's unacknowledged changes to its URL
and acknowledges them when the node answers 2xx.

Trigger: an outbox entry for a node with a push URL (armed in the same transaction), and the
periodic sync (``EXCHANGE_SYNC_INTERVAL_SECONDS``) for every push node with anything
unacknowledged. A node that is down (unreachable, 5xx) is retried at most
``EXCHANGE_PUSH_RETRY_MAX_SECONDS`` apart for as long as it is down — never dead-lettered;
one that refuses (4xx) is dead-lettered after the usual attempts and re-armed by the sync.
Idempotency: the ``Idempotency-Key`` is ``<node>:<first cursor>-<last cursor>``; a push whose
acknowledgement was lost is sent again with the same key, and the node drops the repeat.
"""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import queue
from app.core.db import unit_of_work
from app.core.models import ExchangeNode, ExchangeOutbox, Job
from automations.exchange import outbox
from automations.ports import Deps
from connectors.push import HttpPusher, PushError

BATCH = 100


class PushFailed(Exception):
    """The node refused the changes (a 4xx): the job retries with backoff, then is
    dead-lettered; the periodic sync arms it again."""


class NodeDown(queue.UnavailableError):
    """The node is unreachable or answers 5xx/408/429: the job retries at most
    ``EXCHANGE_PUSH_RETRY_MAX_SECONDS`` apart for as long as the node is down, and is never
    dead-lettered for it, so the changes arrive within that pause of the node's return."""


async def push_changes(deps: Deps, job: Job) -> str:
    node_id = int(job.payload["node_id"])
    async with deps.sessions() as session:
        node = await session.get(ExchangeNode, node_id)
        entries = await outbox.pending(session, node_id, limit=BATCH) if node else []
    if node is None or not node.enabled or not node.push_url or not entries:
        return "nothing to push"
    changes = [outbox.as_change(entry) for entry in entries]
    first, last = changes[0]["cursor"], changes[-1]["cursor"]
    body = {"jsonrpc": "2.0", "method": "changes.push", "params": {"changes": changes}}
    pusher = HttpPusher()
    try:
        await pusher.push(node.push_url, body, idempotency_key=f"{node_id}:{first}-{last}")
    except PushError as exc:
        if exc.down:
            cap = deps.settings.exchange_push_retry_max_seconds
            raise NodeDown(f"node {node_id} is down: {exc}", retry_max_seconds=cap) from exc
        raise PushFailed(str(exc)) from exc
    except Exception as exc:
        raise PushFailed(str(exc)) from exc
    finally:
        await pusher.aclose()
    async with unit_of_work(deps.sessions) as session:
        await outbox.acknowledge(session, node_id, last)
        if len(entries) == BATCH:
            await queue.arm_exchange_push(session, node.member_id, node_id)
    return f"pushed {len(changes)} change(s) to node {node_id}"


async def arm_pending_pushes(session: AsyncSession) -> int:
    """The periodic sync: one push job per push node with unacknowledged changes."""
    rows = await session.execute(
        select(ExchangeOutbox.node_id, ExchangeNode.member_id)
        .distinct()
        .join(ExchangeNode, ExchangeNode.id == ExchangeOutbox.node_id)
        .where(
            ExchangeOutbox.acked_at.is_(None),
            ExchangeNode.push_url != "",
            ExchangeNode.enabled.is_(True),
        )
    )
    armed = 0
    for node_id, member_id in rows.all():
        await queue.arm_exchange_push(session, member_id, int(node_id))
        armed += 1
    return armed
