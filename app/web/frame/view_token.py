"""Short-lived signed view tokens: proof that an action comes from a tab we rendered.

The token binds portal, user, entity and expiry, signed with ``SECRET_KEY``
(HMAC-SHA256). It travels in the ``X-View-Token`` header, never in a cookie, so a
cross-site form cannot carry it (RELIABILITY.md S10).
"""

import base64
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass

VIEW_TOKEN_HEADER = "X-View-Token"  # noqa: S105 - a header name, not a secret
DEFAULT_TTL_SECONDS = 4 * 3600


class InvalidViewToken(ValueError):
    pass


@dataclass(frozen=True)
class ViewClaims:
    member_id: str
    user_id: int
    entity_kind: str
    entity_id: int
    expires_at: int
    lang: str = "ru"
    role: str = ""  # "admin" when the page checked ``user.admin`` for this user


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: str, body: str) -> str:
    return _b64(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest())


def issue(claims: ViewClaims, secret: str) -> str:
    body = _b64(json.dumps(asdict(claims), separators=(",", ":")).encode())
    return f"{body}.{_signature(secret, body)}"


def verify(token: str, secret: str, *, now: float) -> ViewClaims:
    body, _, signature = token.partition(".")
    if not body or not hmac.compare_digest(signature, _signature(secret, body)):
        raise InvalidViewToken("view token signature is invalid")
    try:
        claims = ViewClaims(**json.loads(_unb64(body)))
    except (ValueError, TypeError) as exc:
        raise InvalidViewToken("view token is malformed") from exc
    if claims.expires_at < now:
        raise InvalidViewToken("view token has expired; reopen the tab")
    return claims
