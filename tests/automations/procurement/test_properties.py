"""Random row edits never lose a buyer's search data, and a replayed snapshot does nothing."""

import itertools
from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from automations.procurement import (
    DealStage,
    Line,
    LineStatus,
    Plan,
    RowSnapshot,
    SearchData,
    plan_search_entry,
)
from tests.automations.procurement.world import NOW, World, deal, row

PRODUCTS = st.sampled_from(
    [(10, "Рюкзак"), (20, "Сумка"), (30, "Зонт"), (None, "Кошелёк"), (0, "Ремень")]
)
BUYER_STATUSES = st.sampled_from([LineStatus.FOUND, LineStatus.NOT_FOUND, LineStatus.REPLACEMENT])

add = st.tuples(st.just("add"), PRODUCTS, st.integers(0, 10))
remove = st.tuples(st.just("remove"), st.integers(0, 10))
swap = st.tuples(st.just("swap"), st.integers(0, 10), st.integers(0, 10))
reid = st.tuples(st.just("reid"))
service = st.tuples(st.just("service"))
search = st.tuples(st.just("search"), st.integers(0, 10), BUYER_STATUSES)
EDITS = st.lists(st.one_of(add, remove, swap, reid, service, search), max_size=25)


def apply_edit(world: World, edit: tuple, ids: itertools.count) -> None:
    rows = list(world.deal.rows)
    kind = edit[0]
    if kind == "add":
        (product_id, name), at = edit[1], edit[2]
        rows.insert(at % (len(rows) + 1), row(next(ids), product_id, name))
    elif kind == "remove" and rows:
        rows.pop(edit[1] % len(rows))
    elif kind == "swap" and rows:
        i, j = edit[1] % len(rows), edit[2] % len(rows)
        rows[i], rows[j] = rows[j], rows[i]
    elif kind == "reid":
        # crm.deal.productrows.set: same rows, every ID new.
        rows = [replace(r, row_id=next(ids)) for r in rows]
    elif kind == "service":
        rows.append(row(next(ids), 900, "Доставка", is_service=True))
    elif kind == "search":
        buyer_searches(world, edit[1], edit[2])
        return
    world.set_rows(*[replace(r, sort=index * 10) for index, r in enumerate(rows)])


def buyer_searches(world: World, index: int, status: LineStatus) -> None:
    if not world.lines:
        return
    line = world.lines[index % len(world.lines)]
    data = SearchData(
        supplier=f"supplier {line.line_id}",
        unit_price=Decimal("12.50"),
        currency="CNY",
        replacement_note="аналог",
    )
    plan = plan_search_entry(world.state(), NOW, line_id=line.line_id, status=status, search=data)
    assert isinstance(plan, Plan)
    world.perform(plan)


def searched(lines: list[Line]) -> dict[int | None, SearchData]:
    return {line.line_id: line.search for line in lines if line.has_search_data}


def assert_lines_follow_rows(world: World) -> None:
    goods = [r for r in world.deal.rows if not r.is_service]
    active = [line for line in world.lines if line.is_active]
    assert sorted(line.row_id for line in active) == sorted(r.row_id for r in goods)
    assert all(line.status is not LineStatus.CANCELLED_BY_CLIENT for line in active)
    assert sorted(r.row_id for r in world.card_rows) == sorted(r.row_id for r in goods)


@settings(max_examples=150, deadline=None)
@given(initial=st.lists(PRODUCTS, max_size=5), edits=EDITS)
def test_search_data_survives_any_row_edits(initial: list, edits: list) -> None:
    ids = itertools.count(1)
    rows: list[RowSnapshot] = [
        row(next(ids), p, n, sort=i * 10) for i, (p, n) in enumerate(initial)
    ]
    world = World(deal=deal(DealStage.SEARCH, *rows))
    world.sync()
    for edit in edits:
        before = searched(world.lines)
        known = {line.line_id for line in world.lines}
        apply_edit(world, edit, ids)
        world.sync()
        assert world.sync() == Plan(), "the same snapshot fed twice must yield nothing"
        after = {line.line_id: line for line in world.lines}
        assert known <= set(after), "a line was dropped"
        for line_id, data in before.items():
            assert after[line_id].search == data, "a buyer's search data changed"
        assert_lines_follow_rows(world)
    assert world.duplicates == []


@settings(max_examples=100, deadline=None)
@given(
    initial=st.lists(PRODUCTS, min_size=1, max_size=5),
    statuses=st.lists(BUYER_STATUSES, max_size=5),
)
def test_id_churn_alone_never_changes_status_or_data(initial: list, statuses: list) -> None:
    ids = itertools.count(1)
    world = World(deal=deal(DealStage.SEARCH, *[row(next(ids), p, n) for p, n in initial]))
    world.sync()
    for index, status in enumerate(statuses):
        buyer_searches(world, index, status)
    before = {line.line_id: (line.status, line.search, line.position) for line in world.lines}
    world.set_rows(*[replace(r, row_id=next(ids)) for r in world.deal.rows])
    world.sync()
    assert {
        line.line_id: (line.status, line.search, line.position) for line in world.lines
    } == before


@settings(max_examples=100, deadline=None)
@given(initial=st.lists(PRODUCTS, max_size=5), edits=EDITS)
def test_line_numbers_start_at_one_never_repeat_and_never_change(
    initial: list, edits: list
) -> None:
    ids = itertools.count(1)
    rows = [row(next(ids), p, n, sort=i * 10) for i, (p, n) in enumerate(initial)]
    world = World(deal=deal(DealStage.SEARCH, *rows))
    world.sync()
    for edit in edits:
        numbers = {line.line_id: line.position for line in world.lines}
        apply_edit(world, edit, ids)
        world.sync()
        now = [line.position for line in world.lines]
        assert min(now, default=1) >= 1 and len(set(now)) == len(now)
        assert numbers.items() <= {line.line_id: line.position for line in world.lines}.items()
