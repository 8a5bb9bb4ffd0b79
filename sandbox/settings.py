"""Sandbox settings (environment prefix ``SANDBOX_``)."""

from urllib.parse import urlsplit

from pydantic_settings import BaseSettings, SettingsConfigDict


class SandboxSettings(BaseSettings):
    """One sandbox process: where it is reachable and which application it hosts."""

    model_config = SettingsConfigDict(env_prefix="SANDBOX_")

    base_url: str = "http://127.0.0.1:8001"
    client_id: str = "local.b24bridge"
    client_secret: str = "sandbox-secret"  # noqa: S105 - a fixed local emulator credential
    seed: bool = True
    default_portal: str = "demo"
    timezone_offset_hours: int = 3
    random_seed: int = 24
    delivery_timeout_seconds: float = 10.0
    app_scope: str = "crm,placement,bizproc,im,task,user,user.userfield,catalog,userfieldconfig"
    # The default incoming webhook of every portal is made with the same scopes.
    webhook_scope: str = "crm,placement,bizproc,im,task,user,user.userfield,catalog,userfieldconfig"
    # What token answers name as the authorization server (its ``domain`` field, §6): the
    # region's server, never the portal — the sandbox answers at its own /oauth/token/.
    oauth_domain: str = "oauth.bitrix.info"

    @property
    def root(self) -> str:
        return self.base_url.rstrip("/")

    @property
    def domain(self) -> str:
        """host:port of base_url; every portal shares it (portals differ by path)."""
        return urlsplit(self.root).netloc

    @property
    def server_endpoint(self) -> str:
        return f"{self.root}/oauth/rest/"
