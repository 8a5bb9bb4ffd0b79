"""The durable inbox: raw accepted events, the coalesced jobs they arm, effects and reminders."""

from datetime import datetime
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.models.base import json_field, timestamp_field


class InboxEvent(SQLModel, table=True):
    """Every accepted delivery, deduplicated; secrets are stripped from the stored body."""

    __tablename__ = "inbox_events"

    id: int | None = Field(default=None, primary_key=True)
    member_id: str = Field(max_length=64, index=True)
    dedupe_key: str = Field(max_length=64, unique=True)
    source: str = Field(max_length=16)
    name: str = Field(max_length=64)
    entity_id: str = Field(default="", max_length=64)
    payload: dict[str, Any] = json_field()
    job_id: int | None = None
    received_at: datetime = timestamp_field()


class Job(SQLModel, table=True):
    """One unit of work; sync jobs are coalesced per (portal, entity) through ``coalesce_key``."""

    __tablename__ = "jobs"

    id: int | None = Field(default=None, primary_key=True)
    member_id: str = Field(max_length=64, index=True)
    kind: str = Field(max_length=32)
    coalesce_key: str = Field(max_length=255, unique=True)
    payload: dict[str, Any] = json_field()
    status: str = Field(default="pending", max_length=16, index=True)
    dirty: bool = False
    attempts: int = 0
    run_after: datetime = timestamp_field(index=True)
    # coalescing (queue._rearm_on_conflict): since when the pending run has waited (the
    # inbox lag), and the latest time a burst of events may push its run_after to
    pending_since: datetime | None = timestamp_field(nullable=True)
    due_by: datetime | None = timestamp_field(nullable=True)
    locked_until: datetime | None = timestamp_field(nullable=True)
    locked_by: str = Field(default="", max_length=64)
    last_error: str = Field(default="", max_length=2000)
    # what the last run came to (app.core.outcome): "done" | "refused" | "failed", and its
    # message in the portal's language; empty until a run ends, cleared when re-armed
    outcome_kind: str = Field(default="", max_length=16)
    outcome: str = Field(default="", max_length=2000)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class Effect(SQLModel, table=True):
    """An external side effect's idempotency record: intent first, then its outcome."""

    __tablename__ = "effects"
    __table_args__ = (UniqueConstraint("member_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: str = Field(max_length=64)
    key: str = Field(max_length=255)
    kind: str = Field(max_length=32)
    status: str = Field(default="started", max_length=16)
    result: dict[str, Any] = json_field()
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class Reminder(SQLModel, table=True):
    """A durable scheduled action (e.g. the ETA call reminder), fired once across workers."""

    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("member_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: str = Field(max_length=64)
    key: str = Field(max_length=255)
    kind: str = Field(max_length=32)
    fire_at: datetime = timestamp_field(index=True)
    payload: dict[str, Any] = json_field()
    status: str = Field(default="scheduled", max_length=16, index=True)
    updated_at: datetime = timestamp_field()


class PeriodicRun(SQLModel, table=True):
    """Claims one period of a periodic job, so it fires once per period across processes."""

    __tablename__ = "periodic_runs"

    job_name: str = Field(primary_key=True, max_length=64)
    period_start: int = Field(primary_key=True)
    claimed_by: str = Field(default="", max_length=64)
    claimed_at: datetime = timestamp_field()


class PortalTurn(SQLModel, table=True):
    """When a worker last claimed a job of the portal: claiming serves the portal that
    waited longest first, so equal backlogs are taken in turns, not portal after portal."""

    __tablename__ = "portal_turns"

    member_id: str = Field(primary_key=True, max_length=64)
    served_at: datetime = timestamp_field()
