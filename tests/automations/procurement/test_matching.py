from dataclasses import replace
from decimal import Decimal

from automations.procurement import Line, LineStatus, SearchData, goods_rows, match_lines
from tests.automations.procurement.world import row

FOUND_AT_ALI = SearchData(supplier="Ali", unit_price=Decimal("12.50"), currency="CNY")


def stored(rows: list, *, search: dict[int, SearchData] | None = None) -> tuple[Line, ...]:
    """Lines as the handler stores them after a first match: IDs assigned, some searched."""
    result = match_lines(rows, ())
    lines = [replace(line, line_id=99 + line.position) for line in result.lines]
    for position, data in (search or {}).items():
        lines[position] = replace(lines[position], status=LineStatus.FOUND, search=data)
    return tuple(lines)


def by_id(lines: tuple[Line, ...]) -> dict[int | None, Line]:
    return {line.line_id: line for line in lines}


class TestMatchLines:
    def test_first_match_creates_one_pending_line_per_goods_row(self) -> None:
        rows = [row(1, 10, "Рюкзак"), row(2, 20, "Сумка")]
        result = match_lines(rows, ())
        assert [(line.row_id, line.position, line.status) for line in result.lines] == [
            (1, 1, LineStatus.PENDING),
            (2, 2, LineStatus.PENDING),
        ]
        assert result.added == result.lines

    def test_service_rows_never_produce_lines(self) -> None:
        rows = [row(1, 10, "Рюкзак"), row(2, 900, "Доставка", is_service=True)]
        result = match_lines(rows, ())
        assert [line.name for line in result.lines] == ["Рюкзак"]

    def test_rows_are_ordered_by_sort_then_by_portal_order(self) -> None:
        rows = [row(1, 10, "B", sort=20), row(2, 20, "A", sort=10), row(3, 30, "C", sort=20)]
        assert [r.row_id for r in goods_rows(rows)] == [2, 1, 3]

    def test_all_ids_changing_keeps_search_data_on_the_same_products(self) -> None:
        before = stored([row(1, 10, "Рюкзак"), row(2, 20, "Сумка")], search={1: FOUND_AT_ALI})
        churned = [row(51, 10, "Рюкзак"), row(52, 20, "Сумка")]
        result = match_lines(churned, before)
        lines = by_id(result.lines)
        assert lines[101].row_id == 52
        assert lines[101].search == FOUND_AT_ALI
        assert lines[101].status is LineStatus.FOUND
        assert lines[100].row_id == 51
        assert not result.added and not result.cancelled

    def test_resaving_the_same_rows_changes_nothing(self) -> None:
        rows = [row(1, 10, "Рюкзак"), row(2, 20, "Сумка")]
        before = stored(rows, search={0: FOUND_AT_ALI})
        result = match_lines(rows, before)
        assert result.changed(before) == ()
        assert set(result.lines) == set(before)

    def test_duplicate_products_in_different_positions_keep_their_own_data(self) -> None:
        other = SearchData(supplier="Taobao")
        rows = [row(1, 10, "Рюкзак"), row(2, 20, "Сумка"), row(3, 10, "Рюкзак")]
        before = stored(rows, search={0: FOUND_AT_ALI, 2: other})
        churned = [row(7, 10, "Рюкзак"), row(8, 20, "Сумка"), row(9, 10, "Рюкзак")]
        lines = by_id(match_lines(churned, before).lines)
        assert (lines[100].row_id, lines[100].search) == (7, FOUND_AT_ALI)
        assert (lines[102].row_id, lines[102].search) == (9, other)

    def test_removed_row_cancels_its_line_and_keeps_the_data(self) -> None:
        before = stored([row(1, 10, "Рюкзак"), row(2, 20, "Сумка")], search={1: FOUND_AT_ALI})
        result = match_lines([row(1, 10, "Рюкзак")], before)
        cancelled = by_id(result.lines)[101]
        assert cancelled.status is LineStatus.CANCELLED_BY_CLIENT
        assert cancelled.prior_status is LineStatus.FOUND
        assert cancelled.search == FOUND_AT_ALI
        assert result.cancelled == (cancelled,)

    def test_readded_row_reactivates_its_line_with_status_and_data(self) -> None:
        before = stored([row(1, 10, "Рюкзак"), row(2, 20, "Сумка")], search={1: FOUND_AT_ALI})
        removed = match_lines([row(1, 10, "Рюкзак")], before).lines
        result = match_lines([row(31, 10, "Рюкзак"), row(32, 20, "Сумка")], removed)
        line = by_id(result.lines)[101]
        assert (line.status, line.prior_status, line.search) == (
            LineStatus.FOUND,
            None,
            FOUND_AT_ALI,
        )
        assert result.reactivated == (line,)
        assert not result.added

    def test_reordered_rows_follow_their_products(self) -> None:
        before = stored([row(1, 10, "Рюкзак"), row(2, 20, "Сумка")], search={0: FOUND_AT_ALI})
        result = match_lines([row(5, 20, "Сумка"), row(6, 10, "Рюкзак")], before)
        line = by_id(result.lines)[100]
        assert (line.row_id, line.position, line.search) == (6, 1, FOUND_AT_ALI)  # keeps its №

    def test_rows_without_a_catalog_product_match_by_name(self) -> None:
        before = stored(
            [row(1, 0, "Сумка кожаная"), row(2, None, "Зонт")], search={0: FOUND_AT_ALI}
        )
        result = match_lines([row(8, None, "Зонт"), row(9, 0, "  сумка  КОЖАНАЯ ")], before)
        assert by_id(result.lines)[100].search == FOUND_AT_ALI
        assert by_id(result.lines)[100].row_id == 9
        assert not result.added

    def test_a_different_product_with_the_same_name_is_a_new_line(self) -> None:
        before = stored([row(1, 10, "Рюкзак")], search={0: FOUND_AT_ALI})
        result = match_lines([row(2, 11, "Рюкзак")], before)
        assert [line.product_id for line in result.added] == [11]
        assert by_id(result.lines)[100].status is LineStatus.CANCELLED_BY_CLIENT

    def test_row_id_match_wins_over_position(self) -> None:
        before = stored([row(1, 10, "Рюкзак"), row(2, 10, "Рюкзак")], search={1: FOUND_AT_ALI})
        # The first row was removed without ID churn: row 2 is now at position 0.
        result = match_lines([row(2, 10, "Рюкзак")], before)
        lines = by_id(result.lines)
        assert lines[101].status is LineStatus.FOUND
        assert lines[100].status is LineStatus.CANCELLED_BY_CLIENT

    def test_a_live_duplicate_wins_over_a_cancelled_one_after_churn(self) -> None:
        other = SearchData(supplier="Taobao")
        before = stored(
            [row(1, 10, "Рюкзак"), row(2, 10, "Рюкзак")], search={0: FOUND_AT_ALI, 1: other}
        )
        # The client drops the first backpack (row IDs stable), then a re-save churns IDs.
        dropped = match_lines([row(2, 10, "Рюкзак")], before).lines
        result = match_lines([row(9, 10, "Рюкзак")], sorted(dropped, key=lambda line: line.line_id))
        lines = by_id(result.lines)
        assert (lines[101].status, lines[101].search, lines[101].row_id) == (
            LineStatus.FOUND,
            other,
            9,
        )
        assert lines[100].status is LineStatus.CANCELLED_BY_CLIENT
        assert result.changed(dropped) == (lines[101],)

    def test_quantity_and_name_follow_the_row(self) -> None:
        before = stored([row(1, 10, "Рюкзак")])
        result = match_lines([row(1, 10, "Рюкзак синий", quantity=Decimal(5))], before)
        assert (result.lines[0].name, result.lines[0].quantity) == ("Рюкзак синий", Decimal(5))


