"""Provisioned stages come in the documented order before the final ones; a funnel the app
created keeps no defaults beside ours; a funnel the admin chose loses nothing."""

from automations.provisioning.stages import (
    CARD_SEMANTICS,
    CARD_TITLES,
    DEAL_SEMANTICS,
    DEAL_TITLES,
    StagePlan,
    StageRow,
    plan_stages,
)

NEW_SPA_FUNNEL = [
    StageRow(1, "DT128_1:NEW", "Начало", 10, ""),
    StageRow(2, "DT128_1:PREPARATION", "Подготовка", 20, ""),
    StageRow(3, "DT128_1:CLIENT", "Согласование с клиентом", 30, ""),
    StageRow(4, "DT128_1:SUCCESS", "Успех", 40, "S"),
    StageRow(5, "DT128_1:FAIL", "Провал", 50, "F"),
]
DEAL_FUNNEL = [
    StageRow(11, "NEW", "Новая", 10, ""),
    StageRow(12, "PREPARATION", "Подготовка документов", 20, ""),
    StageRow(13, "EXECUTING", "В работе", 30, ""),
    StageRow(14, "WON", "Сделка успешна", 40, "S"),
    StageRow(15, "LOSE", "Сделка провалена", 50, "F"),
]


def performed(plan: StagePlan, existing: list[StageRow]) -> list[StageRow]:
    """The funnel after the plan's writes, in SORT order."""
    deleted = {row.id for row in plan.to_delete}
    updates = dict(plan.to_update)
    rows = [
        StageRow(
            row.id,
            row.status_id,
            updates.get(row.id, {}).get("NAME", row.name),
            updates.get(row.id, {}).get("SORT", row.sort),
            row.semantics,
        )
        for row in existing
        if row.id not in deleted
    ]
    created = [
        StageRow(100 + index, fields["STATUS_ID"], fields["NAME"], fields["SORT"], "")
        for index, (_semantic, fields) in enumerate(plan.to_create)
    ]
    return sorted(rows + created, key=lambda row: (row.sort, row.id))


def card_plan(existing: list[StageRow], *, owned: bool) -> StagePlan:
    return plan_stages(CARD_SEMANTICS, CARD_TITLES, existing, code_prefix="", owned=owned)


class TestCardFunnelTheAppCreated:
    def test_only_our_stages_in_the_documented_order_the_finals_last(self) -> None:
        plan = card_plan(NEW_SPA_FUNNEL, owned=True)
        funnel = performed(plan, NEW_SPA_FUNNEL)
        assert [row.name for row in funnel] == [CARD_TITLES[s] for s in CARD_SEMANTICS]
        assert [row.semantics for row in funnel[-2:]] == ["S", "F"]
        assert {row.id for row in plan.to_delete} == {1, 2, 3}

    def test_a_second_run_writes_nothing(self) -> None:
        funnel = performed(card_plan(NEW_SPA_FUNNEL, owned=True), NEW_SPA_FUNNEL)
        again = card_plan(funnel, owned=True)
        assert (again.to_create, again.to_update, again.to_delete) == ((), (), ())
        assert set(again.mapped) == set(CARD_SEMANTICS)


class TestFunnelTheAdminChose:
    def test_card_stages_sort_before_the_finals_and_nothing_is_deleted_or_renamed(self) -> None:
        plan = card_plan(NEW_SPA_FUNNEL, owned=False)
        funnel = performed(plan, NEW_SPA_FUNNEL)
        assert plan.to_delete == ()
        assert [row.name for row in funnel] == [
            "Начало",
            "Подготовка",
            "Согласование с клиентом",
            *(CARD_TITLES[s] for s in CARD_SEMANTICS[:-2]),
            "Успех",
            "Провал",
        ]
        assert all("NAME" not in fields for _id, fields in plan.to_update)

    def test_deal_stages_follow_the_start_and_the_admins_stages_before_won_and_lost(
        self,
    ) -> None:
        plan = plan_stages(DEAL_SEMANTICS, DEAL_TITLES, DEAL_FUNNEL, code_prefix="B24B_")
        funnel = performed(plan, DEAL_FUNNEL)
        ours = [DEAL_TITLES[s] for s in DEAL_SEMANTICS[1:-2]]
        assert [row.name for row in funnel] == [
            "Новая",
            "Подготовка документов",
            "В работе",
            *ours,
            "Сделка успешна",
            "Сделка провалена",
        ]
        assert plan.mapped["NEW"] == "NEW" and plan.to_delete == ()
        again = plan_stages(DEAL_SEMANTICS, DEAL_TITLES, funnel, code_prefix="B24B_")
        assert (again.to_create, again.to_update) == ((), ())

    def test_our_stages_left_after_the_finals_by_an_earlier_run_are_moved_before_them(
        self,
    ) -> None:
        misplaced = [*NEW_SPA_FUNNEL[3:]] + [
            StageRow(20 + i, f"DT128_1:{s}", CARD_TITLES[s], 40 + 10 * i, "")
            for i, s in enumerate(CARD_SEMANTICS[:-2])
        ]
        plan = card_plan(misplaced, owned=False)
        funnel = performed(plan, misplaced)
        assert plan.to_create == ()
        assert [row.semantics for row in funnel[-2:]] == ["S", "F"]
        assert [row.name for row in funnel[:-2]] == [CARD_TITLES[s] for s in CARD_SEMANTICS[:-2]]
