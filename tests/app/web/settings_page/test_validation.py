"""A settings change is checked against what the portal offers; the first problem refuses it."""

import re
from typing import Any

import pytest

from app.core.errors import BadRequest
from app.web.settings_page.validation import requested_category, validated_changes
from tests.app.web.settings_page.samples import options, stored


def check(body: dict[str, Any], *, category: int = 0) -> dict[str, Any]:
    return validated_changes(body, options(deal_category_id=category), stored())


def refusal(body: dict[str, Any], *, category: int = 0) -> str:
    with pytest.raises(BadRequest) as caught:
        check(body, category=category)
    return caught.value.detail


class TestStageMaps:
    def test_stages_of_the_funnel_are_accepted_and_unset_ones_dropped(self) -> None:
        changes = check({"deal_stages": {"NEW": "NEW", "FOUND": "PREPARATION", "BOUGHT": ""}})
        assert changes == {"deal_stages": {"FOUND": "PREPARATION", "NEW": "NEW"}}

    def test_a_stage_of_another_funnel_is_refused(self) -> None:
        reason = refusal({"deal_stages": {"SEARCH": "DT183_10:NEW"}})
        assert reason == (
            "Стадии сделки: для «Передано в поиск» выбрана стадия не из этой воронки — "
            "выберите стадию из списка."
        )

    def test_a_card_stage_must_be_a_card_funnel_stage(self) -> None:
        assert check({"card_stages": {"SEARCH": "DT183_10:NEW"}})
        assert refusal({"card_stages": {"SEARCH": "NEW"}}).startswith("Стадии закупки: для «Поиск»")

    def test_an_unknown_semantic_stage_is_refused(self) -> None:
        assert refusal({"deal_stages": {"SHIPPED": "NEW"}}) == (
            "Стадии сделки: у приложения нет стадий SHIPPED."
        )

    def test_one_portal_stage_cannot_stand_for_two_semantic_stages(self) -> None:
        assert "для двух стадий приложения" in refusal(
            {"deal_stages": {"NEW": "NEW", "SEARCH": "NEW"}}
        )

    @pytest.mark.parametrize("value", [["NEW"], "NEW", {"NEW": 5}])
    def test_malformed_maps_are_refused(self, value: Any) -> None:
        refusal({"deal_stages": value})


class TestKeys:
    @pytest.mark.parametrize("key", ["card_entity_type_id", "card_eta_field", "colour"])
    def test_unknown_or_read_only_keys_are_refused(self, key: str) -> None:
        assert key in refusal({key: 1, "discount_field": ""})

    def test_a_new_deal_funnel_needs_its_own_stages(self) -> None:
        assert "при смене воронки выберите и стадии сделки" in refusal(
            {"deal_category_id": 4}, category=4
        )
        changes = check({"deal_category_id": 4, "deal_stages": {"NEW": "C4:NEW"}}, category=4)
        assert changes == {"deal_category_id": 4, "deal_stages": {"NEW": "C4:NEW"}}

    def test_an_unknown_deal_funnel_is_refused(self) -> None:
        assert "на портале нет такой воронки" in refusal(
            {"deal_category_id": 9, "deal_stages": {}}, category=9
        )

    @pytest.mark.parametrize("value", [-1, "4", True, 1.5])
    def test_the_requested_funnel_must_be_a_whole_number(self, value: Any) -> None:
        with pytest.raises(BadRequest):
            requested_category({"deal_category_id": value}, {})

    def test_without_a_funnel_the_stored_one_is_meant(self) -> None:
        assert requested_category({}, {"deal_category_id": 4}) == 4
        assert requested_category({}, {}) == 0


class TestIdsAndFields:
    def test_buyers_and_services_must_be_offered_by_the_portal(self) -> None:
        assert check({"buyer_ids": ["3", 1, 3], "service_product_ids": [17]}) == {
            "buyer_ids": [1, 3],
            "service_product_ids": [17],
        }
        assert refusal({"buyer_ids": [2]}) == (
            "Закупщики: портал не предлагает 2 — выберите из списка."
        )
        assert refusal({"service_product_ids": [18]}).startswith("Услуги (не ищутся):")

    @pytest.mark.parametrize("value", [[True], "3", [None], list(range(201))])
    def test_malformed_id_lists_are_refused(self, value: Any) -> None:
        refusal({"buyer_ids": value})

    @pytest.mark.parametrize("value", ["UF_CRM_1700000000", " UF_CRM_DISCOUNT ", ""])
    def test_a_deal_user_field_or_nothing_is_a_discount_field(self, value: str) -> None:
        assert check({"discount_field": value}) == {"discount_field": value.strip()}

    @pytest.mark.parametrize("value", ["OPPORTUNITY", "UF_CRM_x'; drop", 5, "UF_CRM_" + "A" * 60])
    def test_anything_else_is_not_a_discount_field(self, value: Any) -> None:
        assert refusal({"discount_field": value}) == (
            "Поле скидки в сделке: код поля сделки вида UF_CRM_1700000000 или пусто."
        )


class TestTheRefusalsLanguage:
    def test_an_english_page_reads_each_refusal_in_english(self) -> None:
        def english(body: dict[str, Any]) -> str:
            with pytest.raises(BadRequest) as caught:
                validated_changes(body, options(), stored(), "en")
            return caught.value.detail

        assert english({"discount_field": "OPPORTUNITY"}) == (
            "Deal discount field: a deal field code like UF_CRM_1700000000, or empty."
        )
        assert english({"deal_stages": {"SEARCH": "DT183_10:NEW"}}).startswith(
            "Deal stages: the stage chosen for «Search» is not of this funnel"
        )
        assert (
            english({"colour": 1})
            == "No such settings, or only the app sets them: colour. Remove them."
        )

    def test_no_refusal_is_left_in_english_on_a_russian_page(self) -> None:
        bodies: list[dict[str, Any]] = [
            {"colour": 1},
            {"deal_stages": []},
            {"deal_stages": {"SHIPPED": "NEW"}},
            {"buyer_ids": "3"},
            {"buyer_ids": [None]},
            {"lines_locked_from": "LATER"},
        ]
        for body in bodies:
            assert re.search("[а-я]", refusal(body)), body


class TestLinesLockedFrom:
    @pytest.mark.parametrize("value", ["BOUGHT", "SHIPPED", "NEVER"])
    def test_a_card_stage_or_never_is_accepted(self, value: str) -> None:
        assert check({"lines_locked_from": value}) == {"lines_locked_from": value}

    @pytest.mark.parametrize("value", ["LATER", "", 3, None])
    def test_anything_else_is_refused_naming_the_setting(self, value: Any) -> None:
        assert refusal({"lines_locked_from": value}) == (
            "Строки «Поиска» только для чтения: выберите стадию закупки из списка или «никогда»."
        )
