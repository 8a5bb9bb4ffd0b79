"""A deal event's notices on a real database: the bonus mark is made by the deal's sync job
(no bonus job per event), only when the portal's bonuses are on, and is the same when the
sync runs again."""

import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from app.core import queue
from app.core.config import Settings
from app.core.db import create_engine, create_session_factory, unit_of_work
from app.core.models import BonusDirtyDeal, Job, Portal
from app.core.portal_settings import update_portal_settings
from automations.deal_notices import notices_then
from automations.ports import Deps
from connectors.bitrix24 import Bitrix24Client
from connectors.sms import LogSmsSender

RULES = {"default_percent": "5"}


class NoRest:
    """The notices are database work only: they must never call the portal."""

    def for_portal(self, portal: Portal) -> Bitrix24Client:
        raise AssertionError("the deal's notices must not call the portal")


@pytest.fixture
async def deps(database_url: str) -> AsyncIterator[Deps]:
    engine = create_engine(database_url)
    settings = Settings(database_url=database_url, bonus_batch_delay_seconds=30)
    yield Deps(
        settings=settings,
        sessions=create_session_factory(engine),
        rest=NoRest(),
        sms=LogSmsSender(),
    )
    await engine.dispose()


async def a_portal(deps: Deps, settings: dict[str, object]) -> str:
    member_id = f"m-{uuid.uuid4().hex[:12]}"
    async with unit_of_work(deps.sessions) as session:
        session.add(
            Portal(member_id=member_id, domain="x.bitrix24.ru", client_endpoint="", status="active")
        )
        await session.flush()
        await update_portal_settings(session, member_id, settings)
    return member_id


async def run_sync(deps: Deps, member_id: str, deal_id: int) -> list[str]:
    """The deal's sync job as the registry runs it, with a sync that only records its call."""
    synced: list[str] = []

    async def sync(_deps: Deps, job: Job) -> str:
        synced.append(job.coalesce_key)
        return "synced"

    job = Job(
        member_id=member_id,
        kind=queue.SYNC_DEAL,
        coalesce_key=queue.deal_sync_key(member_id, deal_id),
        payload={"deal_id": deal_id},
    )
    await notices_then(sync)(deps, job)
    return synced


async def marks_and_scans(deps: Deps, member_id: str) -> tuple[list[int], list[str]]:
    async with deps.sessions() as session:
        marks = await session.scalars(
            select(BonusDirtyDeal.deal_id).where(BonusDirtyDeal.member_id == member_id)
        )
        kinds = await session.scalars(select(Job.kind).where(Job.member_id == member_id))
        return sorted(marks), sorted(kinds)


class TestDealNotices:
    async def test_bonuses_on_the_sync_marks_the_deal_and_arms_one_scan(self, deps: Deps) -> None:
        member_id = await a_portal(deps, {"bonus_rules": RULES})
        assert await run_sync(deps, member_id, 41) == [queue.deal_sync_key(member_id, 41)]
        await run_sync(deps, member_id, 41)  # the sync runs again: still one mark, one scan
        await run_sync(deps, member_id, 42)
        assert await marks_and_scans(deps, member_id) == ([41, 42], [queue.BONUS_SCAN])

    async def test_bonuses_off_the_sync_marks_nothing(self, deps: Deps) -> None:
        member_id = await a_portal(deps, {})
        assert await run_sync(deps, member_id, 41) == [queue.deal_sync_key(member_id, 41)]
        assert await marks_and_scans(deps, member_id) == ([], [])
