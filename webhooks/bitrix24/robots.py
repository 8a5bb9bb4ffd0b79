"""The robot endpoint: parse → validate → verify → store in the inbox → commit → 200.

Bitrix24 calls a robot's handler with a form body (keys per REST_FACTS §12: ``code``,
``document_id[0..2]``, ``event_token``, ``properties[...]``, ``auth[...]``) and waits for
``bizproc.event.send``. The call is stored once per ``event_token`` (inbox dedupe key =
sha256 of the token) and arms one ``robot`` job coalesced by that token; the worker runs
the action and answers the workflow (``app.worker.robot_replies``). The token is a secret: it is
registered for log masking and kept out of the stored inbox body.
"""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import queue
from app.core.logs import get_logger, secrets
from app.core.models import InboxEvent
from app.portals.bindings import ROBOT_ACTIONS, ROBOTS
from app.worker.robot_replies import token_key
from webhooks.bitrix24.envelope import KEPT_AUTH_KEYS
from webhooks.bitrix24.form import FormError, text_at
from webhooks.bitrix24.verify import verify_sender
from webhooks.bitrix24.workflow_result import workflow_result_params

log = get_logger("b24bridge.robots")

_DEAL_DOCUMENT = re.compile(r"^DEAL_([1-9][0-9]{0,17})$")
_TOKEN = re.compile(r"^[\x21-\x7e]{8,512}$")
MAX_MONEY = Decimal("1e12")
WORKFLOW_RESULT = "b24bridge_workflow_result"
ROBOT_PROPERTIES = {robot["CODE"]: robot["PROPERTIES"] for robot in ROBOTS}


@dataclass(frozen=True)
class RobotCall:
    code: str
    deal_id: int
    event_token: str
    member_id: str
    application_token: str
    params: dict[str, str]
    form: dict[str, Any]

    @property
    def action(self) -> str:
        return str(ROBOT_ACTIONS[self.code])

    @property
    def token_key(self) -> str:
        return token_key(self.event_token)

    def stored_payload(self) -> dict[str, Any]:
        """What the inbox keeps: no event_token, no access or application token."""
        found = self.form.get("auth")
        auth: dict[str, Any] = found if isinstance(found, dict) else {}
        return {
            "code": self.code, "deal_id": self.deal_id, "properties": self.params,
            "workflow_id": text_at(self.form, "workflow_id") or "", "ts": text_at(self.form, "ts") or "",
            "auth": {key: auth[key] for key in KEPT_AUTH_KEYS if key in auth},
        }  # fmt: skip


def read_robot_call(form: dict[str, Any]) -> RobotCall:
    code = _required(form, "code")
    if code not in ROBOT_ACTIONS:
        raise FormError(f"robot code {code[:64]!r} is not one of this app's robots")
    event_token = _required(form, "event_token")
    if not _TOKEN.match(event_token):
        raise FormError("field 'event_token' is malformed")
    secrets.add(event_token)
    return RobotCall(
        code=code, deal_id=_deal_id(form), event_token=event_token,
        member_id=_required(form, "auth", "member_id"),
        application_token=_required(form, "auth", "application_token"),
        params=_properties(form, code), form=form,
    )  # fmt: skip


def _required(form: dict[str, Any], *path: str) -> str:
    value = text_at(form, *path)
    if not value:
        name = path[0] + "".join(f"[{p}]" for p in path[1:])
        raise FormError(f"missing field '{name}'")
    return value


def _deal_id(form: dict[str, Any]) -> int:
    document = _required(form, "document_id", "2")
    match = _DEAL_DOCUMENT.match(document)
    if match is None or text_at(form, "document_id", "0") != "crm":
        raise FormError(
            "field 'document_id' must name a CRM deal: [crm, CCrmDocumentDeal, DEAL_{id}]"
        )
    return int(match.group(1))


def _properties(form: dict[str, Any], code: str) -> dict[str, str]:
    params = _declared(form, code)
    return workflow_result_params(form, params) if code == WORKFLOW_RESULT else params


def _declared(form: dict[str, Any], code: str) -> dict[str, str]:
    """The robot's declared properties, validated by type; undeclared ones are dropped."""
    params: dict[str, str] = {}
    for name, spec in ROBOT_PROPERTIES[code].items():
        value = (text_at(form, "properties", name) or "").strip()
        if not value:
            if spec.get("Required") == "Y":
                raise FormError(f"missing field 'properties[{name}]'")
            continue
        params[name] = (
            positive_money(value, f"properties[{name}]") if spec.get("Type") == "double" else value
        )
    return params


def positive_money(value: str, field_name: str) -> str:
    """A positive decimal amount with at most 2 places, as a canonical string ("150.50")."""
    try:
        amount = Decimal(value.replace(",", ".").strip())
    except InvalidOperation as exc:
        raise FormError(f"field '{field_name}' must be a positive decimal number") from exc
    if not amount.is_finite() or amount <= 0 or amount >= MAX_MONEY:
        raise FormError(f"field '{field_name}' must be a positive decimal number")
    if amount != amount.quantize(Decimal("0.01")):
        raise FormError(f"field '{field_name}' has more than 2 decimal places")
    return str(amount.quantize(Decimal("0.01")))


def robot_delivery(call: RobotCall) -> queue.Delivery:
    return queue.Delivery(
        member_id=call.member_id, dedupe_key=call.token_key, source="robot", name=call.code,
        job_kind=queue.ROBOT, coalesce_key=queue.robot_key(call.member_id, call.token_key),
        entity_id=str(call.deal_id), payload=call.stored_payload(),
        job_payload={"code": call.code, "action": call.action, "deal_id": call.deal_id,
                     "params": call.params, "event_token": call.event_token},
    )  # fmt: skip


async def is_delivered(session: AsyncSession, dedupe_key: str) -> bool:
    """Whether the inbox holds this delivery already (then its job must not be re-armed)."""
    found = await session.scalar(select(InboxEvent.id).where(InboxEvent.dedupe_key == dedupe_key))
    return found is not None


async def accept_robot(session: AsyncSession, call: RobotCall) -> dict[str, Any]:
    await verify_sender(session, call.member_id, call.application_token, route="robots")
    # queue.accept re-arms a finished job; a repeated token must not run the action again.
    if await is_delivered(session, call.token_key):
        log.info(
            "robot call repeated",
            member_id=call.member_id,
            robot=call.code,
            call_ref=call.token_key[:12],
        )
        return {"status": "duplicate"}
    accepted = await queue.accept(session, robot_delivery(call))
    log.info(
        "robot call accepted",
        member_id=call.member_id,
        robot=call.code,
        deal_id=call.deal_id,
        call_ref=call.token_key[:12],
        duplicate=accepted.duplicate,
    )
    return {"status": "duplicate" if accepted.duplicate else "accepted"}