class TestLineNumbers:
    """The tab's «№»: from 1, kept for the line's life, never shared."""

    def test_a_new_line_after_a_cancellation_takes_the_next_free_number(self) -> None:
        before = stored([row(1, 10, "Рюкзак"), row(2, 20, "Сумка"), row(3, 30, "Зонт")])
        dropped = match_lines([row(1, 10, "Рюкзак"), row(3, 30, "Зонт")], before).lines
        result = match_lines(
            [row(1, 10, "Рюкзак"), row(3, 30, "Зонт"), row(4, 40, "Ремень")], dropped
        )
        numbers = {line.name: line.position for line in result.lines}
        assert numbers == {"Рюкзак": 1, "Сумка": 2, "Зонт": 3, "Ремень": 4}

    def test_a_line_keeps_its_number_when_rows_move_or_churn(self) -> None:
        before = stored([row(1, 10, "Рюкзак"), row(2, 20, "Сумка")])
        result = match_lines(
            [row(8, 30, "Зонт"), row(9, 20, "Сумка"), row(7, 10, "Рюкзак")], before
        )
        assert [(line.name, line.position) for line in result.lines] == [
            ("Зонт", 3),
            ("Сумка", 2),
            ("Рюкзак", 1),
        ]

    def test_lines_numbered_from_zero_or_repeating_are_renumbered_once_in_stored_order(
        self,
    ) -> None:
        rows = [row(1, 10, "Рюкзак"), row(2, 20, "Сумка"), row(3, 30, "Зонт")]
        legacy = [
            replace(line, position=n) for line, n in zip(stored(rows), (0, 1, 1), strict=True)
        ]
        result = match_lines(rows, legacy)
        assert [line.position for line in result.lines] == [1, 2, 3]
        assert match_lines(rows, result.lines).changed(result.lines) == ()
