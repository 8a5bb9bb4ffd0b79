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


def working_lines() -> tuple[Line, ...]:
    """A deal in the middle of its search, with the long texts a real one has."""
    return (
        buyer_line(
            21,
            1,
            "Фара передняя левая светодиодная с корректором, Audi A6 C8 2019–2023",
            Decimal("2"),
            "found",
            supplier="Guangzhou Auto Lighting Manufacturing Co., Ltd.",
            supplier_url="https://detail.1688.com/offer/667788990011.html?spm=a2615.7691456",
            unit_price=Decimal("1234.50"),
            currency="CNY",
            moq=100,
            lead_time_days=14,
            photo_url="https://img.example.com/headlight.jpg",
            comment="Образец заказан, фото упаковки в переписке с поставщиком от 12 марта",
        ),
        buyer_line(22, 2, "Бампер передний в сборе", Decimal("1"), "pending"),
        buyer_line(
            23,
            3,
            "Решётка радиатора",
            Decimal("1"),
            "replacement",
            supplier="Yiwu Parts",
            unit_price=Decimal("310"),
            currency="CNY",
            replacement_note="Аналог другого бренда, тот же размер и крепления, цвет чёрный глянец",
        ),
        buyer_line(24, 4, "Зеркало заднего вида с подогревом", Decimal("3"), "not_found"),
        buyer_line(
            25,
            5,
            "Противотуманная фара",
            Decimal("2"),
            "cancelled_by_client",
            supplier="Ningbo Lamps",
        ),
    )


def role_page(kind: str, *, lang: str = "ru") -> TabPage:
    """The deal tab as the sales manager gets it, or the card tab as the buyer gets it."""
    deal = kind == "deal"
    return TabPage(
        entity_kind=kind,
        entity_id=8061 if deal else 17,
        deal_id=8061,
        card_id=17,
        title="Поиск по сделке №8061" if deal else "Закупка №17 по сделке №8061",
        lang=lang,
        lines=working_lines(),
        found=1,
        active=4,
        view_token=VIEW_TOKEN,
        api_base="/tab/api",
        portal_origin=PORTAL_ORIGIN,
        actions=("expand_kits", "apply_discount", "clear_products") if deal else (),
        editable=not deal,
        hint=(
            "Данные поставщиков заполняет закупщик во вкладке «Поиск» карточки закупки."
            if deal
            else "Нажмите на строку, чтобы заполнить данные поставщика."
        ),
    )
