"""The route of Bitrix24's events (CRM and app events into the inbox), ahead of FastAPI.

``POST /b24/events`` is the app's hot path: Bitrix24 sends a request per changed entity, so
a mass update is a storm of them. It is answered in plain ASGI before FastAPI's middleware
stack (the app's ``__call__``, ``app.web.main.BridgeApp``): its error, telemetry,
body-limit, routing, exception and dependency layers cost as much CPU as the rest of a
bare endpoint's request (measured with ``benchmarks/event_intake.py``). Every other request
goes on to FastAPI. The answers are FastAPI's: the same ready JSON bodies, and a refusal
rendered by ``app.core.errors.error_body``.
"""

import json
from typing import Any

from starlette.types import Receive, Scope, Send

from app.core.context import AppContext
from app.core.errors import AppError, BadRequest, error_body
from app.core.logs import get_logger
from webhooks.bitrix24.body import ClientGone, form_of, receive_body
from webhooks.bitrix24.envelope import read_envelope
from webhooks.bitrix24.form import FormError
from webhooks.bitrix24.intake import event_intake
from webhooks.bitrix24.senders import known_senders

EVENTS_PATH = "/b24/events"
log = get_logger("b24bridge.events")


def is_event_request(scope: Scope) -> bool:
    return bool(
        scope["type"] == "http" and scope["path"] == EVENTS_PATH and scope["method"] == "POST"
    )


async def answer_event(context: AppContext, scope: Scope, receive: Receive, send: Send) -> None:
    """Answer one ``POST /b24/events`` (nothing, when the sender hung up mid-body)."""
    try:
        status, answer = await _answer(context, scope, receive)
    except ClientGone:  # nobody is left to answer
        return
    await _send_json(send, status, answer)


async def receive_event(context: AppContext, body: bytes) -> dict[str, Any]:
    """Parse → verify → store in the inbox → commit; the answer once the row is committed."""
    form = form_of(body)
    try:
        envelope = read_envelope(form)
    except FormError as exc:
        raise BadRequest(str(exc)) from exc
    refused = await known_senders(context).refusal(envelope.member_id, envelope.application_token)
    if refused is not None:  # forged: refused before the database and the group commit
        raise refused
    return await event_intake(context).submit(envelope)


async def _answer(context: AppContext, scope: Scope, receive: Receive) -> tuple[int, bytes]:
    try:
        body = await receive_body(receive, scope["headers"])
        answer = await receive_event(context, body)
    except ClientGone:
        raise
    except AppError as refused:
        return refused.status_code, _json(error_body(refused))
    except Exception as exc:  # never a traceback to the sender; the event was not stored
        log.error("event route failed", error=f"{type(exc).__name__}: {exc}")
        return 500, _json({"error": "internal_error", "error_description": "internal error"})
    ready = _ANSWERS.get(answer.get("status", "")) if len(answer) == 1 else None
    return 200, ready if ready is not None else _json(answer)


def _json(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


_ANSWERS = {
    status: _json({"status": status})
    for status in ("accepted", "duplicate", "ignored", "uninstalled", "updated")
}


async def _send_json(send: Send, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
