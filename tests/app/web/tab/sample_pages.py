"""TabPage builders for the tab tests: an ordinary deal page and one full of hostile strings."""

from dataclasses import replace
from decimal import Decimal

from app.web.tab.page import TabPage
from automations.procurement.model import Line, LineStatus, SearchData

SCRIPT_TAG = "<script>alert(1)</script>"
ATTRIBUTE_BREAKOUT = '"><img src=x onerror=alert(1)>'
SCRIPT_BREAKOUT = "</script><script>alert(2)</script>"
HOSTILE_STRINGS = (SCRIPT_TAG, ATTRIBUTE_BREAKOUT, SCRIPT_BREAKOUT)
VIEW_TOKEN = "view-token-abc.def"
PORTAL_ORIGIN = "https://portal.bitrix24.ru"


def buyer_line(
    line_id: int, position: int, name: str, quantity: Decimal, status: str, **search: object
) -> Line:
    return Line(
        line_id=line_id,
        row_id=None,
        product_id=None,
        position=position,
        name=name,
        quantity=quantity,
        status=LineStatus(status),
        search=SearchData(**search),
    )


def with_entry(line: Line, **changes: object) -> Line:
    """The line with some of the buyer's fields changed."""
    return replace(line, search=replace(line.search, **changes))


def hostile_lines() -> tuple[Line, ...]:
    return (
        buyer_line(
            line_id=11,
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
        buyer_line(
            line_id=12,
            position=2,
            name=SCRIPT_TAG,
            quantity=Decimal("5"),
            status="pending",
            supplier_url=" JaVaScRiPt:alert(3)",
            photo_url="javascript:alert(4)",
            comment=SCRIPT_BREAKOUT,
        ),
        buyer_line(
            line_id=13,
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
