"""The portal registry: one row per Bitrix24 installation, keyed by ``member_id``."""

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from app.core.models.base import json_field, timestamp_field


class Portal(SQLModel, table=True):
    __tablename__ = "portals"

    member_id: str = Field(primary_key=True, max_length=64)
    domain: str = Field(max_length=255)
    client_endpoint: str = Field(max_length=512)
    auth_mode: str = Field(default="oauth", max_length=16)
    application_token: str = Field(default="", max_length=128)
    access_token: str = Field(default="", max_length=512)
    refresh_token: str = Field(default="", max_length=512)
    access_expires_at: datetime | None = timestamp_field(nullable=True)
    webhook_url: str = Field(default="", max_length=512)
    action_secret: str = Field(default="", max_length=128)
    language: str = Field(default="ru", max_length=8)
    status: str = Field(default="installing", max_length=16)
    installed_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class PortalSettings(SQLModel, table=True):
    """Per-portal configuration edited on the settings page: stage map, buyers, services."""

    __tablename__ = "portal_settings"

    member_id: str = Field(primary_key=True, max_length=64)
    values: dict[str, Any] = json_field()
    updated_at: datetime = timestamp_field()
