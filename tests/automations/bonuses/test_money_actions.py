"""The money robots' action on a real database: one operation per robot call even when the
call runs twice (a crash before its answer was recorded), and a refusal writes nothing."""

import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from app.core.config import Settings
from app.core.db import create_engine, create_session_factory, unit_of_work
from app.core.models import Job, MoneyOperation, Portal
from app.core.portal_settings import update_portal_settings
from automations.bonuses.money_actions import add_payment
from automations.ports import Deps
from connectors.bitrix24 import Bitrix24Client
from connectors.sms import LogSmsSender

ACCOUNTS = [{"code": "CASH", "kind": "cash_desk", "office": "Минск", "title": "Касса Минск"}]


class NoRest:
    """The money action records in the ledger only; it must never call the portal."""

    def for_portal(self, portal: Portal) -> Bitrix24Client:
        raise AssertionError("a money operation must not call the portal")


@pytest.fixture
async def deps(database_url: str) -> AsyncIterator[Deps]:
    engine = create_engine(database_url)
    sessions = create_session_factory(engine)
    settings = Settings(database_url=database_url)
    yield Deps(settings=settings, sessions=sessions, rest=NoRest(), sms=LogSmsSender())
    await engine.dispose()


async def a_portal(deps: Deps) -> Portal:
    portal = Portal(
        member_id=f"m-{uuid.uuid4().hex[:12]}",
        domain="x.bitrix24.by",
        client_endpoint="",
        status="active",
    )
    async with unit_of_work(deps.sessions) as session:
        session.add(portal)
        await session.flush()
        await update_portal_settings(session, portal.member_id, {"money_accounts": ACCOUNTS})
    return portal


async def operations(deps: Deps, member_id: str) -> int:
    async with deps.sessions() as session:
        query = select(func.count()).select_from(MoneyOperation)
        return int(await session.scalar(query.where(MoneyOperation.member_id == member_id)) or 0)


class TestMoneyAction:
    async def test_the_same_call_twice_is_one_operation_with_the_same_answer(
        self, deps: Deps
    ) -> None:
        portal = await a_portal(deps)
        params = {"type": "payment", "amount": "150.50", "account": "CASH", "request_key": "k1"}
        first = await add_payment(deps, portal, 11, params)
        again = await add_payment(deps, portal, 11, params)
        assert first.is_done and again.is_done
        assert first.values == again.values == {"balance": "150.50", "paid": "150.50"}
        assert await operations(deps, portal.member_id) == 1
        async with deps.sessions() as session:
            kinds = set(
                await session.scalars(select(Job.kind).where(Job.member_id == portal.member_id))
            )
        assert kinds == {"bonus_registry"}

    @pytest.mark.parametrize(
        ("params", "needle"),
        [
            ({"type": "payment", "amount": "-1", "account": "CASH"}, "больше нуля"),
            ({"type": "payment", "amount": "1.001", "account": "CASH"}, "двух знаков"),
            ({"type": "payment", "amount": "1", "account": "SAFE"}, "«SAFE» не найден"),
            ({"type": "refund", "amount": "1", "account": "CASH"}, "больше, чем оплачено"),
            ({"type": "gift", "amount": "1", "account": "CASH"}, "Поле «Тип»"),
            ({"type": "payment", "amount": "1", "account": "CASH", "request_key": ""}, "роботом"),
        ],
    )
    async def test_bad_input_is_refused_in_russian_and_nothing_is_written(
        self, deps: Deps, params: dict[str, str], needle: str
    ) -> None:
        portal = await a_portal(deps)
        outcome = await add_payment(deps, portal, 11, {"request_key": "k2", **params})
        assert not outcome.is_done and needle in outcome.message
        assert await operations(deps, portal.member_id) == 0
