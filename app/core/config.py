"""The one settings class. Every variable is documented in ``.env.example``."""

from functools import lru_cache
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/b24bridge.db"
# Written by a running ``b24bridge demo`` and removed when it stops, so that other commands
# in the same checkout (``b24bridge provision``, ``products …``) reach the demo's portal.
DEMO_ENV_FILE = "var/demo.env"
SUPPORTED_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=(".env", DEMO_ENV_FILE), extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    app_base_url: str = "http://127.0.0.1:8000"
    b24_client_id: str = "local.b24bridge"
    b24_client_secret: SecretStr = SecretStr("")
    b24_oauth_url: str = "https://oauth.bitrix.info"
    b24_allowed_domains: Annotated[list[str], NoDecode] = Field(default_factory=list)
    b24_webhook_url: SecretStr = SecretStr("")
    b24_outgoing_webhook_token: SecretStr = SecretStr("")
    b24_webhook_member_id: str = ""
    b24_rate_capacity: int = 50
    b24_rate_per_second: float = 2.0
    limiter_backend: Literal["memory", "postgres", "redis"] = "memory"
    redis_url: str = "redis://127.0.0.1:6379/0"
    run_worker: bool = True
    web_processes: int = Field(default=1, ge=1, le=64)
    worker_concurrency: int = 4
    worker_portal_concurrency: int = Field(default=2, ge=1)
    worker_poll_seconds: float = 1.0
    worker_lease_seconds: int = 60
    worker_stop_grace_seconds: float = Field(default=10.0, gt=0, le=300)
    inbox_max_attempts: int = 8
    sync_quiet_seconds: float = Field(default=1.0, ge=0, le=60)
    sync_max_delay_seconds: float = Field(default=10.0, ge=0, le=600)
    reconcile_interval_seconds: int = 300
    b24_offline_events: bool = False
    reconcile_overlap_seconds: int = 120
    reminder_poll_seconds: int = 15
    exchange_sync_interval_seconds: int = 900
    exchange_push_retry_max_seconds: int = Field(default=60, ge=1, le=3600)
    exchange_archive_retention_days: int = 90
    bonus_batch_delay_seconds: float = 2.0
    secret_key: SecretStr = SecretStr("change-me-in-production")
    admin_token: SecretStr = SecretStr("")
    sms_provider: Literal["log", "http"] = "log"
    sms_http_url: str = ""
    sms_http_key: SecretStr = SecretStr("")
    sandbox_url: str = "http://127.0.0.1:8001"
    log_level: str = "INFO"
    log_json: bool = False

    @field_validator("b24_allowed_domains", mode="before")
    @classmethod
    def split_domains(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip().lower() for part in value.split(",") if part.strip()]
        return value

    @field_validator("b24_oauth_url")
    @classmethod
    def oauth_server_base(cls, value: str) -> str:
        """The server's base URL; the token endpoint (``…/oauth/token/``) is accepted too."""
        base = value.strip().rstrip("/")
        return base.removesuffix("/oauth/token").rstrip("/")

    @field_validator("database_url")
    @classmethod
    def check_database_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError as exc:
            raise ValueError(f"cannot parse {value!r} as a database URL") from exc
        if url.drivername not in SUPPORTED_DRIVERS:
            raise ValueError(
                f"driver {url.drivername!r} is not one of {', '.join(SUPPORTED_DRIVERS)}"
            )
        return value

    @model_validator(mode="after")
    def check_sync_delays(self) -> "Settings":
        if self.sync_max_delay_seconds < self.sync_quiet_seconds:
            raise ValueError(
                "SYNC_MAX_DELAY_SECONDS must be at least SYNC_QUIET_SECONDS "
                f"({self.sync_max_delay_seconds} < {self.sync_quiet_seconds})"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
