"""The ledger on a real database, driven by random event orders: whatever the order,
repeats and reorderings of the deal states the bonus job observes, the ledger converges."""

import uuid
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.db import create_engine, create_session_factory, unit_of_work
from app.core.models import BonusAccrual, BonusReversal
from automations.bonuses import repository
from automations.bonuses.ledger_rules import DealNow, plan_entries
from automations.bonuses.rules import Bonus, BonusRow, BonusRules, compute_bonus
from tests.automations.pricing.sample_rows import a_row

DEALS = (1, 2, 3)
RULES = BonusRules(default_percent=Decimal("3.5"), product_percent={2: Decimal("10")})


def bonus_of(price_kopecks: int) -> Bonus:
    rows = [BonusRow(a_row(str(Decimal(price_kopecks).scaleb(-2)), "2", product_id=2))]
    return compute_bonus(rows, RULES)


# One observation of a deal by the bonus job: its stage then (won or not) and its rows' price.
OBSERVATIONS = st.lists(
    st.tuples(st.sampled_from(DEALS), st.booleans(), st.sampled_from([10_000, 12_345, 99_999])),
    max_size=25,
)


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    yield create_session_factory(engine)
    await engine.dispose()


async def observe(
    sessions: async_sessionmaker[AsyncSession], member_id: str, deal: DealNow
) -> None:
    async with unit_of_work(sessions) as session:
        ledger = await repository.deal_ledger(session, member_id, deal.deal_id)
        await repository.record_entries(session, member_id, plan_entries(ledger, deal))


class TestLedgerUnderRandomEventOrders:
    @settings(
        max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(observations=OBSERVATIONS, repeats=st.lists(st.integers(0, 24), max_size=6))
    async def test_active_accruals_equal_the_bonus_of_the_deals_won_now(
        self,
        sessions: async_sessionmaker[AsyncSession],
        observations: list[tuple[int, bool, int]],
        repeats: list[int],
    ) -> None:
        member_id = f"m-{uuid.uuid4().hex[:12]}"
        # duplicates: some observations are seen twice, right away (an echo, a repeated event)
        seen = []
        for index, observation in enumerate(observations):
            seen.append(observation)
            if index in repeats:
                seen.append(observation)
        current: dict[int, tuple[bool, int]] = {}
        for deal_id, won, price in seen:
            deal = DealNow(deal_id, won, False, 7, "Краснодар", bonus_of(price))
            await observe(sessions, member_id, deal)
            current[deal_id] = (won, price)
        async with sessions() as session:
            active = await repository.active_bonus_total(session, member_id)
            accruals = list(
                await session.scalars(
                    select(BonusAccrual).where(BonusAccrual.member_id == member_id)
                )
            )
            reversals = list(
                await session.scalars(
                    select(BonusReversal).where(BonusReversal.member_id == member_id)
                )
            )
        expected = sum(bonus_of(price).amount_kopecks for won, price in current.values() if won)
        assert active == expected
        by_id = {a.id: a for a in accruals}
        for reversal in reversals:
            assert reversal.amount_kopecks == by_id[reversal.accrual_id].amount_kopecks
        reversed_ids = {r.accrual_id for r in reversals}
        for deal_id in DEALS:
            mine = [a for a in accruals if a.deal_id == deal_id]
            assert sorted(a.sequence for a in mine) == list(range(1, len(mine) + 1))
            assert len([a for a in mine if a.id not in reversed_ids]) <= 1

    async def test_the_same_won_state_twice_accrues_once_and_a_reopen_annuls_it(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        member_id = f"m-{uuid.uuid4().hex[:12]}"
        won = DealNow(5, True, False, 7, "", bonus_of(10_000))
        await observe(sessions, member_id, won)
        await observe(sessions, member_id, won)
        async with sessions() as session:
            assert await repository.active_bonus_total(session, member_id) == 2000
        await observe(sessions, member_id, DealNow(5, False, False, 7, "", won.bonus))
        await observe(sessions, member_id, won)
        async with sessions() as session:
            ledger = await repository.deal_ledger(session, member_id, 5)
            assert ledger.wins == 2 and ledger.active is not None
            assert await repository.active_bonus_total(session, member_id) == 2000

    async def test_a_full_refund_of_a_won_deal_annuls_its_accrual(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        member_id = f"m-{uuid.uuid4().hex[:12]}"
        won = DealNow(6, True, False, 7, "", bonus_of(10_000))
        await observe(sessions, member_id, won)
        await observe(sessions, member_id, DealNow(6, True, True, 7, "", won.bonus))
        async with sessions() as session:
            assert await repository.active_bonus_total(session, member_id) == 0
            reason = await session.scalar(select(BonusReversal.reason))
        assert reason == "refunded"


class TestDirtyMarks:
    async def test_a_deal_marked_again_during_a_scan_keeps_its_mark(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        member_id = f"m-{uuid.uuid4().hex[:12]}"
        async with unit_of_work(sessions) as session:
            await repository.mark_dirty(session, member_id, [1, 2, 2])
        async with sessions() as session:
            seen = dict(await repository.dirty_deals(session, member_id, 10))
        assert sorted(seen) == [1, 2]
        async with unit_of_work(sessions) as session:
            await repository.mark_dirty(session, member_id, [2])  # a new event meanwhile
        async with unit_of_work(sessions) as session:
            await repository.clear_dirty(session, member_id, seen)
        async with sessions() as session:
            assert [d for d, _at in await repository.dirty_deals(session, member_id, 10)] == [2]
