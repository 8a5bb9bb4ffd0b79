"""Push nodes: the ``exchange_push`` job POSTs a node's unacknowledged changes to its URL
and acknowledges them when the node answers 2xx.

Trigger: an outbox entry for a node with a push URL (armed in the same transaction), and the
periodic sync (``EXCHANGE_SYNC_INTERVAL_SECONDS``) for every push node with anything
unacknowledged — so a node down for longer than the job's retries still gets everything.
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
from connectors.push import HttpPusher

BATCH = 100


class PushFailed(Exception):
    """The node did not take the changes; the job retries with backoff."""


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
