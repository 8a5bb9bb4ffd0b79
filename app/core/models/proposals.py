"""Proposals (КП) of a portal's deals, one row per version, and their short links."""

from datetime import date, datetime

from sqlalchemy import Column, LargeBinary, Text, UniqueConstraint
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


class Proposal(SQLModel, table=True):
    """One version of a deal's proposal: its public code, HTML and PDF, as generated."""

    __tablename__ = "proposals"
    __table_args__ = (
        UniqueConstraint("member_id", "deal_id", "version"),
        UniqueConstraint("member_id", "deal_id", "content_hash"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: str = Field(max_length=64, index=True)
    deal_id: int
    version: int
    code: str = Field(max_length=32, unique=True)
    content_hash: str = Field(max_length=64)
    template: str = Field(max_length=16)
    valid_until: date
    html: str = Field(sa_column=Column(Text, nullable=False))
    pdf: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    attached_at: datetime | None = timestamp_field(nullable=True)
    created_at: datetime = timestamp_field()
