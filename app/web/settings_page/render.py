"""HTML for the settings page and its error page, with the tab's safety (RELIABILITY.md
S9, S11): autoescaped Jinja, a CSP nonce, framed only by the portal, no inline handlers,
and values reaching the script only through one ``|tojson`` config block."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.responses import HTMLResponse

from app.web.frame.i18n import normalize_lang
from app.web.frame.render import parse_portal_origin, render_framed
from app.web.settings_page.exchange_section import exchange_section
from app.web.settings_page.portal_options import Choice, PortalOptions
from app.web.settings_page.report_section import report_section
from app.web.settings_page.words import js_words, word
from automations.procurement.model import CardStage, DealStage
from automations.procurement.search import DEFAULT_LOCK_STAGE, NEVER_LOCKED
from automations.proposals.options import TEMPLATES, proposal_options

API_BASE = "/settings/api"


@dataclass(frozen=True)
class SettingsPage:
    stored: Mapping[str, Any]
    options: PortalOptions
    lang: str
    is_admin: bool
    view_token: str
    portal_origin: str  # the portal's scheme://host, the only allowed frame ancestor
    app_sid: str = ""


def stage_title(stage: DealStage | CardStage, lang: str) -> str:
    if lang == "en":
        return f"{stage.value.replace('_', ' ').capitalize()} ({stage.default_title})"
    return stage.default_title


def choice_views(choices: Iterable[Choice], selected: Iterable[str]) -> list[dict[str, Any]]:
    """Options with ``selected`` marks; a stored id the portal no longer lists stays visible."""
    wanted = {str(value) for value in selected}
    views = [{"value": c.value, "label": c.label, "selected": c.value in wanted} for c in choices]
    listed = {c["value"] for c in views}
    stale = sorted(wanted - listed - {""})
    return views + [{"value": v, "label": f"{v} (?)", "selected": True} for v in stale]


def stage_rows(
    stages: Iterable[DealStage | CardStage],
    mapped: Mapping[str, Any],
    choices: Iterable[Choice],
    lang: str,
) -> list[dict[str, Any]]:
    pool = tuple(choices)
    return [
        {
            "semantic": stage.value,
            "title": stage_title(stage, lang),
            "choices": choice_views(pool, [str(mapped.get(stage.value) or "")]),
        }
        for stage in stages
    ]


def lock_choices(stored: Mapping[str, Any], lang: str) -> list[dict[str, Any]]:
    """The stages the lines may lock from (not «Поиск»: the buyer could never fill them)."""
    chosen = str(stored.get("lines_locked_from") or DEFAULT_LOCK_STAGE.value)
    stages = [(s.value, stage_title(s, lang)) for s in CardStage if s is not CardStage.SEARCH]
    pairs = [*stages, (NEVER_LOCKED, word("never", lang))]
    return [{"value": v, "label": label, "selected": v == chosen} for v, label in pairs]


SHOWN_RATES = ("CNY", "USD", "EUR")  # the suppliers' usual currencies; stored others follow


def proposal_view(stored: Mapping[str, Any]) -> dict[str, Any]:
    """The proposal settings as the form shows them (defaults where nothing is stored)."""
    options = proposal_options(dict(stored))
    codes = [*SHOWN_RATES, *sorted(set(options.rates) - set(SHOWN_RATES))]
    return {
        "company_name": options.company_name,
        "company_requisites": options.company_requisites,
        "logo_url": options.logo_url,
        "manager_phone": options.manager_phone,
        "validity_days": options.validity_days,
        "rates": [
            (code, format(options.rates[code], "f") if code in options.rates else "")
            for code in codes
        ],
        "templates": {name: options.templates.get(name, "") for name in TEMPLATES},
    }


def choices_json(options: PortalOptions) -> dict[str, Any]:
    def listed(choices: tuple[Choice, ...]) -> list[dict[str, str]]:
        return [{"value": c.value, "label": c.label} for c in choices]

    return {
        "deal_category_id": options.deal_category_id,
        "categories": listed(options.categories),
        "deal_stages": listed(options.deal_stages),
        "card_stages": listed(options.card_stages),
        "users": listed(options.users),
        "services": listed(options.services),
        "unreadable": list(options.unreadable),
    }


def page_config(page: SettingsPage, lang: str) -> dict[str, Any]:
    return {
        "view_token": page.view_token,
        "api_base": API_BASE,
        "lang": lang,
        "portal_origin": parse_portal_origin(page.portal_origin),
        "app_sid": page.app_sid,
        "is_admin": page.is_admin,
        "strings": js_words(lang),
    }


def page_context(page: SettingsPage) -> dict[str, Any]:
    lang = normalize_lang(page.lang)
    stored, options = page.stored, page.options
    return {
        "lang": lang,
        "t": lambda key: word(key, lang),
        "is_admin": page.is_admin,
        "categories": choice_views(options.categories, [str(options.deal_category_id)]),
        "deal_rows": stage_rows(
            DealStage, stored.get("deal_stages") or {}, options.deal_stages, lang
        ),
        "card_rows": stage_rows(
            CardStage, stored.get("card_stages") or {}, options.card_stages, lang
        ),
        "has_card_type": bool(stored.get("card_entity_type_id")),
        "users": choice_views(options.users, [str(i) for i in stored.get("buyer_ids") or []]),
        "services": choice_views(
            options.services, [str(i) for i in stored.get("service_product_ids") or []]
        ),
        "discount_field": str(stored.get("discount_field") or ""),
        "lock_choices": lock_choices(stored, lang),
        "proposal": proposal_view(stored),
        "config": page_config(page, lang),
        "reports": report_section(lang, page.is_admin, stored),
        "exchange": exchange_section(page.is_admin, options.categories),
    }


def render_settings(page: SettingsPage) -> HTMLResponse:
    return render_framed("settings/page.html", page_context(page), portal_origin=page.portal_origin)


def render_settings_error(status_code: int, message: str, lang: str = "ru") -> HTMLResponse:
    """The reason and no data; framed by nobody, since the sender was not authenticated."""
    lang = normalize_lang(lang)
    context = {"lang": lang, "t": lambda key: word(key, lang), "message": message}
    return render_framed("settings/error.html", context, portal_origin=None, status=status_code)
