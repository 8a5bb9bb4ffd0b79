"""Kit definitions the app owns: Bitrix24 REST exposes no bundle composition (REST_FACTS §11.4)."""

from datetime import datetime
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.models.base import json_field, timestamp_field


class Kit(SQLModel, table=True):
    """One kit of a portal: its catalog product, components and discount as JSON."""

    __tablename__ = "kits"
    __table_args__ = (UniqueConstraint("member_id", "product_id"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: str = Field(max_length=64, index=True)
    product_id: int
    definition: dict[str, Any] = json_field()
    source: str = Field(default="portal", max_length=16)
    updated_at: datetime = timestamp_field()
