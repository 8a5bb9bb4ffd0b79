"""A person acting in the portal's UI: run a method as a user outside the REST limits and the
request log, firing events with that user's tokens (or token-less as automation)."""

from dataclasses import dataclass, field
from typing import Any

from sandbox.calls import Call, Caller, run_method
from sandbox.envelope import Page, phpize
from sandbox.events import EventBus
from sandbox.state import Portal, Sandbox


@dataclass(frozen=True)
class UiAction:
    user_id: int
    method: str
    params: dict[str, Any] = field(default_factory=dict)
    automation: bool = False


def act(sandbox: Sandbox, bus: EventBus, portal: Portal, action: UiAction) -> dict[str, Any]:
    """Raises RestError like the REST path would; returns ``{"result": …}`` (+ total/next)."""
    caller = Caller(
        user_id=action.user_id,
        app_context=True,
        identity=f"ui:{action.user_id}",
        automation=action.automation,
    )
    call = Call(sandbox, portal, caller, dict(action.params))
    try:
        outcome = run_method(call, action.method.lower())
    finally:
        bus.publish(portal, call.events)
    if isinstance(outcome, Page):
        body: dict[str, Any] = {"result": phpize(outcome.result), "total": outcome.total}
        if outcome.next is not None:
            body["next"] = outcome.next
        return body
    return {"result": phpize(outcome)}
