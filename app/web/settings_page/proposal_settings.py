"""Check the proposal (КП) settings an administrator saves: company, logo, rates, validity,
the manager's phone and the replacement templates (pure: no I/O).

The page sends the whole ``proposal`` object; the first problem raises ``BadRequest`` naming
the field and the rule, so nothing is stored unless every field is valid. A replacement
template must at least compile in the proposals' sandboxed environment; one that compiles
but fails on a deal's data is refused when a proposal is made (``template_failed``).
"""

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from app.web.settings_page.words import refuse, word
from automations.proposals.html import template_syntax_error
from automations.proposals.options import TEMPLATES

TEXT_LIMITS = {
    "company_name": 200,
    "company_requisites": 2000,
    "logo_url": 500,
    "manager_phone": 40,
}
TEMPLATE_LIMIT = 100_000
KEYS = frozenset({*TEXT_LIMITS, "rates", "validity_days", "templates"})
CURRENCY = re.compile(r"^[A-Z]{3}$")
LOGO = re.compile(r"^https?://[^\s]+$", re.IGNORECASE)
PHONE = re.compile(r"^[0-9+()\-. ]*$")
MAX_RATE = Decimal("1000000")
RATE_PLACES = 6


def checked_proposal(value: Any, lang: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise refuse("proposal_rule", lang)
    unknown = sorted(str(key)[:40] for key in set(value) - KEYS)
    if unknown:
        raise refuse("proposal_unknown", lang, keys=", ".join(unknown))
    checked: dict[str, Any] = {key: _text(value, key, lang) for key in TEXT_LIMITS}
    if checked["logo_url"] and not LOGO.match(checked["logo_url"]):
        raise refuse("proposal_logo_rule", lang)
    if not PHONE.match(checked["manager_phone"]):
        raise refuse("proposal_phone_rule", lang)
    checked["rates"] = _rates(value.get("rates", {}), lang)
    checked["validity_days"] = _days(value.get("validity_days", 14), lang)
    checked["templates"] = _templates(value.get("templates", {}), lang)
    return checked


def _text(value: dict[str, Any], key: str, lang: str) -> str:
    text = value.get(key, "")
    limit = TEXT_LIMITS[key]
    if not isinstance(text, str) or len(text) > limit:
        raise refuse("proposal_text_rule", lang, field=word(f"proposal_{key}", lang), limit=limit)
    return text.strip()


def _rates(value: Any, lang: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise refuse("proposal_rates_rule", lang)
    rates = {}
    for currency, raw in value.items():
        code = str(currency).strip().upper()
        if not CURRENCY.match(code) or code == "RUB":
            raise refuse("proposal_currency_rule", lang, currency=str(currency)[:10])
        if raw in (None, ""):
            continue
        rates[code] = str(_rate(raw, code, lang))
    return dict(sorted(rates.items()))


def _rate(raw: Any, code: str, lang: str) -> Decimal:
    text = str(raw).strip().replace(",", ".").replace(" ", "")
    try:
        rate = Decimal(text)
    except InvalidOperation:
        raise refuse("proposal_rate_rule", lang, currency=code) from None
    exponent = rate.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) else RATE_PLACES + 1
    if isinstance(raw, bool) or not rate.is_finite() or not 0 < rate <= MAX_RATE:
        raise refuse("proposal_rate_rule", lang, currency=code)
    if places > RATE_PLACES:
        raise refuse("proposal_rate_rule", lang, currency=code)
    return rate


def _days(value: Any, lang: str) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 365:
        raise refuse("proposal_days_rule", lang)
    return value


def _templates(value: Any, lang: str) -> dict[str, str]:
    if not isinstance(value, dict) or set(value) - set(TEMPLATES):
        raise refuse("proposal_templates_rule", lang)
    sources = {}
    for name, source in value.items():
        if not isinstance(source, str) or len(source) > TEMPLATE_LIMIT:
            raise refuse("proposal_template_long", lang, template=name, limit=TEMPLATE_LIMIT)
        if not source.strip():
            continue  # empty: the standard template
        error = template_syntax_error(source)
        if error is not None:
            line, reason = error
            raise refuse("proposal_template_rule", lang, template=name, line=line, error=reason)
        sources[name] = source
    return sources
