"""Control API, part 4: the portal's clock. Moving it forward ends an outage, drains the
leaky bucket and ages tokens as that much time would, without waiting for it."""

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from sandbox.control_portals import sandbox_of

router = APIRouter(prefix="/_sandbox")


class AdvanceRequest(BaseModel):
    seconds: float = Field(gt=0, le=30 * 86400)


@router.get("/clock")
async def read_clock(request: Request) -> dict[str, Any]:
    return {"now": sandbox_of(request).now().isoformat()}


@router.post("/clock")
async def advance_clock(request: Request, body: AdvanceRequest) -> dict[str, Any]:
    clock = sandbox_of(request).clock
    advance = getattr(clock, "advance", None)
    if advance is None:
        raise HTTPException(status_code=409, detail="this sandbox runs on a clock that cannot move")
    advance(body.seconds)
    return {"now": sandbox_of(request).now().isoformat()}
