"""What may become a short link, and how a code looks: pure, no I/O, no name resolution.

A target must be an absolute http(s) URL whose host is neither the app's own host nor an
address of a private, loopback, link-local or otherwise non-public network (written in
any of the numeric forms a resolver accepts: ``127.1``, ``0x7f000001``, ``[::ffff:7f00:1]``).
Codes are random base62, unguessable; their uniqueness is the table's constraint.
"""

import ipaddress
import secrets
import socket
import string
from urllib.parse import urlsplit

CODE_ALPHABET = string.ascii_letters + string.digits
CODE_LENGTH = 10
MAX_URL_LENGTH = 2048
LOCAL_NAMES = ("localhost", "localhost.localdomain")


class TargetRefused(Exception):
    """Why a URL cannot become a short link (``reason`` is a key of ``messages``)."""

    def __init__(self, reason: str, url: str) -> None:
        super().__init__(f"{reason}: {url}")
        self.reason = reason
        self.url = url


def new_code(length: int = CODE_LENGTH) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def looks_like_code(code: str) -> bool:
    """A code worth looking up: base62 and of a plausible length (anything else is a 404)."""
    return 8 <= len(code) <= 32 and all(char in CODE_ALPHABET for char in code)


def checked_target(url: str, app_base_url: str) -> str:
    """``url`` stripped, when it may be a redirect target; raises ``TargetRefused`` if not."""
    url = url.strip()
    if not url or len(url) > MAX_URL_LENGTH or any(ord(char) < 33 for char in url):
        raise TargetRefused("malformed", url[:200])
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise TargetRefused("scheme", url[:200])
    host = (parts.hostname or "").rstrip(".").lower()
    if not host or "@" in parts.netloc:
        raise TargetRefused("malformed", url[:200])
    if host == (urlsplit(app_base_url).hostname or "").lower():
        raise TargetRefused("own_host", url[:200])
    if host in LOCAL_NAMES or host.endswith(".localhost") or _is_non_public_address(host):
        raise TargetRefused("private", url[:200])
    return url


def _is_non_public_address(host: str) -> bool:
    address = _numeric_address(host)
    if address is None:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def _numeric_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if not all(char in string.hexdigits + ".xX" for char in host):
        return None
    try:  # the shortened and hex forms (127.1, 0x7f.0.0.1, 2130706433) a resolver accepts
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None
