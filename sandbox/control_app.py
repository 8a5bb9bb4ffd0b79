"""Control API, part 2: the app's lifecycle, placements, robots, and what the portal recorded
(notifications, tasks, timeline, activities, events, workflow replies)."""

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from sandbox import lifecycle
from sandbox.control_portals import bus_of, portal_of, sandbox_of
from sandbox.methods.placement import placement_out
from sandbox.outbound import Outbound

router = APIRouter(prefix="/_sandbox/portals/{code}")


class InstallRequest(BaseModel):
    install_url: str
    handler_url: str | None = None
    user_id: int = 1
    finish: str = "auto"


class UninstallRequest(BaseModel):
    clean: bool = True


class AppEventRequest(BaseModel):
    event: str = "ONAPPINSTALL"
    url: str
    user_id: int | None = None


class PlacementRequest(BaseModel):
    placement: str = "CRM_DEAL_DETAIL_TAB"
    entity_id: int = 0
    user_id: int = 1


class RobotRunRequest(BaseModel):
    document_id: list[str] = Field(default_factory=lambda: ["crm", "CCrmDocumentDeal", "DEAL_1"])
    properties: dict[str, Any] = Field(default_factory=dict)
    user_id: int | None = None
    workflow_id: str | None = None


class WorkflowEnd(BaseModel):
    """A started workflow reaches its last step: the app's result robot."""

    robot_code: str = "b24bridge_workflow_result"
    properties: dict[str, Any] = Field(default_factory=dict)


def outbound_of(request: Request) -> Outbound:
    outbound: Outbound = request.app.state.outbound
    return outbound


@router.post("/install")
async def install(request: Request, code: str, body: InstallRequest) -> dict[str, Any]:
    portal = portal_of(request, code)
    return await lifecycle.install(
        sandbox_of(request), outbound_of(request), portal, body.model_dump()
    )


@router.post("/install-finish")
async def install_finish(request: Request, code: str) -> dict[str, Any]:
    portal = portal_of(request, code)
    lifecycle.ensure_application_token(portal)
    portal.app.installed = True
    return {"installed": True}


@router.post("/uninstall")
async def uninstall(request: Request, code: str, body: UninstallRequest) -> dict[str, Any]:
    portal = portal_of(request, code)
    return await lifecycle.uninstall(
        sandbox_of(request), outbound_of(request), portal, clean=body.clean
    )


@router.post("/app-event")
async def app_event(request: Request, code: str, body: AppEventRequest) -> dict[str, Any]:
    portal = portal_of(request, code)
    return await lifecycle.app_event(
        sandbox_of(request), outbound_of(request), portal, body.model_dump()
    )


class AppPageRequest(BaseModel):
    url: str
    user_id: int = 1


@router.post("/app-page")
async def app_page_request(request: Request, code: str, body: AppPageRequest) -> dict[str, Any]:
    """What the portal POSTs when a user opens the app itself (the local app's handler path,
    ``PLACEMENT=DEFAULT``, REST_FACTS §9.3) — the app's main page, e.g. its settings."""
    portal = portal_of(request, code)
    if not portal.app.installed:
        raise HTTPException(status_code=409, detail="the app is not installed")
    portal.app.handler_url = body.url
    frame = lifecycle.Frame(body.url, "DEFAULT", body.user_id, {})
    return lifecycle.frame_request(sandbox_of(request), portal, frame)


@router.post("/placement-request")
async def placement_request(request: Request, code: str, body: PlacementRequest) -> dict[str, Any]:
    """Exactly what the portal would POST to the bound handler of a tab (fresh user tokens)."""
    portal = portal_of(request, code)
    if not portal.app.installed:
        raise HTTPException(
            status_code=409, detail="the app is not installed: widgets are not shown"
        )
    binding = next((b for b in portal.placements if b["placement"] == body.placement.upper()), None)
    if binding is None:
        raise HTTPException(status_code=404, detail=f"nothing bound to {body.placement}")
    options = lifecycle.tab_options(binding["placement"], body.entity_id)
    return lifecycle.frame_request(
        sandbox_of(request),
        portal,
        lifecycle.Frame(binding["handler"], binding["placement"], body.user_id, options),
    )


