"""SSRF guard: which base URLs the connector may send requests (and tokens) to.

Allowed are ``https`` URLs on a subdomain of a Bitrix24 cloud zone
(``portal.bitrix24.ru``), the Bitrix24 OAuth servers, and ``host[:port]``
entries configured explicitly (those may use plain ``http``; the sandbox
portal runs on loopback). Everything else is refused before any request:
look-alikes (``portal.bitrix24.com.evil.io``), IP literals, userinfo tricks
(``https://portal.bitrix24.ru@evil.io``), odd ports, non-http schemes.
A portal that moved answers 302 (change-domen.md); its ``Location`` passes
through the same check.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from urllib.parse import SplitResult, urlsplit

from connectors.bitrix24.errors import HostNotAllowedError

# Cloud zones portals live under (regional sites of bitrix24.com and the zones
# their portals are created in). Self-hosted portals are added through config.
CLOUD_ZONES: tuple[str, ...] = (
    "bitrix24.ru",
    "bitrix24.com",
    "bitrix24.de",
    "bitrix24.eu",
    "bitrix24.by",
    "bitrix24.kz",
    "bitrix24.ua",
    "bitrix24.es",
    "bitrix24.fr",
    "bitrix24.it",
    "bitrix24.pl",
    "bitrix24.uk",
    "bitrix24.co.uk",
    "bitrix24.com.br",
    "bitrix24.in",
    "bitrix24.cn",
    "bitrix24.com.tr",
    "bitrix24.id",
    "bitrix24.vn",
    "bitrix24.jp",
    "bitrix24.mx",
    "bitrix24.co",
)

# Authorization servers (settings/oauth/index.md; the region's server is named
# in the `domain` field of token answers).
OAUTH_HOSTS: frozenset[str] = frozenset({"oauth.bitrix.info"})

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalise_host_entry(entry: str) -> str:
    """``Host:Port`` as configured, lower-cased, without scheme or path."""
    text = entry.strip().lower()
    if "://" in text:
        text = urlsplit(text).netloc
    return text.rstrip("/")


def is_cloud_host(host: str) -> bool:
    """True for ``<labels>.<zone>`` with a Bitrix24 cloud zone."""
    for zone in CLOUD_ZONES:
        suffix = "." + zone
        if host.endswith(suffix):
            prefix = host[: -len(suffix)]
            return bool(prefix) and all(_LABEL.match(label) for label in prefix.split("."))
    return False


def is_allowed_url(
    url: str, extra_hosts: Iterable[str] = (), *, oauth_server: bool = False
) -> bool:
    """Whether a request to ``url`` may be made at all."""
    parts = _split(url)
    if parts is None:
        return False
    host = (parts.hostname or "").lower()
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    if netloc in {normalise_host_entry(entry) for entry in extra_hosts}:
        return parts.scheme in {"http", "https"}
    if parts.scheme != "https" or parts.port not in {None, 443} or _is_ip(host):
        return False
    return host in OAUTH_HOSTS if oauth_server else is_cloud_host(host)


def require_allowed_url(
    url: str, extra_hosts: Iterable[str] = (), *, oauth_server: bool = False, method: str = ""
) -> None:
    """Raise ``HostNotAllowedError`` (naming only the host) unless ``url`` is allowed."""
    if not is_allowed_url(url, extra_hosts, oauth_server=oauth_server):
        raise HostNotAllowedError(f"host not allowed: {safe_host(url)}", method=method)


def safe_host(url: str) -> str:
    """The host part of a URL, fit for logs and messages (no path, no userinfo)."""
    parts = _split(url)
    return (parts.hostname or "?") if parts is not None else "?"


def _split(url: str) -> SplitResult | None:
    try:
        parts = urlsplit(url.strip())
        _ = parts.port  # raises ValueError on a malformed port
    except ValueError:
        return None
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return None
    if not parts.hostname or "\\" in url:
        return None
    return parts


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
