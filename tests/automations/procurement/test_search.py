from decimal import Decimal

import pytest

from automations.procurement import (
    CardStage,
    EntryProblem,
    EntryRejected,
    Line,
    LineStatus,
    SearchData,
    apply_search_entry,
    is_search_complete,
    search_progress,
)
from automations.procurement.search import lines_locked


def line(line_id: int, status: LineStatus, prior: LineStatus | None = None) -> Line:
    return Line(
        line_id=line_id,
        row_id=line_id,
        product_id=line_id,
        position=line_id,
        name=f"товар {line_id}",
        quantity=Decimal(1),
        status=status,
        prior_status=prior,
    )


S = LineStatus
FOUND_ENTRY = SearchData(supplier="Ali", unit_price=Decimal("3.20"), currency="CNY")


class TestSearchProgress:
    def test_counts_found_among_active_lines(self) -> None:
        lines = [line(1, S.FOUND), line(2, S.NOT_FOUND), line(3, S.PENDING), line(4, S.FOUND)]
        assert search_progress(lines) == (2, 4)

    def test_cancelled_lines_count_in_neither(self) -> None:
        lines = [line(1, S.FOUND), line(2, S.CANCELLED_BY_CLIENT, prior=S.FOUND)]
        assert search_progress(lines) == (1, 1)

    def test_no_lines_is_zero_of_zero(self) -> None:
        assert search_progress([]) == (0, 0)


class TestSearchCompletion:
    def test_every_status_but_pending_completes(self) -> None:
        assert is_search_complete([line(1, S.FOUND), line(2, S.NOT_FOUND), line(3, S.REPLACEMENT)])

    def test_one_pending_line_blocks(self) -> None:
        assert not is_search_complete([line(1, S.FOUND), line(2, S.PENDING)])

    def test_cancelled_lines_do_not_block_completion(self) -> None:
        assert is_search_complete(
            [line(1, S.FOUND), line(2, S.CANCELLED_BY_CLIENT, prior=S.PENDING)]
        )

    def test_nothing_active_is_not_complete(self) -> None:
        assert not is_search_complete([line(1, S.CANCELLED_BY_CLIENT, prior=S.FOUND)])
        assert not is_search_complete([])


class TestApplySearchEntry:
    def test_the_entry_lands_on_its_line_only(self) -> None:
        data = SearchData(supplier="Ali", unit_price=Decimal("3.20"), currency="CNY", moq=100)
        result = apply_search_entry([line(1, S.PENDING), line(2, S.PENDING)], 2, S.FOUND, data)
        assert isinstance(result, tuple)
        assert (result[0].status, result[1].status, result[1].search) == (S.PENDING, S.FOUND, data)

    def test_an_entry_on_a_cancelled_line_waits_for_the_row_to_return(self) -> None:
        result = apply_search_entry(
            [line(1, S.CANCELLED_BY_CLIENT, prior=S.PENDING)],
            1,
            S.FOUND,
            FOUND_ENTRY,
        )
        assert isinstance(result, tuple)
        assert (result[0].status, result[0].prior_status) == (S.CANCELLED_BY_CLIENT, S.FOUND)

    def test_a_blank_replacement_note_is_refused(self) -> None:
        result = apply_search_entry(
            [line(1, S.PENDING)], 1, S.REPLACEMENT, SearchData(replacement_note="   ")
        )
        assert result == EntryRejected(1, EntryProblem.REPLACEMENT_NOT_DESCRIBED)

    def test_a_described_replacement_is_accepted(self) -> None:
        note = SearchData(replacement_note="похожая фара другого бренда")
        result = apply_search_entry([line(1, S.PENDING)], 1, S.REPLACEMENT, note)
        assert isinstance(result, tuple) and result[0].status is S.REPLACEMENT


class TestFoundNeedsSupplierAndPrice:
    """«найден» means the buyer can name who sells it and for how much (rule 2)."""

    @pytest.mark.parametrize(
        ("entry", "problem"),
        [
            (SearchData(unit_price=Decimal("3.20"), currency="CNY"), "FOUND_NEEDS_SUPPLIER"),
            (
                SearchData(supplier="  ", unit_price=Decimal(1), currency="CNY"),
                "FOUND_NEEDS_SUPPLIER",
            ),
            (SearchData(supplier="Ali", currency="CNY"), "FOUND_NEEDS_PRICE"),
            (SearchData(supplier="Ali", unit_price=Decimal("3.20")), "FOUND_NEEDS_CURRENCY"),
        ],
    )
    def test_found_without_supplier_price_or_currency_is_refused(
        self, entry: SearchData, problem: str
    ) -> None:
        result = apply_search_entry([line(1, S.PENDING)], 1, S.FOUND, entry)
        assert result == EntryRejected(1, EntryProblem[problem])

    def test_the_requirement_holds_on_a_cancelled_line_too(self) -> None:
        cancelled = line(1, S.CANCELLED_BY_CLIENT, prior=S.PENDING)
        result = apply_search_entry([cancelled], 1, S.FOUND, SearchData(supplier="Ali"))
        assert result == EntryRejected(1, EntryProblem.FOUND_NEEDS_PRICE)

    def test_not_found_and_pending_need_nothing(self) -> None:
        for status in (S.NOT_FOUND, S.PENDING):
            result = apply_search_entry([line(1, S.FOUND)], 1, status, SearchData())
            assert isinstance(result, tuple) and result[0].status is status


class TestLinesLocked:
    def test_lines_lock_at_bought_and_every_later_stage_by_default(self) -> None:
        locked = {stage for stage in CardStage if lines_locked(stage)}
        assert locked == {
            CardStage.BOUGHT,
            CardStage.AT_WAREHOUSE,
            CardStage.SHIPPED,
            CardStage.DONE,
            CardStage.CANCELLED,
        }

    def test_no_card_is_never_locked(self) -> None:
        assert not lines_locked(None)

    def test_the_portal_may_lock_later_or_never(self) -> None:
        assert not lines_locked(CardStage.BOUGHT, "SHIPPED")
        assert lines_locked(CardStage.SHIPPED, "SHIPPED")
        assert not lines_locked(CardStage.DONE, "NEVER")

    def test_an_unknown_setting_falls_back_to_bought(self) -> None:
        assert lines_locked(CardStage.BOUGHT, "LATER") and not lines_locked(CardStage.BUYOUT, "")
