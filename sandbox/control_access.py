"""Control API, part 3: who may call what and how — the local app's declared scopes, incoming
webhooks with their own scopes, another application's traffic on the portal's leaky bucket,
and a portal domain change (the old address answers 302 from then on)."""

import re
import secrets
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from sandbox.control_portals import portal_of, sandbox_of, summary
from sandbox.scopes import ALL_SCOPES, parse_scope
from sandbox.state import Portal, Webhook

router = APIRouter(prefix="/_sandbox/portals/{code}")
_WEBHOOK_CODE = re.compile(r"^[a-z0-9]{8,32}$")


class ScopeRequest(BaseModel):
    scope: str | list[str]


class WebhookRequest(BaseModel):
    user_id: int = 1
    scope: str | list[str]
    code: str | None = Field(default=None, description="8-32 lowercase letters and digits")


class NeighbourRequest(BaseModel):
    requests: float = Field(default=0, ge=0)
    per_second: float | None = Field(default=None, ge=0)


class MoveRequest(BaseModel):
    address: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,30}$")


def _known_scopes(raw: str | list[str]) -> tuple[str, ...]:
    scope = parse_scope(raw)
    unknown = [s for s in scope if s not in ALL_SCOPES]
    if unknown:
        raise HTTPException(status_code=422, detail=f"unknown scopes: {unknown}")
    return scope


@router.put("/app-scope")
async def set_app_scope(request: Request, code: str, body: ScopeRequest) -> dict[str, Any]:
    """The scopes of the local-app form; tokens issued from now on (refreshes too) carry them."""
    portal = portal_of(request, code)
    portal.app.scope = _known_scopes(body.scope)
    return {"scope": list(portal.app.scope)}


def _webhook_out(portal: Portal, hook: Webhook) -> dict[str, Any]:
    return {
        "webhook_url": f"{portal.client_endpoint}{hook.user_id}/{hook.code}/",
        "user_id": hook.user_id,
        "scope": list(hook.scope),
    }


@router.post("/webhooks")
async def add_webhook(request: Request, code: str, body: WebhookRequest) -> dict[str, Any]:
    """An incoming webhook of a user with its own scopes (``code`` given: replaced if taken)."""
    portal = portal_of(request, code)
    if body.user_id not in portal.users:
        raise HTTPException(status_code=404, detail="no such user")
    number = max((h.id for h in portal.webhooks.values()), default=0) + 1
    hook_code = body.code or secrets.token_hex(8)
    if not _WEBHOOK_CODE.fullmatch(hook_code):
        raise HTTPException(status_code=422, detail="code: 8-32 lowercase letters and digits")
    hook = Webhook(number, hook_code, body.user_id, _known_scopes(body.scope))
    portal.webhooks[hook_code] = hook
    return _webhook_out(portal, hook)


@router.get("/webhooks")
async def list_webhooks(request: Request, code: str) -> dict[str, Any]:
    portal = portal_of(request, code)
    return {"webhooks": [_webhook_out(portal, h) for h in portal.webhooks.values()]}


@router.post("/neighbour")
async def neighbour_traffic(request: Request, code: str, body: NeighbourRequest) -> dict[str, Any]:
    """Another app on the same server calls this portal (they share one bucket, §3.1):
    ``requests`` now, and from now on ``per_second`` steadily (0 stops it)."""
    portal = portal_of(request, code)
    if body.per_second is not None:
        portal.bucket.consume(sandbox_of(request).now(), 0)
        portal.bucket.neighbour_per_second = body.per_second
    level = portal.bucket.consume(sandbox_of(request).now(), body.requests)
    return {
        "level": level,
        "capacity": portal.bucket.capacity,
        "neighbour_per_second": portal.bucket.neighbour_per_second,
    }


@router.post("/move")
async def move_portal(request: Request, code: str, body: MoveRequest) -> dict[str, Any]:
    """The portal's domain changes (change-domen.md): its REST answers at the new address and
    the old one answers 302 there. The sandbox's portals share one host, so the address is the
    ``/p/{address}/`` part; ``member_id`` stays."""
    sandbox = sandbox_of(request)
    portal = portal_of(request, code)
    taken = sandbox.portal_at(body.address) or sandbox.find_portal(body.address)
    if taken is not None and taken is not portal:
        raise HTTPException(status_code=409, detail="another portal answers at that address")
    if body.address != portal.address:
        portal.former_addresses.append(portal.address)
        portal.former_addresses = [a for a in portal.former_addresses if a != body.address]
        portal.address = body.address
        portal.client_endpoint = f"{sandbox.settings.root}/p/{body.address}/rest/"
    return summary(portal)
