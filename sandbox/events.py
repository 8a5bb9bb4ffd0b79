"""Asynchronous event delivery (§8.2-8.3): one asyncio queue and worker per portal, PHP-bracket
form bodies, never retried, every attempt in the portal's event log. Fault switches (drop,
duplicate, reorder, delay) use the portal's seeded RNG. Nothing is delivered (online or
offline) before the app is installed (``installFinish``, §7)."""

import asyncio
from dataclasses import dataclass
from typing import Any

import httpx

from sandbox import offline
from sandbox.auth_blocks import issue_tokens, tokenless_auth, user_auth
from sandbox.calls import PendingEvent
from sandbox.envelope import iso
from sandbox.outbound import Outbound
from sandbox.state import Portal, Sandbox


@dataclass(frozen=True)
class Delivery:
    binding: dict[str, Any]
    event: PendingEvent
    duplicated: bool = False


class EventBus:
    def __init__(self, sandbox: Sandbox, outbound: Outbound) -> None:
        self._sandbox = sandbox
        self._outbound = outbound
        self._queues: dict[str, asyncio.Queue[Delivery]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self.delivered: dict[str, int] = {}
        self._flushed: dict[str, int] = {}

    def publish(self, portal: Portal, events: list[PendingEvent]) -> None:
        for event in events:
            if not portal.app.installed:
                self._log(portal, event, None, status=None, note="not_installed")
                continue
            for binding in portal.bindings:
                if binding["event"] != event.name:
                    continue
                if binding["offline"]:
                    self._queue_offline(portal, binding, event)
                else:
                    self._schedule(portal, Delivery(binding, event))

    def _queue_offline(self, portal: Portal, binding: dict[str, Any], event: PendingEvent) -> None:
        """A change made with the binding's own ``auth_connector`` is not queued for it (§8.6)."""
        connector = str(binding.get("auth_connector") or "")
        if connector and event.connector == connector:
            return
        offline.record(
            portal,
            name=event.name,
            data=event.data,
            key=event.entity_key,
            now=self._sandbox.now(),
            connector=connector,
        )

    def _schedule(self, portal: Portal, delivery: Delivery) -> None:
        config = portal.config
        if portal.rng.random() < config.event_drop_rate:
            self._log(portal, delivery.event, delivery.binding, status=None, note="dropped")
            return
        queue = self._queue(portal.code)
        queue.put_nowait(delivery)
        if portal.rng.random() < config.event_duplicate_rate:
            queue.put_nowait(Delivery(delivery.binding, delivery.event, duplicated=True))

    def _queue(self, code: str) -> asyncio.Queue[Delivery]:
        queue = self._queues.get(code)
        worker = self._workers.get(code)
        if queue is None or worker is None or worker.done():
            queue = queue or asyncio.Queue()
            self._queues[code] = queue
            self._workers[code] = asyncio.get_running_loop().create_task(self._work(code, queue))
        return queue

    async def _work(self, code: str, queue: asyncio.Queue[Delivery]) -> None:
        while True:
            batch = [await queue.get()]
            portal = self._sandbox.find_portal(code)
            if portal is not None and portal.config.event_reorder:
                await asyncio.sleep(0)
                while not queue.empty():
                    batch.append(queue.get_nowait())
                portal.rng.shuffle(batch)
            for delivery in batch:
                try:
                    if portal is not None:
                        await self._deliver(portal, delivery)
                finally:
                    queue.task_done()

    async def _deliver(self, portal: Portal, delivery: Delivery) -> None:
        if portal.config.event_delay_seconds > 0:
            await asyncio.sleep(portal.config.event_delay_seconds)
        payload = self._payload(portal, delivery)
        try:
            response = await self._outbound.post_form(delivery.binding["handler"], payload)
        except httpx.HTTPError as exc:
            self._log(
                portal,
                delivery.event,
                delivery.binding,
                status=None,
                note=type(exc).__name__,
                duplicated=delivery.duplicated,
            )
            return
        self.delivered[portal.code] = self.delivered.get(portal.code, 0) + 1
        self._log(
            portal,
            delivery.event,
            delivery.binding,
            status=response.status_code,
            duplicated=delivery.duplicated,
        )

    def _payload(self, portal: Portal, delivery: Delivery) -> dict[str, Any]:
        user_id = delivery.event.user_id
        if user_id is not None and delivery.binding["auth_type"]:
            user_id = int(delivery.binding["auth_type"])
        if user_id is None:
            auth = tokenless_auth(self._sandbox, portal)
        else:
            auth = user_auth(self._sandbox, portal, issue_tokens(self._sandbox, portal, user_id))
        return {
            "event": delivery.event.name,
            "event_handler_id": str(delivery.binding["id"]),
            "data": delivery.event.data,
            "ts": str(int(self._sandbox.now().timestamp())),
            "auth": auth,
        }

    def _log(
        self, portal: Portal, event: PendingEvent, binding: dict[str, Any] | None, **outcome: Any
    ) -> None:
        """``outcome``: status (HTTP or None), note (dropped / not_installed / error), duplicated."""
        note = str(outcome.get("note", ""))
        portal.event_log.append(
            {
                "seq": len(portal.event_log) + 1,
                "event": event.name,
                "entity_id": event.data.get("FIELDS", {}).get("ID"),
                "url": binding["handler"] if binding else None,
                "status": outcome.get("status"),
                "dropped": note == "dropped",
                "duplicated": bool(outcome.get("duplicated")),
                "note": note,
                "automation": event.user_id is None,
                "at": iso(self._sandbox.now(), self._sandbox.settings.timezone_offset_hours),
            }
        )

    async def flush(self, code: str) -> int:
        """Wait until the portal's queue is empty; deliveries completed since the last flush."""
        queue = self._queues.get(code)
        if queue is not None:
            await queue.join()
        total = self.delivered.get(code, 0)
        since = total - self._flushed.get(code, 0)
        self._flushed[code] = total
        return since

    async def aclose(self) -> None:
        for worker in self._workers.values():
            worker.cancel()
        self._workers.clear()
        await self._outbound.aclose()
