"""Rendering of every framed page (the tab, the settings page, the install page).

Every response carries a CSP with a fresh nonce and no ``unsafe-inline`` (RELIABILITY.md
S9), may be framed only by the portal it was rendered for (S11: ``frame-ancestors``,
never ``X-Frame-Options``, which cannot name a foreign origin), and is never cached.
Values reach the page's script only through one ``|tojson`` config block.
"""

import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

from app.core.errors import AppError
from app.web.frame.i18n import normalize_lang, t

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
STATIC_URL = "/static"
NO_FRAMING = "'none'"

_environment = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def static_files() -> StaticFiles:
    """Mount at ``STATIC_URL``: the pages load frame.js, tab.js and tab.css from there."""
    return StaticFiles(directory=STATIC_DIR)


def parse_portal_origin(value: str) -> str:
    """The ``scheme://host[:port]`` of a portal URL (a path such as ``/rest`` is dropped).

    Rebuilt from parsed parts, never echoed, because it goes into a CSP header; anything
    that is not a plain http(s) URL raises ValueError.
    """
    parts = urlsplit(value.strip())
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host or parts.username or parts.password:
        raise ValueError("portal origin must be an http(s) URL with a host")
    if parts.query or parts.fragment:
        raise ValueError("portal origin must not carry a query or fragment")
    if not all(char.isascii() and (char.isalnum() or char in ".-:") for char in host):
        raise ValueError("portal origin host has forbidden characters")
    port = parts.port  # ValueError on anything but digits, e.g. "443; script-src *"
    netloc = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{netloc}" + (f":{port}" if port is not None else "")


def link_url(value: str) -> str | None:
    """The URL to put in an ``href``, or None when it is not plain http(s) (no javascript:)."""
    parts = urlsplit(value.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return urlunsplit(parts)


def image_url(value: str) -> str | None:
    url = link_url(value)
    return url if url is not None and url.lower().startswith("https://") else None


def content_security_policy(nonce: str, frame_ancestors: str) -> str:
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            f"style-src 'self' 'nonce-{nonce}'",
            "img-src 'self' https: data:",
            "base-uri 'none'",
            "form-action 'none'",
            f"frame-ancestors {frame_ancestors}",
        )
    )


def respond(template: str, context: dict[str, Any], *, status: int, ancestors: str) -> HTMLResponse:
    nonce = secrets.token_urlsafe(18)
    html = _environment.get_template(template).render(**context, nonce=nonce, static=STATIC_URL)
    return HTMLResponse(
        html,
        status_code=status,
        headers={
            "Content-Security-Policy": content_security_policy(nonce, ancestors),
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


def render_framed(
    template: str, context: dict[str, Any], *, portal_origin: str | None, status: int = 200
) -> HTMLResponse:
    """Any page under ``app/web/templates`` with the tab's headers (CSP nonce, no caching),
    framed only by ``portal_origin`` — or by nobody when it is None (unauthenticated)."""
    ancestors = parse_portal_origin(portal_origin) if portal_origin else NO_FRAMING
    return respond(template, context, status=status, ancestors=ancestors)


def render_install_finish(
    lang: str = "ru", *, portal_origin: str, app_sid: str = ""
) -> HTMLResponse:
    """The install page: calls installFinish through frame.js and says the app is installed."""
    lang = normalize_lang(lang)
    origin = parse_portal_origin(portal_origin)
    context = {
        "lang": lang,
        "t": lambda key: t(key, lang),
        "config": {"portal_origin": origin, "app_sid": app_sid, "lang": lang},
    }
    return respond("tab/install.html", context, status=200, ancestors=origin)


def render_install_error(
    refused: AppError, lang: str, *, portal_origin: str | None
) -> HTMLResponse:
    """What failed at install and what to do, in the portal's language; framed only by a
    portal whose address passed the allow-list (the caller checks), else by nobody."""
    lang = normalize_lang(lang)
    key = f"install_refused_{refused.reason}"
    text = t(key, lang) if t(key, lang) != key else t("install_refused", lang)
    message = text.format(**{"detail": refused.detail, **refused.params})
    context = {"lang": lang, "t": lambda name: t(name, lang), "message": message}
    return render_framed(
        "tab/install_error.html", context, portal_origin=portal_origin, status=refused.status_code
    )
