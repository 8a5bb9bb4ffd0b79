"""The settings API takes the bonus rules, money accounts and managers' offices, each
checked: a bad one refuses the whole change with the reason in Russian."""

from typing import Any

import pytest

from app.core.errors import BadRequest
from app.web.settings_page.validation import validated_changes
from tests.app.web.settings_page.samples import options, stored

ACCOUNT = {"code": "MSK-CASH", "kind": "cash_desk", "office": "Москва", "title": "Касса"}


def check(body: dict[str, Any]) -> dict[str, Any]:
    return validated_changes(body, options(), stored())


class TestBonusSettings:
    def test_valid_bonus_settings_are_accepted_as_given(self) -> None:
        body = {
            "bonus_rules": {"default_percent": "2.5", "section_percent": {"1": "5"}},
            "money_accounts": [ACCOUNT],
            "manager_offices": {"2": "Москва"},
            "money_allow_negative": False,
        }
        assert check(body) == body

    @pytest.mark.parametrize(
        ("body", "needle"),
        [
            ({"bonus_rules": {"default_percent": "-3"}}, "Бонус по умолчанию, %"),
            ({"bonus_rules": {"product_percent": {"abc": "1"}}}, "не ID"),
            ({"money_accounts": [ACCOUNT, ACCOUNT]}, "Счёт №2"),
            ({"money_accounts": [{"code": "X", "kind": "safe"}]}, "Счёт №1"),
            ({"manager_offices": {"anna": "Москва"}}, "manager_offices"),
            ({"money_allow_negative": "yes"}, "true или false"),
        ],
    )
    def test_a_bad_entry_refuses_the_change_with_its_reason(
        self, body: dict[str, Any], needle: str
    ) -> None:
        with pytest.raises(BadRequest) as caught:
            check(body)
        assert needle in caught.value.detail
