"""Only the missing bindings are bound; a placement bound more than once is bound once."""

from app.portals.bindings import EVENTS, ROBOTS, Bound, binding_calls, missing_calls

BASE = "https://app.example.com"


def everything_bound(*, deal_tab_times: int = 1) -> Bound:
    return Bound.parse(
        events=[{"event": e, "handler": f"{BASE}/b24/events", "offline": 0} for e in EVENTS],
        placements=[{"placement": "CRM_DEAL_DETAIL_TAB", "handler": f"{BASE}/b24/tab/deal"}]
        * deal_tab_times,
        robots=[robot["CODE"] for robot in ROBOTS],
    )


class TestMissingCalls:
    def test_nothing_bound_binds_everything(self) -> None:
        calls = binding_calls(BASE, card_entity_type_id=128)
        assert missing_calls(calls, Bound.parse(None, None, None)) == calls

    def test_only_the_card_tab_is_missing_after_provisioning(self) -> None:
        calls = binding_calls(BASE, card_entity_type_id=128)
        needed = missing_calls(calls, everything_bound())
        assert [(method, params["PLACEMENT"]) for _name, (method, params) in needed] == [
            ("placement.bind", "CRM_DYNAMIC_128_DETAIL_TAB")
        ]

    def test_a_tab_bound_twice_is_unbound_then_bound_once(self) -> None:
        calls = binding_calls(BASE, card_entity_type_id=None)
        needed = missing_calls(calls, everything_bound(deal_tab_times=2))
        assert [call[0] for _name, call in needed] == ["placement.unbind", "placement.bind"]

    def test_offline_bindings_are_told_apart_from_online_ones(self) -> None:
        calls = binding_calls(BASE, card_entity_type_id=None, offline_events=True)
        needed = missing_calls(calls, everything_bound())
        assert {params.get("event_type") for _name, (_m, params) in needed} == {"offline"}
