"""The buyer's entry from the tab: one declaration validates it, refusals name the field."""

from decimal import Decimal

import pytest

from app.core.errors import BadRequest
from app.web.tab.entry import parse_entry
from automations.procurement.model import Line, LineStatus, SearchData

CURRENT = Line(
    line_id=1,
    row_id=7,
    product_id=None,
    position=1,
    name="Рюкзак",
    quantity=Decimal(2),
    search=SearchData(supplier="Ali", moq=10),
)


def refusal(changes: dict, lang: str = "ru") -> str:
    with pytest.raises(BadRequest) as caught:
        parse_entry(CURRENT, changes, lang)
    return caught.value.detail


class TestParseEntry:
    def test_changes_merge_into_the_stored_entry(self) -> None:
        status, search = parse_entry(
            CURRENT, {"status": "found", "unit_price": "1 234,5", "currency": " CNY "}, "ru"
        )
        assert status is LineStatus.FOUND
        assert search == SearchData(
            supplier="Ali", moq=10, unit_price=Decimal("1234.5"), currency="CNY"
        )

    def test_blank_numbers_clear_the_field(self) -> None:
        _status, search = parse_entry(CURRENT, {"moq": "", "unit_price": ""}, "ru")
        assert (search.moq, search.unit_price) == (None, None)

    @pytest.mark.parametrize(
        ("changes", "expected"),
        [
            ({"supplier": "x" * 256}, "Поставщик: не больше 255 символов"),
            ({"unit_price": "1000.005"}, "Цена за ед.: не больше двух знаков после запятой"),
            ({"unit_price": "abc"}, "Цена за ед.: число, например 1250 или 1250,50"),
            ({"unit_price": "-5"}, "Цена за ед.: не меньше 0"),
            ({"moq": -1}, "Мин. партия (MOQ): целое число от 0, например 100"),
            ({"moq": True}, "Мин. партия (MOQ): целое число от 0, например 100"),
            ({"owner": 1}, "owner: такого поля нет"),
            ({"status": "lost"}, "Статус: один из: ожидает поиска, найден, не найден, замена"),
        ],
    )
    def test_refusals_name_the_field_and_the_rule_in_russian(
        self, changes: dict, expected: str
    ) -> None:
        assert refusal(changes) == expected

    def test_refusals_speak_english_on_an_english_portal(self) -> None:
        assert refusal({"lead_time_days": "3.5"}, "en") == (
            "Lead time, days: a whole number from 0, e.g. 100"
        )
