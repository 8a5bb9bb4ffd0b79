"""The portal registry: one row per Bitrix24 installation, keyed by ``member_id``."""

from datetime import datetime

from sqlalchemy import Column, DateTime, String
from sqlmodel import Field, SQLModel

from app.models.base import utc_now


class Portal(SQLModel, table=True):
    __tablename__ = "portals"

    member_id: str = Field(primary_key=True, max_length=64)
    domain: str = Field(max_length=255)
    client_endpoint: str = Field(max_length=512)
    application_token: str = Field(default="", max_length=128)
    access_token: str = Field(default="", max_length=512)
    refresh_token: str = Field(default="", max_length=512)
    access_expires_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    webhook_url: str = Field(default="", max_length=512)
    language: str = Field(default="ru", max_length=8)
    status: str = Field(default="installing", sa_column=Column(String(16), nullable=False))
    installed_at: datetime = Field(
        default_factory=utc_now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utc_now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
