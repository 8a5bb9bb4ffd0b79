"""Portals of one sandbox: identity, users, config switches, app install state, and all
per-portal records (bindings, placements, robots, logs). Everything lives in memory."""

import hashlib
import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from sandbox.clock import Clock
from sandbox.crm_store import CrmStore
from sandbox.limits import LeakyBucket, OperatingLimits
from sandbox.scopes import parse_scope
from sandbox.settings import SandboxSettings
from sandbox.tokens import TokenRegistry


class PortalConfig(BaseModel):
    """Switches of one portal (PATCH /_sandbox/portals/{code}/config)."""

    limits_enabled: bool = True
    rate_capacity: float = 50
    rate_per_second: float = 2.0
    rate_strict_boundary: bool = True
    operating_limit_seconds: float = 480.0
    method_cost_seconds: dict[str, float] = Field(default_factory=dict)
    token_lifetime_seconds: int = 3600
    reject_reused_refresh_tokens: bool = True
    event_drop_rate: float = 0.0
    event_duplicate_rate: float = 0.0
    event_reorder: bool = False
    event_delay_seconds: float = 0.0
    random_seed: int = 24
    allow_loopback_handlers: bool = True
    # Whether placement.bind refuses a second binding of the same PLACEMENT + HANDLER
    # (REST_FACTS §9.1 is silent: UNCONFIRMED). Off: every bind adds one more tab.
    placement_bind_deduplicates: bool = True
    # REST over plain HTTP answers 400 INVALID_REQUEST "Https required" (§1, §2).
    https_required: bool = False
    # Error bodies carry no ``time`` block (the docs show none); on: they do.
    error_time_block: bool = False
    # Whether a webhook may answer a robot with bizproc.event.send (docs show OAuth only).
    webhook_event_send: bool = False
    # Whether user.userfield.add prefixes a FIELD_NAME given without UF_USR_ (UNCONFIRMED:
    # the doc says only «prefixed with UF_USR_»): "if_missing" or "never" (kept as given).
    user_field_prefix: Literal["if_missing", "never"] = "if_missing"
    # The operating-time window (§3.2): 10 one-minute baskets; tests may shrink both.
    operating_window_seconds: float = Field(default=600.0, gt=0)
    operating_basket_seconds: float = Field(default=60.0, gt=0)
    # Wall time the portal spends on a request before answering, and more per batch command
    # (benchmarks: a server that is not instant); the request is counted when it arrives.
    answer_seconds: float = Field(default=0.0, ge=0, le=60)
    answer_seconds_per_command: float = Field(default=0.0, ge=0, le=1)


@dataclass(frozen=True)
class User:
    id: int
    name: str
    last_name: str
    email: str
    admin: bool = False
    position: str = ""
    fields: dict[str, str] = field(default_factory=dict)  # user fields (UF_USR_*)

    @property
    def full_name(self) -> str:
        return f"{self.name} {self.last_name}".strip()


@dataclass
class AppInstall:
    """The local application on this portal (§7): installed only after installFinish.
    ``scope`` is what its local-app form declares; every token issued to it carries it;
    ``handler_url`` is the form's handler path: the app's own page in the portal's menu."""

    installed: bool = False
    application_token: str = ""
    install_url: str = ""
    handler_url: str = ""
    scope: tuple[str, ...] = ()


@dataclass(frozen=True)
class Webhook:
    """An incoming webhook: works for its user only, within its own scopes (§1)."""

    id: int
    code: str
    user_id: int
    scope: tuple[str, ...]


@dataclass
class Outage:
    error: str
    until: datetime
    methods: list[str] | None = None
    status: int | None = None


def _workflow_templates() -> dict[int, dict[str, Any]]:
    """Business-process templates of a fresh portal: one for deals, one for leads."""
    deal, lead = ["crm", "CCrmDocumentDeal", "DEAL"], ["crm", "CCrmDocumentLead", "LEAD"]
    return {
        1: {"ID": 1, "NAME": "Согласование заказа", "DOCUMENT_TYPE": deal},
        2: {"ID": 2, "NAME": "Квалификация лида", "DOCUMENT_TYPE": lead},
    }


