"""Node credentials: a random login and secret shown once; only an scrypt hash is kept.

scrypt from the standard library (RFC 7914 parameters n=2**14, r=8, p=1) with a random
salt; verification recomputes and compares in constant time.
"""

import base64
import hashlib
import hmac
import secrets

_N, _R, _P, _LEN = 2**14, 8, 1, 32
_SCHEME = "scrypt"


def new_login() -> str:
    return f"node_{secrets.token_hex(6)}"


def new_secret() -> str:
    return secrets.token_urlsafe(24)


def hash_secret(secret: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _derive(secret, salt)
    return "$".join((_SCHEME, _b64(salt), _b64(digest)))


def verify_secret(secret: str, stored: str) -> bool:
    scheme, _, rest = stored.partition("$")
    salt_text, _, digest_text = rest.partition("$")
    if scheme != _SCHEME or not salt_text or not digest_text:
        return False
    expected = base64.urlsafe_b64decode(digest_text)
    return hmac.compare_digest(_derive(secret, base64.urlsafe_b64decode(salt_text)), expected)


def _derive(secret: str, salt: bytes) -> bytes:
    return hashlib.scrypt(secret.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=_LEN)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


def split_bearer(token: str) -> tuple[str, str]:
    """A bearer token is ``<login>.<secret>``; the login finds the node, the secret proves it."""
    login, _, secret = token.partition(".")
    return login, secret
