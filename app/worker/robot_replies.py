"""The ``robot`` job: run a robot's product action, then answer its workflow exactly once.

Trigger: a robot call stored by ``POST /b24/robots`` (one job per ``event_token``).
Effects and their idempotency records (RELIABILITY.md DR3), keyed by the token's sha256:

* ``robot_action:{key}`` — the action ran; its answer is kept, so a retry after a
  failed reply answers with it instead of running the action again. The answer is the
  action's outcome as the tab tells it, in the portal's language: «Готово: …» or, for a
  refusal (a discount above the deal total, kits without a definition), «Не выполнено: …»
  with the reason — in ``RETURN_VALUES[result]``;
* ``robot_reply:{key}`` — ``bizproc.event.send`` (REST_FACTS §12): ``started`` before
  the call, ``done`` after it. A refusal before execution (rate limit) forgets the
  record; any other failure leaves it ``started`` and the job's backoff retries.

The token is single use: ``403 ACCESS_DENIED`` means it was used or expired. That is
terminal — recorded as ``denied``, logged as a warning and dead-lettered, never retried.
"""

import hashlib
from dataclasses import dataclass
from typing import Any

from app.core import effects, portal_store
from app.core.db import unit_of_work
from app.core.logs import get_logger, secrets
from app.core.models import Effect, Job, Portal
from app.core.outcome import Outcome
from app.core.queue import PermanentJobError
from app.worker.actions import action_handlers
from app.worker.outcomes import outcome_text
from automations.ports import Deps
from connectors.bitrix24 import (
    BadRequestError,
    NotFoundError,
    OperatingLimitError,
    PermissionDeniedError,
    Priority,
    RateLimitError,
)

log = get_logger("b24bridge.robots")
DENIED = "denied"
# Failures of the action that a retry cannot fix: the workflow is told instead.
FINAL_ACTION_ERRORS = (BadRequestError, NotFoundError, PermissionDeniedError)


def token_key(event_token: str) -> str:
    """The event_token's stand-in in keys and logs: the token itself is a secret."""
    return hashlib.sha256(event_token.encode()).hexdigest()


@dataclass(frozen=True)
class RobotJob:
    member_id: str
    action: str
    deal_id: int
    params: dict[str, Any]
    event_token: str

    @classmethod
    def from_job(cls, job: Job) -> "RobotJob":
        payload = job.payload
        return cls(
            member_id=job.member_id,
            action=str(payload.get("action", "")),
            deal_id=int(payload["deal_id"]),
            params=dict(payload.get("params") or {}),
            event_token=str(payload["event_token"]),
        )

    @property
    def reply_key(self) -> str:
        return f"robot_reply:{token_key(self.event_token)}"

    @property
    def action_key(self) -> str:
        return f"robot_action:{token_key(self.event_token)}"


async def run_robot_job(deps: Deps, job: Job) -> str:
    robot = RobotJob.from_job(job)
    secrets.add(robot.event_token)
    async with deps.sessions() as session:
        portal = await portal_store.find_active_portal(session, robot.member_id)
        known = await effects.statuses(
            session, robot.member_id, [robot.reply_key, robot.action_key]
        )
    if portal is None:
        return "portal not active"
    reply = known.get(robot.reply_key)
    if reply is not None and reply.status in (effects.DONE, DENIED):
        return f"workflow already answered ({reply.status})"
    answer = await _run_action_once(deps, portal, robot, known.get(robot.action_key))
    await _reply_once(deps, portal, robot, answer, retried=reply is not None)
    return f"workflow answered: {answer.message}"


@dataclass(frozen=True)
class RobotAnswer:
    """What the workflow is told: ``result`` and the action's named return values."""

    message: str
    values: dict[str, str]

    def return_values(self) -> dict[str, str]:
        return {"result": self.message, **self.values}


