"""The CRM and app event endpoint: parse → verify → store in the inbox → commit → 200.

CRM events arm a coalesced sync job per entity (the event is a dirty flag: the worker
re-reads the entity). ``ONAPPUNINSTALL`` and ``ONAPPUPDATE`` touch only our database,
so they are applied inside the same unit of work.
"""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import portal_store, queue
from app.core.errors import AppError
from app.core.logs import get_logger
from app.core.models import Portal
from webhooks.bitrix24.envelope import DEAL_EVENTS, ITEM_EVENTS, EventEnvelope
from webhooks.bitrix24.form import text_at
from webhooks.bitrix24.verify import check_sender, verify_sender

log = get_logger("b24bridge.events")
CRM_EVENTS = DEAL_EVENTS | ITEM_EVENTS


def sync_delivery(
    envelope: EventEnvelope, coalescing: queue.Coalescing = queue.IMMEDIATE
) -> queue.Delivery:
    if envelope.name in DEAL_EVENTS:
        kind, key = queue.SYNC_DEAL, queue.deal_sync_key(envelope.member_id, envelope.entity_id)
        job_payload: dict[str, Any] = {"deal_id": int(envelope.entity_id)}
    else:
        kind = queue.SYNC_ITEM
        key = queue.item_sync_key(envelope.member_id, envelope.entity_type_id, envelope.entity_id)
        job_payload = {
            "entity_type_id": int(envelope.entity_type_id),
            "item_id": int(envelope.entity_id),
        }
    return queue.Delivery(
        member_id=envelope.member_id,
        dedupe_key=envelope.dedupe_key,
        source="event",
        name=envelope.name,
        job_kind=kind,
        coalesce_key=key,
        entity_id=envelope.entity_id,
        payload=envelope.stored_payload(),
        job_payload=job_payload,
        coalescing=coalescing,
    )


async def accept_event(session: AsyncSession, envelope: EventEnvelope) -> dict[str, Any]:
    portal = await verify_sender(
        session, envelope.member_id, envelope.application_token, route="events"
    )
    if envelope.name == "ONAPPUNINSTALL":
        return await _uninstall(session, portal, envelope)
    if envelope.name == "ONAPPUPDATE":
        return await _update(session, portal, envelope)
    if envelope.name not in CRM_EVENTS:
        return {"status": "ignored"}
    sync = sync_delivery(envelope)
    accepted = (await queue.accept_many(session, [sync]))[0]
    log.info(
        "event accepted",
        member_id=envelope.member_id,
        event_name=envelope.name,
        entity_id=envelope.entity_id,
        duplicate=accepted.duplicate,
    )
    return {"status": "duplicate" if accepted.duplicate else "accepted"}


async def accept_events(
    session: AsyncSession,
    envelopes: list[EventEnvelope],
    coalescing: queue.Coalescing = queue.IMMEDIATE,
) -> list[dict[str, Any] | AppError]:
    """``accept_event`` for a burst: the senders of its CRM events are verified with one read
    and the events stored with two statements in all, whatever the burst's size. Their
    sync jobs wait ``coalescing`` for more events of the same entity."""
    answers: list[dict[str, Any] | AppError] = [{"status": "ignored"}] * len(envelopes)
    crm = [(i, e) for i, e in enumerate(envelopes) if e.name in CRM_EVENTS]
    tokens = await portal_store.find_sender_tokens(session, {e.member_id for _i, e in crm})
    accepted: list[tuple[int, queue.Delivery]] = []
    for index, envelope in enumerate(envelopes):
        if envelope.name not in CRM_EVENTS:
            answers[index] = await _accept_or_refusal(session, envelope)
            continue
        try:
            check_sender(
                tokens.get(envelope.member_id),
                envelope.member_id,
                envelope.application_token,
                route="events",
            )
        except AppError as refused:  # nothing written for this one
            answers[index] = refused
            continue
        accepted.append((index, sync_delivery(envelope, coalescing)))
    syncs = [delivery for _index, delivery in accepted]
    outcomes = await queue.accept_many(session, syncs)
    for (index, _delivery), outcome in zip(accepted, outcomes, strict=True):
        answers[index] = {"status": "duplicate" if outcome.duplicate else "accepted"}
    _log_accepted(syncs, outcomes)
    return answers


def _log_accepted(deliveries: list[queue.Delivery], outcomes: list[queue.Accepted]) -> None:
    """One line per burst (the hot path stays lean); each event is its inbox row."""
    if not deliveries:
        return
    duplicates = sum(1 for outcome in outcomes if outcome.duplicate)
    log.info("events accepted", count=len(deliveries), duplicates=duplicates)


async def _accept_or_refusal(
    session: AsyncSession, envelope: EventEnvelope
) -> dict[str, Any] | AppError:
    try:
        return await accept_event(session, envelope)
    except AppError as refused:
        return refused


async def _uninstall(
    session: AsyncSession, portal: Portal, envelope: EventEnvelope
) -> dict[str, Any]:
    purge = text_at(envelope.form, "data", "CLEAN") == "1"
    await portal_store.mark_uninstalled(session, portal, purge=purge)
    log.info("portal uninstalled", member_id=portal.member_id, purged=purge)
    return {"status": "uninstalled"}


async def _update(session: AsyncSession, portal: Portal, envelope: EventEnvelope) -> dict[str, Any]:
    tokens = {
        "access_token": text_at(envelope.form, "auth", "access_token"),
        "refresh_token": text_at(envelope.form, "auth", "refresh_token"),
    }
    await portal_store.save_tokens(session, portal.member_id, tokens)
    await queue.arm_portal_binding(session, portal.member_id)
    return {"status": "updated"}
