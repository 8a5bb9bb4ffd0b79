"""TabPage builders for the tab tests: an ordinary deal page and one full of hostile strings."""

from dataclasses import replace
from decimal import Decimal

from app.web.tab.page import LinePage, TabPage

SCRIPT_TAG = "<script>alert(1)</script>"
ATTRIBUTE_BREAKOUT = '"><img src=x onerror=alert(1)>'
SCRIPT_BREAKOUT = "</script><script>alert(2)</script>"
HOSTILE_STRINGS = (SCRIPT_TAG, ATTRIBUTE_BREAKOUT, SCRIPT_BREAKOUT)
VIEW_TOKEN = "view-token-abc.def"
PORTAL_ORIGIN = "https://portal.bitrix24.ru"


def hostile_lines() -> tuple[LinePage, ...]:
    return (
        LinePage(
            id=11,
            position=1,
            name=ATTRIBUTE_BREAKOUT,
            quantity=Decimal("2.000"),
            status="found",
            supplier=SCRIPT_BREAKOUT,
            supplier_url="javascript:alert(1)",
            unit_price=Decimal("1234.5"),
            currency="CNY",
            moq=100,
            lead_time_days=14,
            photo_url="https://img.example.com/a.jpg",
            comment=SCRIPT_TAG,
            replacement_note=ATTRIBUTE_BREAKOUT,
        ),
        LinePage(
            id=12,
            position=2,
            name=SCRIPT_TAG,
            quantity=Decimal("5"),
            status="pending",
            supplier_url=" JaVaScRiPt:alert(3)",
            photo_url="javascript:alert(4)",
            comment=SCRIPT_BREAKOUT,
        ),
        LinePage(
            id=13,
            position=3,
            name="Фара LED " + SCRIPT_BREAKOUT,
            quantity=Decimal("1"),
            status="cancelled_by_client",
            supplier="Guangzhou Lights Co.",
            supplier_url="https://detail.1688.com/offer/1.html",
        ),
    )


def hostile_page(*, lang: str = "ru", portal_origin: str = PORTAL_ORIGIN) -> TabPage:
    return TabPage(
        entity_kind="deal",
        entity_id=8061,
        deal_id=8061,
        card_id=None,
        title="Сделка " + SCRIPT_BREAKOUT + ATTRIBUTE_BREAKOUT,
        lang=lang,
        lines=hostile_lines(),
        found=1,
        active=2,
        view_token=VIEW_TOKEN,
        api_base="/tab/api",
        portal_origin=portal_origin,
        notice="Сделка ещё не передана в поиск " + SCRIPT_TAG,
    )


def progress_page(found: int, active: int, *, lang: str) -> TabPage:
    return replace(hostile_page(lang=lang), found=found, active=active)