@router.post("/robots/{robot_code}/run")
async def run_robot(
    request: Request, code: str, robot_code: str, body: RobotRunRequest
) -> dict[str, Any]:
    portal = portal_of(request, code)
    robot = portal.robots.get(robot_code)
    if robot is None:
        raise HTTPException(status_code=404, detail=f"no robot {robot_code!r}")
    return await lifecycle.run_robot(
        sandbox_of(request), outbound_of(request), portal, robot=robot, request=body.model_dump()
    )


@router.get("/workflows")
async def workflows(request: Request, code: str) -> dict[str, Any]:
    return {"workflows": list(portal_of(request, code).workflows.values())}


@router.post("/workflows/{workflow_id}/finish")
async def finish_workflow(
    request: Request, code: str, workflow_id: str, body: WorkflowEnd
) -> dict[str, Any]:
    """The workflow's last step calls the robot's handler (with this workflow's id)."""
    portal = portal_of(request, code)
    workflow = portal.workflows.get(workflow_id)
    robot = portal.robots.get(body.robot_code)
    if workflow is None or robot is None:
        raise HTTPException(status_code=404, detail="no such workflow or robot")
    run = {"document_id": workflow["DOCUMENT_ID"], "properties": body.properties,
           "workflow_id": workflow_id}  # fmt: skip
    answer = await lifecycle.run_robot(
        sandbox_of(request), outbound_of(request), portal, robot=robot, request=run
    )
    workflow["finished"] = True
    return answer


@router.get("/notifications")
async def notifications(request: Request, code: str, user_id: int | None = None) -> dict[str, Any]:
    items = portal_of(request, code).notifications
    return {"notifications": [n for n in items if user_id is None or n["user_id"] == user_id]}


@router.get("/tasks")
async def tasks(request: Request, code: str, user_id: int | None = None) -> dict[str, Any]:
    items = portal_of(request, code).tasks
    return {"tasks": [t for t in items if user_id is None or t["responsibleId"] == str(user_id)]}


@router.get("/timeline")
async def timeline(
    request: Request, code: str, entity_type: str | None = None, entity_id: int | None = None
) -> dict[str, Any]:
    items = portal_of(request, code).timeline
    chosen = [
        t
        for t in items
        if (entity_type is None or t["entity_type"] == entity_type.lower())
        and (entity_id is None or t["entity_id"] == entity_id)
    ]
    return {"comments": chosen}


@router.get("/activities")
async def activities(request: Request, code: str) -> dict[str, Any]:
    return {"activities": portal_of(request, code).activities}


@router.get("/robots")
async def robots(request: Request, code: str) -> dict[str, Any]:
    return {"robots": list(portal_of(request, code).robots.values())}


@router.get("/placements")
async def placements(request: Request, code: str) -> dict[str, Any]:
    return {"placements": [placement_out(b) for b in portal_of(request, code).placements]}


@router.get("/events/bound")
async def bound_events(request: Request, code: str) -> dict[str, Any]:
    return {"bindings": portal_of(request, code).bindings}


@router.get("/events/log")
async def event_log(request: Request, code: str) -> dict[str, Any]:
    return {"deliveries": portal_of(request, code).event_log}


@router.post("/events/flush")
async def flush_events(request: Request, code: str) -> dict[str, Any]:
    portal = portal_of(request, code)
    return {"delivered": await bus_of(request).flush(portal.code)}


@router.get("/workflow-replies")
async def workflow_replies(request: Request, code: str) -> dict[str, Any]:
    return {"replies": portal_of(request, code).workflow_replies}
