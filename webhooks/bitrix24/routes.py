"""HTTP route of the Bitrix24 events (CRM and app events into the inbox)."""

from typing import Any

from fastapi import APIRouter, Request

from app.core.errors import BadRequest
from app.core.http_deps import ContextDep
from webhooks.bitrix24.envelope import read_envelope
from webhooks.bitrix24.form import FormError, parse_form
from webhooks.bitrix24.intake import event_intake
from webhooks.bitrix24.senders import known_senders
from webhooks.bitrix24.verify import read_body

router = APIRouter(prefix="/b24", tags=["bitrix24 callbacks"])


async def read_form(request: Request) -> dict[str, Any]:
    body = await read_body(request)
    try:
        return parse_form(body)
    except FormError as exc:
        raise BadRequest(str(exc)) from exc


@router.post("/events")
async def receive_event(request: Request, context: ContextDep) -> dict[str, Any]:
    """CRM and app events from Bitrix24 (form-encoded, PHP bracket keys)."""
    form = await read_form(request)
    try:
        envelope = read_envelope(form)
    except FormError as exc:
        raise BadRequest(str(exc)) from exc
    refused = await known_senders(context).refusal(envelope.member_id, envelope.application_token)
    if refused is not None:  # forged: refused before the database and the group commit
        raise refused
    return await event_intake(context).submit(envelope)
