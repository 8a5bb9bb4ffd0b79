"""Replay an archived incoming feed through the door it came in by: the same parser, the
same core, a new archive row; documents already applied answer ``unchanged``."""

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.models import ExchangeFeed, ExchangeNode
from automations.exchange import intake
from automations.exchange.nodes import NodeError
from webhooks.exchange.jsonrpc import RpcError, dispatch, parse_body
from webhooks.exchange.onec import import_orders
from webhooks.exchange.rpc_methods import NodeMethods

REPLAYABLE = ("order.upsert", "counterparty.upsert")


async def replay_feed(session: AsyncSession, feed_id: int) -> ExchangeFeed:
    original = await session.get(ExchangeFeed, feed_id)
    if original is None or original.direction != "in":
        raise NodeError(
            f"Входящая запись архива {feed_id} не найдена. / No incoming feed {feed_id}."
        )
    node = await session.get(ExchangeNode, original.node_id)
    if node is None:
        raise NodeError(f"Узел записи {feed_id} удалён. / The feed's node is gone.")
    feed = await intake.open_feed(
        session, node, door=original.door, operation=f"replay {feed_id}", body=original.body,
        content_type=original.content_type,
    )  # fmt: skip
    if original.door == "1c":
        await import_orders(session, node, feed, original.body)
    else:
        await _replay_rpc(session, node, feed)
    return feed


async def _replay_rpc(session: AsyncSession, node: ExchangeNode, feed: ExchangeFeed) -> None:
    try:
        raw = parse_body(feed.body)
    except RpcError as error:
        feed.errors = [error.message]
        return
    calls = raw if isinstance(raw, list) else [raw]
    methods = {
        name: method
        for name, method in NodeMethods(session, node, feed).table().items()
        if name in REPLAYABLE
    }
    for call in calls:
        if isinstance(call, dict) and call.get("method") in REPLAYABLE:
            await dispatch(call, methods)
