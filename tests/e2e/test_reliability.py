"""Reliability and secrecy over real HTTP: concurrent duplicates (R2), token expiry under
load (R9), a database outage (R16), and no secret in any log line (S7)."""

import asyncio
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import func, select

from app.core.models import InboxEvent, Job, Portal
from tests.appclient import app_harness, deal_event
from tests.e2e.harness import BUYER_ID, live_stack
from tests.e2e.procurement_steps import Journey
from tests.e2e.test_procurement import find_everything
from webhooks.bitrix24.senders import REFRESH_SECONDS

pytestmark = pytest.mark.e2e


@pytest.fixture
async def journey(database_url: str) -> AsyncIterator[Journey]:
    async with live_stack(database_url, log_level="DEBUG") as stack:
        yield await Journey.start(stack)


async def count(journey: Journey, model: type) -> int:
    async with journey.stack.context.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


class TestConcurrentDuplicates:
    async def test_twenty_identical_posts_in_parallel_store_one_row(self, journey: Journey) -> None:
        await journey.create_deal()
        before_inbox, before_jobs = await count(journey, InboxEvent), await count(journey, Job)
        async with journey.stack.context.sessions() as session:
            token = (await session.scalars(select(Portal))).one().application_token
        fields = deal_event(
            journey.deal_id, ts="1999999999", member_id=journey.stack.member_id, token=token
        )
        responses = await asyncio.gather(
            *(journey.stack.http.post("/b24/events", data=fields) for _ in range(20))
        )
        assert sorted({r.status_code for r in responses}) == [200]
        assert await count(journey, InboxEvent) == before_inbox + 1
        assert (
            await count(journey, Job) == before_jobs
        )  # the deal's sync job was re-armed, not duplicated


class TestTokenExpiry:
    async def test_expired_tokens_are_refreshed_once_and_work_goes_on(
        self, journey: Journey
    ) -> None:
        await journey.create_deal()
        async with journey.stack.context.sessions() as session:
            before = (await session.scalars(select(Portal))).one().refresh_token
        await journey.stack.ctl("POST", "/expire-tokens")
        await journey.move_deal("SEARCH")
        assert await journey.link() is not None and (await journey.link()).card_id  # type: ignore[union-attr]
        async with journey.stack.context.sessions() as session:
            after = (await session.scalars(select(Portal))).one().refresh_token
        assert after != before  # the rotated pair was persisted
        assert len(await journey.tasks(BUYER_ID)) == 1


class TestDatabaseOutage:
    async def test_events_get_503_and_nothing_is_acknowledged(self) -> None:
        unreachable = "postgresql+asyncpg://nobody@127.0.0.1:1/none"
        async with app_harness(unreachable) as harness:
            response = await harness.post_form("/b24/events", deal_event())
            assert response.status_code == 503
            assert "nothing was stored" in response.json()["error_description"]
            assert (await harness.http.get("/readyz")).status_code == 503
            assert (await harness.http.get("/healthz")).status_code == 200


class TestNoSecretInLogs:
    async def test_tokens_never_reach_a_log_line_or_metric(
        self, journey: Journey, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
    ) -> None:
        caplog.set_level(logging.DEBUG)
        logging.getLogger("httpx").setLevel(logging.DEBUG)
        await journey.create_deal()
        await journey.stack.ctl("POST", "/expire-tokens")
        await journey.move_deal("SEARCH")
        await find_everything(journey)
        forged = deal_event(
            journey.deal_id, member_id=journey.stack.member_id, token="forged-token-123456789"
        )
        assert (await journey.stack.http.post("/b24/events", data=forged)).status_code == 403
        metrics = (await journey.stack.http.get("/metrics")).text
        async with journey.stack.context.sessions() as session:
            portal = (await session.scalars(select(Portal))).one()
        secrets = {
            portal.access_token,
            portal.refresh_token,
            portal.application_token,
            journey.stack.context.settings.b24_client_secret.get_secret_value(),
            "forged-token-123456789",
        }
        captured = caplog.text + capsys.readouterr().err + metrics
        assert "b24bridge_rest_calls_total" in metrics
        leaked = [secret for secret in secrets if secret and secret in captured]
        assert leaked == []


class TestForgedFlood:
    """Issue 11 #13: forged events are refused before any database work or group commit."""

    async def test_800_forged_events_cost_at_most_a_few_reads_and_store_nothing(
        self, journey: Journey
    ) -> None:
        await journey.create_deal()
        engine = journey.stack.context.engine
        statements: list[str] = []

        def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
            statements.append(statement)

        before_inbox, before_jobs = await count_rows(journey)
        sqlalchemy_event.listen(engine.sync_engine, "before_cursor_execute", count)
        started = time.monotonic()
        try:
            answers = await forged_flood(journey, total=800, at_once=40)
        finally:
            sqlalchemy_event.remove(engine.sync_engine, "before_cursor_execute", count)
        seconds = time.monotonic() - started
        assert answers == {403: 800}
        reads = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "PRAGMA"))]
        writes = [s for s in statements if s not in reads]
        # at most one re-read of the portals per second of flood, whatever its size
        assert writes == [] and len(reads) <= 2 + seconds / REFRESH_SECONDS, (seconds, reads)
        assert await count_rows(journey) == (before_inbox, before_jobs)

    async def test_a_legitimate_event_still_gets_through_during_the_flood(
        self, journey: Journey
    ) -> None:
        deal_id = await journey.create_deal()
        flood = asyncio.create_task(forged_flood(journey, total=400, at_once=40))
        async with journey.stack.context.sessions() as session:
            token = (await session.scalars(select(Portal))).one().application_token
        real = deal_event(deal_id, ts="1999999998", member_id=journey.stack.member_id, token=token)
        response = await journey.stack.http.post("/b24/events", data=real)
        await flood
        assert response.status_code == 200 and response.json()["status"] == "accepted"


async def count_rows(journey: Journey) -> tuple[int, int]:
    return await count(journey, InboxEvent), await count(journey, Job)


async def forged_flood(journey: Journey, *, total: int, at_once: int) -> Counter[int]:
    member_id = journey.stack.member_id
    answers: Counter[int] = Counter()
    for start in range(0, total, at_once):
        posts = [
            journey.stack.http.post(
                "/b24/events",
                data=deal_event(
                    1,
                    ts=str(1800000000 + start + i),
                    member_id=member_id,
                    token=f"forged-{i:04d}-x",
                ),
            )
            for i in range(at_once)
        ]
        answers.update(response.status_code for response in await asyncio.gather(*posts))
    return answers
