"""What a Bitrix24 event delivery says, validated: event name, portal, token, entity.

Wire format per REST_FACTS §8.3; the ``auth`` block is reduced to what we keep —
the access tokens of the user who caused the change are never stored.
"""

import hashlib
from dataclasses import dataclass
from typing import Any

from webhooks.bitrix24.form import FormError, text_at

DEAL_EVENTS = frozenset(
    {"ONCRMDEALADD", "ONCRMDEALUPDATE", "ONCRMDEALDELETE", "ONCRMDEALMOVETOCATEGORY"}
)
ITEM_EVENTS = frozenset({"ONCRMDYNAMICITEMADD", "ONCRMDYNAMICITEMUPDATE", "ONCRMDYNAMICITEMDELETE"})
APP_EVENTS = frozenset({"ONAPPINSTALL", "ONAPPUPDATE", "ONAPPUNINSTALL"})
KNOWN_EVENTS = DEAL_EVENTS | ITEM_EVENTS | APP_EVENTS
KEPT_AUTH_KEYS = ("member_id", "domain", "client_endpoint", "user_id")
MAX_ID_DIGITS = 18


@dataclass(frozen=True)
class EventEnvelope:
    name: str
    member_id: str
    application_token: str
    entity_id: str
    entity_type_id: str
    handler_id: str
    ts: str
    form: dict[str, Any]

    @property
    def dedupe_key(self) -> str:
        """sha256(member_id|event|event_handler_id|FIELDS.ID|ts) — RELIABILITY.md DR2."""
        raw = "|".join((self.member_id, self.name, self.handler_id, self.entity_id, self.ts))
        return hashlib.sha256(raw.encode()).hexdigest()

    def stored_payload(self) -> dict[str, Any]:
        raw_auth = self.form.get("auth")
        auth: dict[str, Any] = raw_auth if isinstance(raw_auth, dict) else {}
        kept = {key: auth[key] for key in KEPT_AUTH_KEYS if key in auth}
        return {"event": self.name, "data": self.form.get("data", {}), "ts": self.ts, "auth": kept}


def read_envelope(form: dict[str, Any]) -> EventEnvelope:
    name = (text_at(form, "event") or "").upper()
    if not name:
        raise FormError("missing field 'event'")
    if name not in KNOWN_EVENTS:
        raise FormError(f"event {name!r} is not one this app handles")
    member_id = _required(form, "auth", "member_id")
    token = _required(form, "auth", "application_token")
    entity_id = text_at(form, "data", "FIELDS", "ID") or ""
    if name not in APP_EVENTS:
        entity_id = _positive_id(entity_id, "data[FIELDS][ID]")
    entity_type_id = text_at(form, "data", "FIELDS", "ENTITY_TYPE_ID") or ""
    if name in ITEM_EVENTS:
        entity_type_id = _positive_id(entity_type_id, "data[FIELDS][ENTITY_TYPE_ID]")
    return EventEnvelope(
        name=name,
        member_id=member_id,
        application_token=token,
        entity_id=entity_id,
        entity_type_id=entity_type_id,
        handler_id=text_at(form, "event_handler_id") or "",
        ts=text_at(form, "ts") or "",
        form=form,
    )


def _required(form: dict[str, Any], *path: str) -> str:
    value = text_at(form, *path)
    if not value:
        name = path[0] + "".join(f"[{p}]" for p in path[1:])
        raise FormError(f"missing field '{name}'")
    return value


def _positive_id(value: str, field_name: str) -> str:
    if not value.isdigit() or len(value) > MAX_ID_DIGITS or int(value) <= 0:
        raise FormError(f"field '{field_name}' must be a positive integer")
    return str(int(value))
