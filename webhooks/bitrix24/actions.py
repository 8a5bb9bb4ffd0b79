"""Action webhooks for Bitrix24's generic "webhook" automation rule (PRODUCT.md §3.2).

An admin points the rule at ``/b24/actions/{action}?member_id=…&deal_id=…&secret=…``
(GET or POST; the same fields are also read from a form body). The portal's
``action_secret``, compared in constant time, is the proof. An accepted request goes
through the inbox and arms one ``action`` job (the shape ``app.worker.actions.queue_action``
arms); its request key is sha256(member|action|deal|amount|minute), so the rule firing
twice within the same minute runs the action once.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import queue
from app.core.errors import Forbidden, NotFound, Unauthorized
from app.core.logs import get_logger
from app.core.models import Portal
from app.core.portal_store import find_active_portal
from app.core.security import fingerprint, tokens_match
from app.worker.actions import ACTIONS
from webhooks.bitrix24.form import FormError
from webhooks.bitrix24.robots import is_delivered, positive_money
from webhooks.bitrix24.verify import security_log

log = get_logger("b24bridge.actions")
MAX_ID_DIGITS = 18
MAX_FIELD_LENGTH = 256


@dataclass(frozen=True)
class ActionRequest:
    action: str
    member_id: str
    deal_id: int
    secret: str
    params: dict[str, str]

    def request_key(self, now: datetime) -> str:
        minute = int(now.timestamp()) // 60
        raw = "|".join(
            (
                self.member_id,
                self.action,
                str(self.deal_id),
                self.params.get("amount", ""),
                str(minute),
            )
        )
        return hashlib.sha256(raw.encode()).hexdigest()


def read_action_request(action: str, fields: dict[str, str]) -> ActionRequest:
    if action not in ACTIONS:
        raise NotFound(f"no action {action[:64]!r}; known: {', '.join(ACTIONS)}")
    params = (
        {"amount": positive_money(_required(fields, "amount"), "amount")}
        if action == "apply_discount"
        else {}
    )
    return ActionRequest(
        action=action,
        member_id=_required(fields, "member_id"),
        deal_id=_deal_id(fields),
        secret=_required(fields, "secret"),
        params=params,
    )


def _required(fields: dict[str, str], name: str) -> str:
    value = fields.get(name, "").strip()
    if not value:
        raise FormError(f"missing field '{name}'")
    if len(value) > MAX_FIELD_LENGTH:
        raise FormError(f"field '{name}' is too long")
    return value


def _deal_id(fields: dict[str, str]) -> int:
    # The rule may insert the document id ("DEAL_759") or the plain ID ("759").
    value = _required(fields, "deal_id").upper().removeprefix("DEAL_")
    if not value.isdigit() or len(value) > MAX_ID_DIGITS or int(value) <= 0:
        raise FormError("field 'deal_id' must be a positive integer")
    return int(value)


async def verify_action_secret(session: AsyncSession, request: ActionRequest) -> Portal:
    portal = await find_active_portal(session, request.member_id)
    if portal is None:
        security_log.warning(
            "rejected: unknown portal", route="actions", member_id=request.member_id[:64]
        )
        raise Unauthorized("unknown or uninstalled portal")
    if not tokens_match(portal.action_secret, request.secret):
        security_log.warning(
            "rejected: action secret mismatch",
            route="actions",
            member_id=request.member_id,
            secret_fingerprint=fingerprint(request.secret),
        )
        raise Forbidden("the secret does not match this portal")
    return portal


def action_delivery(request: ActionRequest, key: str) -> queue.Delivery:
    return queue.Delivery(
        member_id=request.member_id, dedupe_key=key, source="action", name=request.action,
        job_kind=queue.ACTION, coalesce_key=queue.action_key(request.member_id, key), entity_id=str(request.deal_id),
        payload={"action": request.action, "deal_id": request.deal_id, "params": request.params},
        job_payload={"action": request.action, "deal_id": request.deal_id, "params": request.params},
    )  # fmt: skip


async def accept_action(
    session: AsyncSession, request: ActionRequest, *, now: datetime
) -> dict[str, Any]:
    await verify_action_secret(session, request)
    key = request.request_key(now)
    if await is_delivered(session, key):
        return {"status": "duplicate"}
    await queue.accept(session, action_delivery(request, key))
    log.info(
        "action webhook accepted",
        member_id=request.member_id,
        action=request.action,
        deal_id=request.deal_id,
    )
    return {"status": "queued"}


def action_urls(app_base_url: str, portal: Portal) -> dict[str, str]:
    """The copy-paste URL of every action; ``{{ID}}`` is the deal id the rule inserts."""
    base = app_base_url.rstrip("/")
    urls = {}
    for action in ACTIONS:
        query = {"member_id": portal.member_id, "deal_id": "{{ID}}", "secret": portal.action_secret}
        if action == "apply_discount":
            query["amount"] = "{{amount}}"
        urls[action] = f"{base}/b24/actions/{action}?{urlencode(query, safe='{}')}"
    return urls
