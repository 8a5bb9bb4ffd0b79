"""REST v2 over HTTP: ``/rest/{method}`` (OAuth ``auth``), ``/rest/{user}/{code}/{method}``
(incoming webhook), also under ``/p/{address}/``. Order of checks: the address (a portal that
changed its domain answers 302 to the new one), HTTPS (a switch), outage, leaky bucket
(refused calls never run), auth, then the method under its operating-time limit. Every
request is written to the portal's request log, refused ones included. Error bodies are
``{"error", "error_description"}`` only, without ``time`` (REST_FACTS §1.1, §2), unless the
``error_time_block`` switch says otherwise."""

import asyncio
import json
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from sandbox.batch import method_name, run_batch
from sandbox.calls import Call, Caller
from sandbox.encoding import parse_pairs
from sandbox.envelope import iso, success_body
from sandbox.errors import RestError
from sandbox.events import EventBus
from sandbox.execution import check_outage, run_metered, time_for
from sandbox.state import Portal, Sandbox


@dataclass
class Incoming:
    portal: Portal
    method: str
    params: dict[str, Any]
    webhook: tuple[str, str] | None = None
    caller: Caller | None = None
    batch_methods: list[str] = field(default_factory=list)
    scheme: str = "http"
    bucket_level: float | None = None  # the portal's counter right after this request


async def read_params(request: Request) -> dict[str, Any]:
    """Query string and body together; the body wins. JSON, urlencoded and multipart bodies."""
    pairs: list[tuple[str, Any]] = parse_qsl(request.url.query, keep_blank_values=True)
    content_type = request.headers.get("content-type", "")
    if "application/json" in content_type:
        raw = await request.body()
        try:
            body = json.loads(raw) if raw.strip() else {}
        except ValueError as exc:
            raise RestError("INVALID_REQUEST", "Invalid JSON body", status=400) from exc
        return parse_pairs(pairs) | (body if isinstance(body, dict) else {})
    if "form" in content_type:
        form = await request.form()
        pairs += [(k, v if isinstance(v, str) else "") for k, v in form.multi_items()]
    return parse_pairs(pairs)


def parse_target(path: str) -> tuple[str, tuple[str, str] | None]:
    parts = [p for p in path.split("/") if p]
    if len(parts) == 3 and parts[0].isdigit():
        return method_name(parts[2]), (parts[0], parts[1])
    return method_name(parts[-1] if parts else ""), None


def _webhook_caller(portal: Portal, user_text: str, code: str) -> Caller:
    """A webhook works only at its own portal, for the user who made it, in its scopes."""
    hook = portal.webhooks.get(code)
    if hook is None or user_text != str(hook.user_id) or hook.user_id not in portal.users:
        raise RestError("NO_AUTH_FOUND")
    return Caller(
        user_id=hook.user_id,
        app_context=False,
        identity=f"webhook:{hook.id}",
        scopes=hook.scope,
    )


def authenticate(sandbox: Sandbox, incoming: Incoming) -> Caller:
    portal = incoming.portal
    if incoming.webhook is not None:
        return _webhook_caller(portal, *incoming.webhook)
    token = sandbox.tokens.find_access(str(incoming.params.pop("auth", "") or ""))
    if token is None or token.portal != portal.code:
        raise RestError("NO_AUTH_FOUND")
    if token.expires_at <= sandbox.now():
        raise RestError("expired_token")
    return Caller(user_id=token.user_id, app_context=True, identity="app", scopes=token.scope)


def _execute(sandbox: Sandbox, incoming: Incoming, bus: EventBus) -> Any:
    portal = incoming.portal
    limits = portal.config.limits_enabled
    if portal.config.https_required and incoming.scheme != "https":
        raise RestError("INVALID_REQUEST", "Https required")
    check_outage(sandbox, portal, incoming.method)
    if limits and not portal.bucket.try_take(sandbox.now()):
        raise RestError("QUERY_LIMIT_EXCEEDED")
    incoming.bucket_level = portal.bucket.level if limits else None
    incoming.caller = authenticate(sandbox, incoming)
    connector = str(incoming.params.pop("auth_connector", "") or "")
    call = Call(sandbox, portal, incoming.caller, incoming.params, connector=connector)
    try:
        if incoming.method == "batch":
            result, incoming.batch_methods = run_batch(call, limits=limits)
            return result
        return run_metered(call, incoming.method, limits=limits)
    finally:
        bus.publish(portal, call.events)


def _log(sandbox: Sandbox, incoming: Incoming, status: int, error: str | None) -> None:
    portal = incoming.portal
    portal.request_seq += 1
    portal.requests.append(
        {
            "seq": portal.request_seq,
            "method": incoming.method,
            "http_status": status,
            "error": error,
            "batch_commands": incoming.batch_methods,
            "user_id": incoming.caller.user_id if incoming.caller else None,
            "bucket_level": incoming.bucket_level,  # how close to the limit the caller ran
            "at": iso(sandbox.now(), sandbox.settings.timezone_offset_hours),
        }
    )


def _elsewhere(sandbox: Sandbox, request: Request, address: str, path: str) -> Response:
    """No portal answers here now: 302 to the new domain of one that moved (the client must
    re-POST, change-domen.md), else the portal is gone."""
    moved = sandbox.moved_from(address)
    if moved is None:
        return JSONResponse(
            {"error": "PORTAL_DELETED", "error_description": "Portal was deleted"}, 404
        )
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"{moved.client_endpoint}{path}{query}", status_code=302)


def _scheme(request: Request) -> str:
    """The scheme the client used: a TLS proxy in front of the sandbox says it in a header."""
    return request.headers.get("x-forwarded-proto", request.url.scheme).lower()


async def handle(request: Request, address: str, path: str) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    portal = sandbox.portal_at(address)
    if portal is None:
        return _elsewhere(sandbox, request, address, path)
    method, webhook = parse_target(path)
    incoming = Incoming(portal, method, {}, webhook=webhook, scheme=_scheme(request))
    started, clock_start = sandbox.now(), perf_counter()
    try:
        incoming.params = await read_params(request)
        outcome = _execute(sandbox, incoming, request.app.state.bus)
        body, status, error = success_body(outcome, {}), 200, None
    except RestError as exc:
        body, status, error = exc.body(), exc.status, exc.code
    if error is None or portal.config.error_time_block:
        identity = incoming.caller.identity if incoming.caller else "anonymous"
        body["time"] = time_for(
            sandbox,
            portal,
            (identity, method),
            started=started,
            processing=perf_counter() - clock_start,
        )
    _log(sandbox, incoming, status, error)
    await _spend_server_time(portal, incoming)
    return JSONResponse(body, status_code=status)


async def _spend_server_time(portal: Portal, incoming: Incoming) -> None:
    config = portal.config
    seconds = config.answer_seconds + config.answer_seconds_per_command * len(
        incoming.batch_methods
    )
    if seconds > 0:
        await asyncio.sleep(seconds)


async def default_portal_rest(request: Request) -> Response:
    settings = request.app.state.sandbox.settings
    return await handle(request, settings.default_portal, request.path_params["path"])


async def portal_rest(request: Request) -> Response:
    return await handle(request, request.path_params["portal"], request.path_params["path"])
