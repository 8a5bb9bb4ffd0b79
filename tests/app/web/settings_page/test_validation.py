"""A settings change is checked against what the portal offers; the first problem refuses it."""

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
        assert "not a stage of this funnel for SEARCH" in reason

    def test_a_card_stage_must_be_a_card_funnel_stage(self) -> None:
        assert check({"card_stages": {"SEARCH": "DT183_10:NEW"}})
        assert "card_stages" in refusal({"card_stages": {"SEARCH": "NEW"}})

    def test_an_unknown_semantic_stage_is_refused(self) -> None:
        assert "unknown semantic stage(s) SHIPPED" in refusal({"deal_stages": {"SHIPPED": "NEW"}})

    def test_one_portal_stage_cannot_stand_for_two_semantic_stages(self) -> None:
        assert "two semantic stages" in refusal({"deal_stages": {"NEW": "NEW", "SEARCH": "NEW"}})

    @pytest.mark.parametrize("value", [["NEW"], "NEW", {"NEW": 5}])
    def test_malformed_maps_are_refused(self, value: Any) -> None:
        refusal({"deal_stages": value})


class TestKeys:
    @pytest.mark.parametrize("key", ["card_entity_type_id", "card_eta_field", "colour"])
    def test_unknown_or_read_only_keys_are_refused(self, key: str) -> None:
        assert key in refusal({key: 1, "discount_field": ""})

    def test_a_new_deal_funnel_needs_its_own_stages(self) -> None:
        assert "needs the deal_stages" in refusal({"deal_category_id": 4}, category=4)
        changes = check({"deal_category_id": 4, "deal_stages": {"NEW": "C4:NEW"}}, category=4)
        assert changes == {"deal_category_id": 4, "deal_stages": {"NEW": "C4:NEW"}}

    def test_an_unknown_deal_funnel_is_refused(self) -> None:
        assert "no such deal funnel" in refusal(
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
        assert "buyer_ids: not offered by the portal: 2" in refusal({"buyer_ids": [2]})
        assert "service_product_ids" in refusal({"service_product_ids": [18]})

    @pytest.mark.parametrize("value", [[True], "3", [None], list(range(201))])
    def test_malformed_id_lists_are_refused(self, value: Any) -> None:
        refusal({"buyer_ids": value})

    @pytest.mark.parametrize("value", ["UF_CRM_1700000000", " UF_CRM_DISCOUNT ", ""])
    def test_a_deal_user_field_or_nothing_is_a_discount_field(self, value: str) -> None:
        assert check({"discount_field": value}) == {"discount_field": value.strip()}

    @pytest.mark.parametrize("value", ["OPPORTUNITY", "UF_CRM_x'; drop", 5, "UF_CRM_" + "A" * 60])
    def test_anything_else_is_not_a_discount_field(self, value: Any) -> None:
        assert "discount_field" in refusal({"discount_field": value})
