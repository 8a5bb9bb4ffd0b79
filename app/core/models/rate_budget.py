"""Shared leaky-bucket state per portal, used by the connector's PostgreSQL limiter store."""

from sqlmodel import Field, SQLModel


class RateBudget(SQLModel, table=True):
    __tablename__ = "rate_budgets"

    portal_key: str = Field(primary_key=True, max_length=255)
    level: float = 0.0
    updated_at: float = 0.0
    paused_until: float = 0.0
    # The latest acquire's decision: the store's one upsert applies the rule and returns it.
    last_wait: float = 0.0
    last_probe: bool = False
