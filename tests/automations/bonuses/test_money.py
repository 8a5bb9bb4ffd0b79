"""Money operations: the pure decision, and the ledger under random sequences of them."""

import uuid
from collections.abc import AsyncIterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.db import create_engine, create_session_factory, unit_of_work
from automations.bonuses import money_repository
from automations.bonuses.money_rules import (
    MoneyState,
    OperationRequest,
    PlannedOperation,
    Refusal,
    decide,
    parse_amount,
)
from automations.bonuses.settings import Account

ACCOUNTS = {
    "CASH": Account("CASH", "cash_desk", "Москва", "Касса"),
    "TERM": Account("TERM", "terminal", "Москва", "Терминал"),
}
EMPTY = MoneyState(balance_kopecks=0, paid_kopecks=0, allow_negative=False)


class TestDecision:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [("1500", 150000), ("1500.5", 150050), ("1 500,05", 150005), ("0.01", 1)],
    )
    def test_amounts_are_exact_kopecks(self, text: str, expected: int) -> None:
        assert parse_amount(text) == expected

    @pytest.mark.parametrize("text", ["-5", "0", "10.005", "abc", "NaN", "Infinity", ""])
    def test_bad_amounts_are_refused_naming_the_field(self, text: str) -> None:
        refused = parse_amount(text)
        assert isinstance(refused, Refusal) and refused.message.startswith("Поле «Сумма»")

    def test_payment_adds_to_the_balance_and_to_paid(self) -> None:
        planned = decide(OperationRequest("payment", "100", "CASH", deal_id=1), ACCOUNTS, EMPTY)
        assert isinstance(planned, PlannedOperation)
        assert (planned.balance_delta_kopecks, planned.paid_delta_kopecks) == (10000, 10000)

    def test_a_refund_above_what_was_paid_is_refused(self) -> None:
        state = MoneyState(balance_kopecks=50000, paid_kopecks=10000, allow_negative=False)
        refused = decide(OperationRequest("refund", "100.01", "CASH", deal_id=1), ACCOUNTS, state)
        assert isinstance(refused, Refusal) and "больше, чем оплачено" in refused.message

    def test_a_negative_balance_is_refused_or_allowed_with_a_warning(self) -> None:
        request = OperationRequest("collection", "1", "CASH")
        assert isinstance(decide(request, ACCOUNTS, EMPTY), Refusal)
        allowed = MoneyState(balance_kopecks=0, paid_kopecks=0, allow_negative=True)
        planned = decide(request, ACCOUNTS, allowed)
        assert isinstance(planned, PlannedOperation) and planned.warning.startswith("Внимание")

    def test_an_unknown_account_or_a_wrong_method_is_refused(self) -> None:
        unknown = decide(OperationRequest("payment", "1", "SAFE", deal_id=1), ACCOUNTS, EMPTY)
        assert isinstance(unknown, Refusal) and "«SAFE» не найден" in unknown.message
        wrong = decide(
            OperationRequest("payment", "1", "CASH", method="terminal", deal_id=1), ACCOUNTS, EMPTY
        )
        assert isinstance(wrong, Refusal) and "не совпадает" in wrong.message


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    yield create_session_factory(engine)
    await engine.dispose()


REQUESTS = st.lists(
    st.tuples(
        st.sampled_from(["payment", "change", "refund", "collection"]),
        st.integers(1, 500_00),
        st.sampled_from(["CASH", "TERM"]),
        st.integers(1, 2),  # deal
        st.booleans(),  # the same call delivered twice
    ),
    max_size=20,
)


class TestMoneyLedgerProperties:
    @settings(
        max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(requests=REQUESTS)
    async def test_balances_equal_their_operations_and_never_go_negative(
        self,
        sessions: async_sessionmaker[AsyncSession],
        requests: list[tuple[str, int, str, int, bool]],
    ) -> None:
        member_id = f"m-{uuid.uuid4().hex[:12]}"
        model_balance = {"CASH": 0, "TERM": 0}
        model_paid = {1: 0, 2: 0}
        for index, (kind, kopecks, account, deal, twice) in enumerate(requests):
            request = OperationRequest(kind, f"{kopecks / 100:.2f}", account, deal_id=deal)
            for _ in range(2 if twice else 1):
                async with unit_of_work(sessions) as session:
                    if await money_repository.operation_by_key(session, member_id, f"k{index}"):
                        continue
                    state = MoneyState(
                        await money_repository.account_balance(session, member_id, account),
                        (
                            await money_repository.deal_payments(session, member_id, deal)
                        ).paid_kopecks,
                        allow_negative=False,
                    )
                    planned = decide(request, ACCOUNTS, state)
                    if isinstance(planned, Refusal):
                        continue
                    await money_repository.record_operation(
                        session, member_id, f"k{index}", planned
                    )
                    sign = 1 if kind == "payment" else -1  # the rule restated from the kind
                    model_balance[account] += sign * kopecks
                    model_paid[deal] += 0 if kind == "collection" else sign * kopecks
        async with sessions() as session:
            balances = await money_repository.balances(session, member_id)
            paid = {
                d: (await money_repository.deal_payments(session, member_id, d)).paid_kopecks
                for d in (1, 2)
            }
        assert {code: balances.get(code, 0) for code in model_balance} == model_balance
        assert all(value >= 0 for value in balances.values())
        assert paid == model_paid and all(value >= 0 for value in paid.values())
