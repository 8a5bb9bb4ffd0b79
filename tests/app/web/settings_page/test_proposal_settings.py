"""The proposal settings an administrator saves: what is stored, and each refusal naming the
field and the rule (nothing is stored unless the whole change is valid)."""

import pytest

from app.core.errors import BadRequest
from app.web.settings_page.proposal_settings import checked_proposal
from automations.proposals.options import proposal_options

GOOD = {
    "company_name": " ООО «Мост Логистик» ",
    "company_requisites": "ИНН 7701234567\nг. Москва",
    "logo_url": "https://cdn.example.ru/logo.png",
    "manager_phone": "+7 (495) 000-00-00",
    "validity_days": "10",
    "rates": {"CNY": "12,45", "usd": "92.1", "EUR": ""},
    "templates": {"new": "", "regular": "{% extends 'base.html.j2' %}"},
}


def refusal(value: object, lang: str = "ru") -> str:
    with pytest.raises(BadRequest) as refused:
        checked_proposal(value, lang)
    return str(refused.value.detail)


class TestStored:
    def test_a_good_form_is_stored_normalised_and_read_back_by_the_proposals(self) -> None:
        stored = checked_proposal(GOOD, "ru")
        assert stored["company_name"] == "ООО «Мост Логистик»"
        assert stored["rates"] == {"CNY": "12.45", "USD": "92.1"}
        assert stored["validity_days"] == 10
        assert stored["templates"] == {"regular": "{% extends 'base.html.j2' %}"}
        options = proposal_options({"proposal": stored})
        assert str(options.rates["CNY"]) == "12.45" and options.validity_days == 10
        assert set(options.templates) == {"regular"}

    def test_an_empty_form_is_the_defaults(self) -> None:
        stored = checked_proposal({}, "ru")
        assert stored["rates"] == {} and stored["templates"] == {}
        assert stored["validity_days"] == 14


class TestRefused:
    @pytest.mark.parametrize(
        ("change", "reason"),
        [
            ({"rates": {"CNY": "0"}}, "Курс CNY → RUB: число больше нуля"),
            ({"rates": {"CNY": "-1"}}, "Курс CNY → RUB: число больше нуля"),
            ({"rates": {"CNY": "12.1234567"}}, "не больше 6 знаков после запятой"),
            ({"rates": {"CNY": "двенадцать"}}, "Курс CNY → RUB"),
            ({"rates": {"RUB": "1"}}, "«RUB» — не код валюты"),
            ({"rates": {"юань": "12"}}, "«юань» — не код валюты"),
            ({"rates": ["CNY"]}, "Курсы валют: ожидается соответствие"),
            ({"validity_days": 0}, "Срок действия КП: целое число дней от 1 до 365"),
            ({"validity_days": "2 недели"}, "Срок действия КП"),
            ({"validity_days": True}, "Срок действия КП"),
            ({"logo_url": "javascript:alert(1)"}, "Логотип (адрес картинки): полный адрес"),
            ({"manager_phone": "<b>"}, "Телефон менеджера: только цифры"),
            ({"company_name": "x" * 201}, "Название компании: текст не длиннее 200 символов"),
            ({"templates": {"vip": "x"}}, "бывают только new (новый клиент) и regular"),
            ({"templates": {"new": "{% for %}"}}, "Шаблон «new», строка 1:"),
            ({"colour": "red"}, "Настройки КП: таких полей нет: colour"),
        ],
    )
    def test_each_rule_names_its_field(self, change: dict[str, object], reason: str) -> None:
        assert reason in refusal(GOOD | change)

    def test_not_an_object(self) -> None:
        assert refusal(["x"]).startswith("Настройки КП: ожидается набор полей КП")

    def test_english(self) -> None:
        assert refusal(GOOD | {"validity_days": 400}, "en").startswith("Proposal validity:")
