"""Short links of a portal's proposals: one unguessable code per (portal, target URL)."""

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.models.base import timestamp_field


class ShortLink(SQLModel, table=True):
    """``{APP_BASE_URL}/s/{code}`` → ``url``; ``clicks`` counts the redirects served."""

    __tablename__ = "short_links"
    __table_args__ = (UniqueConstraint("member_id", "url_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    member_id: str = Field(max_length=64, index=True)
    url_hash: str = Field(max_length=64)
    url: str = Field(sa_column=Column(Text, nullable=False))
    clicks: int = Field(default=0)
    created_at: datetime = timestamp_field()
