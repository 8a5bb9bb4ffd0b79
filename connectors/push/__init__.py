"""Pushing outbox changes to a node's URL (PRODUCT §3.10, push nodes): one JSON POST per
batch of changes with an ``Idempotency-Key`` the node can deduplicate on. 2xx = delivered;
anything else or a network error = not delivered (the caller retries later)."""

from connectors.push.http_push import HttpPusher, PushError

__all__ = ["HttpPusher", "PushError"]
