"""A portal's proposal settings (the ``proposal`` value of its settings), with defaults.

Keys: ``company_name``, ``company_requisites`` (lines of text), ``logo_url``, ``rates``
(currency → roubles, e.g. ``{"CNY": "12.45", "USD": "92.10"}``), ``validity_days``,
``manager_phone`` (used when the responsible user has no phone), ``templates`` (template name
→ a replacement Jinja2 source for ``new`` or ``regular``) and ``link_field`` (the deal field
«Ссылка на КП», written by provisioning).
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

TEMPLATES = ("new", "regular")
DEFAULT_VALIDITY_DAYS = 14


@dataclass(frozen=True)
class ProposalOptions:
    company_name: str = ""
    company_requisites: str = ""
    logo_url: str = ""
    rates: dict[str, Decimal] = field(default_factory=dict)
    validity_days: int = DEFAULT_VALIDITY_DAYS
    manager_phone: str = ""
    templates: dict[str, str] = field(default_factory=dict)
    link_field: str = ""


def proposal_options(values: dict[str, Any]) -> ProposalOptions:
    raw = values.get("proposal") or {}
    return ProposalOptions(
        company_name=str(raw.get("company_name") or ""),
        company_requisites=str(raw.get("company_requisites") or ""),
        logo_url=str(raw.get("logo_url") or ""),
        rates=_rates(raw.get("rates") or {}),
        validity_days=_days(raw.get("validity_days")),
        manager_phone=str(raw.get("manager_phone") or ""),
        templates={k: str(v) for k, v in (raw.get("templates") or {}).items() if k in TEMPLATES},
        link_field=str(values.get("deal_proposal_link_field") or ""),
    )


def _rates(raw: dict[str, Any]) -> dict[str, Decimal]:
    rates = {}
    for currency, value in raw.items():
        try:
            rate = Decimal(str(value))
        except InvalidOperation:
            continue
        if rate.is_finite() and rate > 0:
            rates[str(currency).upper()] = rate
    return rates


def _days(value: Any) -> int:
    try:
        days = int(value)
    except (TypeError, ValueError):
        return DEFAULT_VALIDITY_DAYS
    return days if 0 < days <= 365 else DEFAULT_VALIDITY_DAYS
