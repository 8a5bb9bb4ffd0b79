"""HTTP route of the Bitrix24 events (CRM and app events into the inbox)."""

import json
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from app.core.errors import BadRequest
from app.core.http_deps import get_context
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


@router.post("/events", response_class=JSONResponse)
async def receive_event(request: Request) -> Response:
    """CRM and app events from Bitrix24 (form-encoded, PHP bracket keys).

    The hot path of the app: no dependency to solve and a ready answer body per status."""
    form = await read_form(request)
    try:
        envelope = read_envelope(form)
    except FormError as exc:
        raise BadRequest(str(exc)) from exc
    context = get_context(request)
    refused = await known_senders(context).refusal(envelope.member_id, envelope.application_token)
    if refused is not None:  # forged: refused before the database and the group commit
        raise refused
    return answer(await event_intake(context).submit(envelope))


_ANSWERS = {
    status: Response(
        json.dumps({"status": status}, separators=(",", ":")).encode(),
        media_type="application/json",
    ).body
    for status in ("accepted", "duplicate", "ignored", "uninstalled", "updated")
}


def answer(body: dict[str, Any]) -> Response:
    ready = _ANSWERS.get(body.get("status", "")) if len(body) == 1 else None
    if ready is not None:
        return Response(ready, media_type="application/json")
    return JSONResponse(body)
