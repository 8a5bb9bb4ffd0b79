"""Read the install URL's request: the admin's first open (UI app, query + form) or the
``ONAPPINSTALL`` event of an API-only app (REST_FACTS §7)."""

from typing import Any

from app.core.errors import BadRequest
from app.portals.install import InstallRequest
from webhooks.bitrix24.form import text_at


def read_install(form: dict[str, Any], query: dict[str, str]) -> InstallRequest:
    if (text_at(form, "event") or "").upper() == "ONAPPINSTALL":
        return _from_app_event(form)
    domain = query.get("DOMAIN", "")
    scheme = "https" if query.get("PROTOCOL", "1") == "1" else "http"
    fields = {
        name: text_at(form, name) or ""
        for name in ("AUTH_ID", "REFRESH_ID", "APPLICATION_TOKEN", "member_id")
    }
    missing = [name for name, value in fields.items() if not value] + ([] if domain else ["DOMAIN"])
    if missing:
        raise BadRequest(f"missing install field(s): {', '.join(missing)}")
    return InstallRequest(
        member_id=fields["member_id"],
        domain=domain,
        client_endpoint=f"{scheme}://{domain}/rest/",
        access_token=fields["AUTH_ID"],
        refresh_token=fields["REFRESH_ID"],
        expires_in=_int(text_at(form, "AUTH_EXPIRES")),
        application_token=fields["APPLICATION_TOKEN"],
        language=(query.get("LANG") or "ru")[:2],
    )


def _from_app_event(form: dict[str, Any]) -> InstallRequest:
    names = (
        "member_id",
        "domain",
        "client_endpoint",
        "access_token",
        "refresh_token",
        "application_token",
    )
    values = {name: text_at(form, "auth", name) or "" for name in names}
    missing = [f"auth[{name}]" for name, value in values.items() if not value]
    if missing:
        raise BadRequest(f"missing install field(s): {', '.join(missing)}")
    return InstallRequest(
        **values,
        expires_in=_int(text_at(form, "auth", "expires_in")),
        language=(text_at(form, "data", "LANGUAGE_ID") or "ru")[:2],
    )


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 3600
