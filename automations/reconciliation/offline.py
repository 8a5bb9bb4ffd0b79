"""Offline events (REST_FACTS §8.6): ``event.offline.get`` with ``clear=0`` reserves a batch
under a ``process_id``; we arm the sync jobs and commit, remembering the process id;
only then ``event.offline.clear``. A crash in between re-reads the same reserved batch
next time (its ``process_id`` is stored), so every message is applied and cleared once.
"""

from __future__ import annotations

from typing import Any

from app.core import queue
from app.core.db import unit_of_work
from app.core.models import Portal
from app.core.portal_settings import load_portal_settings, update_portal_settings
from automations.ports import Deps
from connectors.bitrix24 import Bitrix24Client

PROCESS_KEY = "offline_process_id"
MAX_BATCHES = 20


def _job_for(member_id: str, event: dict[str, Any]) -> tuple[str, str, dict[str, Any]] | None:
    name = str(event.get("EVENT_NAME") or "").upper()
    fields = (event.get("EVENT_DATA") or {}).get("FIELDS") or {}
    entity_id = str(fields.get("ID") or "")
    if not entity_id.isdigit():
        return None
    if name.startswith("ONCRMDEAL"):
        return (
            queue.SYNC_DEAL,
            queue.deal_sync_key(member_id, entity_id),
            {"deal_id": int(entity_id)},
        )
    type_id = str(fields.get("ENTITY_TYPE_ID") or "")
    if name.startswith("ONCRMDYNAMICITEM") and type_id.isdigit():
        return (
            queue.SYNC_ITEM,
            queue.item_sync_key(member_id, type_id, entity_id),
            {"entity_type_id": int(type_id), "item_id": int(entity_id)},
        )
    return None


async def _arm(deps: Deps, member_id: str, process_id: str, events: list[dict[str, Any]]) -> None:
    async with unit_of_work(deps.sessions) as session:
        for event in events:
            job = _job_for(member_id, event)
            if job is not None:
                await queue.arm_job(session, member_id, *job)
        await update_portal_settings(session, member_id, {PROCESS_KEY: process_id})


async def _forget_process(deps: Deps, member_id: str) -> None:
    async with unit_of_work(deps.sessions) as session:
        await update_portal_settings(session, member_id, {PROCESS_KEY: ""})


async def drain_offline_events(deps: Deps, portal: Portal, client: Bitrix24Client) -> int:
    """Arm a sync job for every queued offline event; returns how many were taken."""
    async with deps.sessions() as session:
        pending = str(
            (await load_portal_settings(session, portal.member_id)).get(PROCESS_KEY) or ""
        )
    taken = 0
    for _ in range(MAX_BATCHES):
        params: dict[str, Any] = {"clear": 0, "limit": 50}
        if pending:
            params["process_id"] = pending  # a batch reserved before a crash: read it again
        result = await client.call("event.offline.get", params)
        process_id, events = str(result.get("process_id") or ""), list(result.get("events") or [])
        if not events or not process_id:
            if pending:
                await _forget_process(deps, portal.member_id)
            return taken
        await _arm(deps, portal.member_id, process_id, events)
        await client.call("event.offline.clear", {"process_id": process_id})
        await _forget_process(deps, portal.member_id)
        taken, pending = taken + len(events), ""
    return taken
