"""The exchange gateway's tables (PRODUCT §3.10): nodes, the feed archive, documents,
orders (one per cross-node key), the outbox of deal changes and 1C upload parts."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.models.base import json_field, timestamp_field


class ExchangeNode(SQLModel, table=True):
    """One external system (a 1C base, a B2B portal); its secret is stored hashed only."""

    __tablename__ = "exchange_nodes"
    __table_args__ = (UniqueConstraint("member_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: str = Field(max_length=64, index=True)
    name: str = Field(max_length=100)
    kind: str = Field(max_length=8)
    direction: str = Field(max_length=8)
    login: str = Field(max_length=64, unique=True)
    secret_hash: str = Field(max_length=255)
    deal_category_id: int | None = None
    company_id: int | None = None
    default_user_id: int | None = None
    cutoff: date | None = None
    allow_create_products: bool = False
    dedupe_rule: str = Field(default="site_or_number", max_length=32)
    property_map: dict[str, str] = json_field()
    push_url: str = Field(default="", max_length=500)
    sms_templates: dict[str, str] = json_field()
    kits: str = Field(default="", max_length=16)  # how the node stores kits: "" = as the portal
    enabled: bool = True
    created_at: datetime = timestamp_field()


class ExchangeFeed(SQLModel, table=True):
    """Every payload received from or sent to a node, with its per-document results."""

    __tablename__ = "exchange_feeds"

    id: int | None = Field(default=None, primary_key=True)
    member_id: str = Field(max_length=64, index=True)
    node_id: int = Field(index=True)
    direction: str = Field(max_length=8)
    door: str = Field(max_length=8)
    operation: str = Field(max_length=64)
    content_type: str = Field(default="", max_length=100)
    body: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    results: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    errors: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = timestamp_field(index=True)


class ExchangeOrder(SQLModel, table=True):
    """One order across nodes: the cross-node key decides it, the first node is its origin."""

    __tablename__ = "exchange_orders"
    __table_args__ = (UniqueConstraint("member_id", "dedupe_key"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: str = Field(max_length=64, index=True)
    dedupe_key: str = Field(max_length=255)
    origin_node_id: int
    deal_id: int | None = Field(default=None, index=True)
    applied_hash: str = Field(default="", max_length=64)
    snapshot: dict[str, Any] = json_field()
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class ExchangeDocument(SQLModel, table=True):
    """One document as a node sent it, keyed by (node, kind, external id)."""

    __tablename__ = "exchange_documents"
    __table_args__ = (UniqueConstraint("node_id", "kind", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: str = Field(max_length=64, index=True)
    node_id: int
    kind: str = Field(max_length=16)
    external_id: str = Field(max_length=255)
    order_id: int | None = Field(default=None, index=True)
    feed_id: int | None = None
    content_hash: str = Field(max_length=64)
    document: dict[str, Any] = json_field()
    status: str = Field(default="pending", max_length=16)
    result: dict[str, Any] = json_field()
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class ExchangeOutbox(SQLModel, table=True):
    """A deal change for one node; its id is the node's cursor. Acknowledged = never resent."""

    __tablename__ = "exchange_outbox"

    id: int | None = Field(default=None, primary_key=True)
    member_id: str = Field(max_length=64, index=True)
    node_id: int = Field(index=True)
    deal_id: int
    change: dict[str, Any] = json_field()
    offered_at: datetime | None = timestamp_field(nullable=True)
    acked_at: datetime | None = timestamp_field(nullable=True, index=True)
    created_at: datetime = timestamp_field()


class ExchangeUpload(SQLModel, table=True):
    """One part of a 1C ``mode=file`` upload, stored before ``success`` is answered."""

    __tablename__ = "exchange_uploads"

    id: int | None = Field(default=None, primary_key=True)
    node_id: int = Field(index=True)
    filename: str = Field(max_length=255)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    imported: int = 0  # on a file's first part: documents already taken by ``mode=import``
    feed_id: int | None = None
    created_at: datetime = timestamp_field()


class ExchangeSession(SQLModel, table=True):
    """A 1C session opened by ``checkauth``: the cookie's hash, never the cookie."""

    __tablename__ = "exchange_sessions"

    id: int | None = Field(default=None, primary_key=True)
    node_id: int = Field(index=True)
    cookie_hash: str = Field(max_length=64, unique=True)
    offered_up_to: int = 0
    expires_at: datetime = timestamp_field()


class ExchangeWorkflow(SQLModel, table=True):
    """A ``workflow.start`` request of a node: stored before the answer, started by a job,
    settled by the result robot's report (matched by the workflow id)."""

    __tablename__ = "exchange_workflows"
    __table_args__ = (UniqueConstraint("node_id", "idempotency_key"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: str = Field(max_length=64, index=True)
    node_id: int = Field(index=True)
    idempotency_key: str = Field(max_length=128)
    order_id: int | None = None
    deal_id: int | None = None
    template_id: int
    parameters: dict[str, Any] = json_field()
    workflow_id: str | None = Field(default=None, max_length=64, index=True)
    status: str = Field(default="pending", max_length=16)
    values: dict[str, Any] = json_field()
    message: str = Field(default="", max_length=1000)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class ExchangeWorkflowReport(SQLModel, table=True):
    """What the result robot reported at the end of a workflow, once per workflow id; kept
    even when it arrives before the start job has recorded that id."""

    __tablename__ = "exchange_workflow_reports"
    __table_args__ = (UniqueConstraint("member_id", "workflow_id"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: str = Field(max_length=64, index=True)
    workflow_id: str = Field(max_length=64)
    deal_id: int
    status: str = Field(max_length=16)
    values: dict[str, Any] = json_field()
    message: str = Field(default="", max_length=1000)
    created_at: datetime = timestamp_field()
