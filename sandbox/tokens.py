"""OAuth tokens of the sandbox's one application, shared by all portals (one auth server)."""

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass
class AccessToken:
    token: str
    portal: str
    user_id: int
    expires_at: datetime
    scope: tuple[str, ...] = ()


@dataclass
class RefreshToken:
    token: str
    portal: str
    user_id: int
    used: bool = False
    scope: tuple[str, ...] = ()


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires: int
    expires_in: int
    user_id: int
    scope: tuple[str, ...] = ()

    @property
    def scope_text(self) -> str:
        """Comma-separated, as token answers and ``auth[scope]`` carry it (§6, §8.3)."""
        return ",".join(self.scope)


def _new_token() -> str:
    # Real tokens are long hex strings; the exact shape does not matter to clients.
    return secrets.token_hex(35)


@dataclass
class TokenRegistry:
    access: dict[str, AccessToken] = field(default_factory=dict)
    refresh: dict[str, RefreshToken] = field(default_factory=dict)

    def issue(
        self,
        portal: str,
        user_id: int,
        *,
        now: datetime,
        lifetime: int,
        scope: tuple[str, ...] = (),
    ) -> TokenPair:
        """A new pair carrying the app's scopes at the time it is issued."""
        expires_at = now + timedelta(seconds=lifetime)
        access = AccessToken(_new_token(), portal, user_id, expires_at, scope=scope)
        refresh = RefreshToken(_new_token(), portal, user_id, scope=scope)
        self.access[access.token] = access
        self.refresh[refresh.token] = refresh
        return TokenPair(
            access_token=access.token,
            refresh_token=refresh.token,
            expires=int(access.expires_at.timestamp()),
            expires_in=lifetime,
            user_id=user_id,
            scope=scope,
        )

    def find_access(self, token: str) -> AccessToken | None:
        return self.access.get(token)

    def find_refresh(self, token: str) -> RefreshToken | None:
        return self.refresh.get(token)

    def expire_portal(self, portal: str, now: datetime) -> int:
        """Every access token of the portal expires now; returns how many."""
        tokens = [t for t in self.access.values() if t.portal == portal]
        for token in tokens:
            token.expires_at = min(token.expires_at, now)
        return len(tokens)

    def revoke_portal(self, portal: str) -> None:
        """Uninstall: access and refresh tokens of the portal stop existing."""
        self.access = {k: v for k, v in self.access.items() if v.portal != portal}
        self.refresh = {k: v for k, v in self.refresh.items() if v.portal != portal}