async def _run_action_once(
    deps: Deps, portal: Portal, robot: RobotJob, done: Effect | None
) -> RobotAnswer:
    if done is not None and done.status == effects.DONE:
        values = {str(k): str(v) for k, v in dict(done.result.get("values") or {}).items()}
        return RobotAnswer(str(done.result.get("message", "")), values)
    outcome = await _run_action(deps, portal, robot)
    answer = RobotAnswer(outcome_text(outcome, portal.language), dict(outcome.values))
    async with unit_of_work(deps.sessions) as session:
        await effects.start(session, robot.member_id, [(robot.action_key, "robot_action")])
        await effects.finish(
            session,
            robot.member_id,
            robot.action_key,
            result={"message": answer.message, "values": answer.values},
        )
    return answer


async def _run_action(deps: Deps, portal: Portal, robot: RobotJob) -> Outcome:
    handler = action_handlers().get(robot.action)
    if handler is None:
        return Outcome.refused(
            _say(
                portal,
                f"Действие «{robot.action}» недоступно в этой версии приложения.",
                f"The action {robot.action!r} is not available in this version of the app.",
            )
        )
    try:
        # the call's key: an action that writes (a money operation) does it once per call
        params = {**robot.params, "request_key": token_key(robot.event_token)}
        return await handler(deps, portal, robot.deal_id, params)
    except FINAL_ACTION_ERRORS as exc:
        log.warning(
            "robot action failed",
            member_id=robot.member_id,
            action=robot.action,
            deal_id=robot.deal_id,
            error=str(exc),
        )
        return Outcome.failed(_say(portal, f"Битрикс24 отказал: {exc}", f"Bitrix24 refused: {exc}"))


async def _reply_once(
    deps: Deps, portal: Portal, robot: RobotJob, answer: RobotAnswer, *, retried: bool
) -> None:
    async with unit_of_work(deps.sessions) as session:
        await effects.start(session, robot.member_id, [(robot.reply_key, "robot_reply")])
    client = deps.rest.for_portal(portal)
    params = {
        "EVENT_TOKEN": robot.event_token,
        "RETURN_VALUES": answer.return_values(),
        "LOG_MESSAGE": f"b24bridge: {answer.message}",
    }
    try:
        await client.call("bizproc.event.send", params, priority=Priority.INTERACTIVE)
    except (RateLimitError, OperatingLimitError):
        await _settle(deps, robot, forget=True)  # refused before execution: nothing was sent
        raise
    except PermissionDeniedError as exc:
        if exc.code.upper() != "ACCESS_DENIED":
            raise
        await _record_denied(deps, robot, retried=retried)
        raise PermanentJobError(
            "bizproc.event.send: ACCESS_DENIED — the event token is used or expired"
        ) from exc
    await _settle(deps, robot, result={"message": answer.message, "values": answer.values})


async def _settle(
    deps: Deps,
    robot: RobotJob,
    *,
    forget: bool = False,
    result: dict[str, Any] | None = None,
) -> None:
    async with unit_of_work(deps.sessions) as session:
        if forget:
            await effects.forget(session, robot.member_id, [robot.reply_key])
        else:
            await effects.finish(session, robot.member_id, robot.reply_key, result=result)


async def _record_denied(deps: Deps, robot: RobotJob, *, retried: bool) -> None:
    # After an attempt with an unknown outcome, ACCESS_DENIED may mean our own earlier
    # reply got through; the record says so for the operator.
    async with unit_of_work(deps.sessions) as session:
        await effects.finish(
            session,
            robot.member_id,
            robot.reply_key,
            status=DENIED,
            result={"error": "ACCESS_DENIED", "after_unknown_attempt": retried},
        )
    log.warning(
        "robot reply refused: event token used or expired; not retried",
        member_id=robot.member_id,
        action=robot.action,
        deal_id=robot.deal_id,
        call_ref=token_key(robot.event_token)[:12],
        after_unknown_attempt=retried,
    )


def _say(portal: Portal, ru: str, en: str) -> str:
    return en if portal.language == "en" else ru
