"""Re-provisioning keeps an administrator's own stage choices."""

from app.portals.provisioning import keep_manual_mapping


class TestKeepManualMapping:
    def test_manual_choice_survives_and_gaps_are_filled(self) -> None:
        found = {
            "deal_category_id": 0,
            "deal_stages": {"NEW": "NEW", "FOUND": "B24B_FOUND"},
            "card_entity_type_id": 128,
            "card_stages": {"SEARCH": "DT128_1:SEARCH"},
        }
        stored = {
            "deal_category_id": 0,
            "deal_stages": {"FOUND": "PREPARATION"},
            "card_entity_type_id": 128,
            "card_stages": {},
        }
        merged = keep_manual_mapping(found, stored)
        assert merged["deal_stages"] == {"NEW": "NEW", "FOUND": "PREPARATION"}
        assert merged["card_stages"] == {"SEARCH": "DT128_1:SEARCH"}

    def test_a_different_funnel_takes_the_provisioned_map(self) -> None:
        found = {"deal_category_id": 5, "deal_stages": {"FOUND": "C5:B24B_FOUND"}}
        stored = {"deal_category_id": 0, "deal_stages": {"FOUND": "PREPARATION"}}
        assert keep_manual_mapping(found, stored)["deal_stages"] == {"FOUND": "C5:B24B_FOUND"}