@dataclass
class Portal:
    code: str
    member_id: str
    domain: str
    client_endpoint: str
    webhook_code: str
    config: PortalConfig
    bucket: LeakyBucket
    address: str = ""
    former_addresses: list[str] = field(default_factory=list)
    webhooks: dict[str, Webhook] = field(default_factory=dict)
    crm: CrmStore = field(default_factory=CrmStore)
    users: dict[int, User] = field(default_factory=dict)
    app: AppInstall = field(default_factory=AppInstall)
    operating: OperatingLimits = field(default_factory=OperatingLimits)
    outage: Outage | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    request_seq: int = 0
    bindings: list[dict[str, Any]] = field(default_factory=list)
    next_binding_id: int = 1
    offline: list[dict[str, Any]] = field(default_factory=list)
    next_offline_id: int = 1
    event_log: list[dict[str, Any]] = field(default_factory=list)
    placements: list[dict[str, Any]] = field(default_factory=list)
    robots: dict[str, dict[str, Any]] = field(default_factory=dict)
    robot_tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    workflow_replies: list[dict[str, Any]] = field(default_factory=list)
    workflow_templates: dict[int, dict[str, Any]] = field(default_factory=_workflow_templates)
    workflows: dict[str, dict[str, Any]] = field(default_factory=dict)
    user_fields: list[dict[str, Any]] = field(default_factory=list)  # user.userfield.*
    notifications: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    timeline: list[dict[str, Any]] = field(default_factory=list)
    activities: list[dict[str, Any]] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    rng: random.Random = field(default_factory=random.Random)

    def next_id(self, kind: str) -> int:
        value = self.counters.get(kind, 0) + 1
        self.counters[kind] = value
        return value

    @property
    def webhook_base(self) -> str:
        return f"{self.client_endpoint}{self.admin_id}/{self.webhook_code}/"

    @property
    def admin_id(self) -> int:
        return min((u.id for u in self.users.values() if u.admin), default=1)

    def apply_config(self, config: PortalConfig) -> None:
        self.config = config
        self.bucket.capacity = config.rate_capacity
        self.bucket.per_second = config.rate_per_second
        self.bucket.strict = config.rate_strict_boundary
        self.operating.resize(config.operating_window_seconds, config.operating_basket_seconds)
        self.rng.seed(config.random_seed)


def _digest(*parts: str, length: int = 32) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:length]


def new_portal(code: str, settings: SandboxSettings, config: PortalConfig) -> Portal:
    bucket = LeakyBucket(capacity=config.rate_capacity, per_second=config.rate_per_second)
    webhook_code = _digest("webhook", code, length=16)
    portal = Portal(
        code=code,
        member_id=_digest("member", code),
        domain=settings.domain,
        client_endpoint=f"{settings.root}/p/{code}/rest/",
        webhook_code=webhook_code,
        config=config,
        bucket=bucket,
        address=code,
    )
    portal.apply_config(config)
    portal.users[1] = User(1, "Администратор", "", "admin@example.com", admin=True)
    portal.app.scope = parse_scope(settings.app_scope)
    portal.webhooks[webhook_code] = Webhook(1, webhook_code, 1, parse_scope(settings.webhook_scope))
    return portal


@dataclass
class Sandbox:
    """The whole emulator state: settings, clock, portals and the shared auth server."""

    settings: SandboxSettings
    clock: Clock
    portals: dict[str, Portal] = field(default_factory=dict)
    tokens: TokenRegistry = field(default_factory=TokenRegistry)

    def find_portal(self, code: str) -> Portal | None:
        return self.portals.get(code)

    def portal_at(self, address: str) -> Portal | None:
        """The portal whose REST address (``/p/{address}/``) this is now."""
        return next((p for p in self.portals.values() if p.address == address), None)

    def moved_from(self, address: str) -> Portal | None:
        """The portal that answered at this address before its domain changed."""
        return next((p for p in self.portals.values() if address in p.former_addresses), None)

    def portal_by_member(self, member_id: str) -> Portal | None:
        return next((p for p in self.portals.values() if p.member_id == member_id), None)

    def now(self) -> datetime:
        return self.clock.now()
