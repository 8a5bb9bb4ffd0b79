"""Control API, part 1: portals, config switches, outages, request log, tokens, acting as a user."""

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError

from sandbox.acting import UiAction, act
from sandbox.errors import RestError, status_of
from sandbox.events import EventBus
from sandbox.oauth import token_response
from sandbox.seed import create_portal
from sandbox.state import Outage, Portal, PortalConfig, Sandbox

router = APIRouter(prefix="/_sandbox")


class PortalRequest(BaseModel):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,30}$")
    rate_capacity: float | None = None
    rate_per_second: float | None = None
    seed: bool = False


class OutageRequest(BaseModel):
    error: str = "QUERY_LIMIT_EXCEEDED"
    seconds: float = 60
    methods: list[str] | None = None
    # an error the table does not know (a front end's maintenance answer) needs its status
    status: int | None = Field(default=None, ge=400, le=599)


class ActRequest(BaseModel):
    user_id: int = 1
    method: str
    params: dict[str, Any] = Field(default_factory=dict)
    as_automation: bool = False


class TokenRequest(BaseModel):
    user_id: int = 1


def sandbox_of(request: Request) -> Sandbox:
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox


def bus_of(request: Request) -> EventBus:
    bus: EventBus = request.app.state.bus
    return bus


def portal_of(request: Request, code: str) -> Portal:
    portal = sandbox_of(request).find_portal(code)
    if portal is None:
        raise HTTPException(status_code=404, detail=f"no portal {code!r}")
    return portal


def summary(portal: Portal) -> dict[str, Any]:
    return {
        "code": portal.code,
        "address": portal.address,
        "member_id": portal.member_id,
        "domain": portal.domain,
        "client_endpoint": portal.client_endpoint,
        "webhook_url": portal.webhook_base,
        "admin_user_id": portal.admin_id,
        "installed": portal.app.installed,
        "application_token": portal.app.application_token,
        "app_scope": list(portal.app.scope),
    }


@router.get("/portals")
async def list_portals(request: Request) -> dict[str, Any]:
    return {"portals": [summary(p) for p in sandbox_of(request).portals.values()]}


@router.post("/portals")
async def add_portal(request: Request, body: PortalRequest) -> dict[str, Any]:
    sandbox = sandbox_of(request)
    existing = sandbox.find_portal(body.code)
    if existing is not None:
        return summary(existing)
    config = PortalConfig(random_seed=sandbox.settings.random_seed)
    changes = {"rate_capacity": body.rate_capacity, "rate_per_second": body.rate_per_second}
    config = config.model_copy(update={k: v for k, v in changes.items() if v is not None})
    return summary(create_portal(sandbox, body.code, seed=body.seed, config=config))


@router.get("/portals/{code}")
async def get_portal(request: Request, code: str) -> dict[str, Any]:
    return summary(portal_of(request, code))


@router.get("/portals/{code}/config")
async def get_config(request: Request, code: str) -> dict[str, Any]:
    return portal_of(request, code).config.model_dump()


@router.patch("/portals/{code}/config")
async def patch_config(request: Request, code: str) -> dict[str, Any]:
    portal = portal_of(request, code)
    changes = await request.json()
    if not isinstance(changes, dict):
        raise HTTPException(status_code=422, detail="a JSON object is expected")
    unknown = set(changes) - set(PortalConfig.model_fields)
    if unknown:
        raise HTTPException(status_code=422, detail=f"unknown settings: {sorted(unknown)}")
    try:
        config = PortalConfig.model_validate(portal.config.model_dump() | changes)
    except ValidationError as exc:
        raise HTTPException(status_code=422, detail=exc.errors(include_url=False)) from exc
    portal.apply_config(config)
    return portal.config.model_dump()


@router.post("/portals/{code}/outage")
async def set_outage(request: Request, code: str, body: OutageRequest) -> dict[str, Any]:
    portal = portal_of(request, code)
    if body.seconds <= 0:
        portal.outage = None
        return {"active": False}
    until = sandbox_of(request).now() + timedelta(seconds=body.seconds)
    portal.outage = Outage(
        error=body.error,
        until=until,
        methods=[m.lower() for m in body.methods] if body.methods else None,
        status=body.status,
    )
    return {
        "active": True,
        "error": body.error,
        "http_status": body.status or status_of(body.error),
        "until": until.isoformat(),
    }


@router.get("/portals/{code}/requests")
async def get_requests(request: Request, code: str) -> dict[str, Any]:
    return {"requests": portal_of(request, code).requests}


@router.delete("/portals/{code}/requests")
async def clear_requests(request: Request, code: str) -> dict[str, Any]:
    portal_of(request, code).requests.clear()
    return {"cleared": True}


@router.post("/portals/{code}/expire-tokens")
async def expire_tokens(request: Request, code: str) -> dict[str, Any]:
    portal = portal_of(request, code)
    sandbox = sandbox_of(request)
    return {"expired": sandbox.tokens.expire_portal(portal.code, sandbox.now())}


@router.post("/portals/{code}/tokens")
async def new_tokens(request: Request, code: str, body: TokenRequest) -> dict[str, Any]:
    """Fresh OAuth tokens of a user, answered like the auth server does (§6)."""
    portal = portal_of(request, code)
    if body.user_id not in portal.users:
        raise HTTPException(status_code=404, detail="no such user")
    return token_response(sandbox_of(request), portal.code, body.user_id)


@router.post("/portals/{code}/act")
async def act_as_user(request: Request, code: str, body: ActRequest) -> JSONResponse:
    portal = portal_of(request, code)
    if body.user_id not in portal.users:
        raise HTTPException(status_code=404, detail="no such user")
    try:
        action = UiAction(body.user_id, body.method, body.params, body.as_automation)
        result = act(sandbox_of(request), bus_of(request), portal, action)
    except RestError as exc:
        return JSONResponse(exc.body(), status_code=exc.status)
    return JSONResponse(result)
