"""The event endpoint: durable before 200, deduplicated, and closed to forgeries (R1, S1-S4, S12)."""

import asyncio
from collections import Counter
from collections.abc import AsyncIterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.core.models import InboxEvent, Job, Portal
from tests.appclient import APP_TOKEN, MEMBER_ID, AppHarness, app_harness, deal_event


@pytest.fixture
async def harness(database_url: str) -> AsyncIterator[AppHarness]:
    async with app_harness(database_url) as harness:
        await harness.register()
        yield harness


async def job_kinds(harness: AppHarness) -> list[str]:
    """A deal's event arms one job, its sync (the bonus mark is among the sync's notices)."""
    async with harness.context.sessions() as session:
        return sorted(await session.scalars(select(Job.kind)))


class TestEventIntake:
    async def test_accepted_event_is_stored_with_its_job_before_the_answer(
        self, harness: AppHarness
    ) -> None:
        response = await harness.post_form("/b24/events", deal_event())
        assert response.status_code == 200
        assert response.json() == {"status": "accepted"}
        assert await harness.count(InboxEvent) == 1
        assert await job_kinds(harness) == ["sync_deal"]

    async def test_duplicate_delivery_three_times_stores_one_row(self, harness: AppHarness) -> None:
        statuses = [
            (await harness.post_form("/b24/events", deal_event())).json()["status"]
            for _ in range(3)
        ]
        assert statuses == ["accepted", "duplicate", "duplicate"]
        assert await harness.count(InboxEvent) == 1
        assert await job_kinds(harness) == ["sync_deal"]

    async def test_many_events_for_one_deal_coalesce_into_one_job(
        self, harness: AppHarness
    ) -> None:
        for ts in range(10):
            assert (
                await harness.post_form("/b24/events", deal_event(ts=str(1000 + ts)))
            ).status_code == 200
        assert await harness.count(InboxEvent) == 10
        assert await job_kinds(harness) == ["sync_deal"]

    async def test_a_storm_with_every_delivery_sent_twice_stores_each_once(
        self, harness: AppHarness
    ) -> None:
        """Concurrent batches (several commits in flight on PostgreSQL) share job rows and
        race on the same delivery: each is stored once, answered accepted once."""
        deliveries = [deal_event(1 + i % 10, ts=str(5000 + i)) for i in range(60)]
        answers = await asyncio.gather(
            *(harness.post_form("/b24/events", body) for body in deliveries + deliveries)
        )
        assert {response.status_code for response in answers} == {200}
        statuses = Counter(response.json()["status"] for response in answers)
        assert statuses == {"accepted": 60, "duplicate": 60}
        assert await harness.count(InboxEvent) == 60
        assert await job_kinds(harness) == ["sync_deal"] * 10

    async def test_stored_payload_keeps_no_token(self, harness: AppHarness) -> None:
        await harness.post_form("/b24/events", deal_event())
        async with harness.context.sessions() as session:
            event = await session.get(InboxEvent, 1)
        assert event is not None
        assert APP_TOKEN not in str(event.payload)
        assert "s6p6eclrvim6da22ft9ch94ekreb52lv" not in str(event.payload)


class TestForgedEvents:
    @pytest.mark.parametrize("token", ["0" * 32, "short", APP_TOKEN + "x"])
    async def test_wrong_application_token_is_refused_and_nothing_written(
        self, harness: AppHarness, token: str
    ) -> None:
        response = await harness.post_form("/b24/events", deal_event(token=token))
        assert response.status_code == 403
        assert await harness.count(InboxEvent) == 0
        assert await harness.count(Job) == 0

    async def test_unknown_portal_is_refused(self, harness: AppHarness) -> None:
        response = await harness.post_form("/b24/events", deal_event(member_id="f" * 32))
        assert response.status_code == 401
        assert await harness.count(InboxEvent) == 0

    async def test_missing_token_is_a_clear_bad_request(self, harness: AppHarness) -> None:
        fields = deal_event()
        del fields["auth[application_token]"]
        response = await harness.post_form("/b24/events", fields)
        assert response.status_code == 400
        assert "application_token" in response.json()["error_description"]

    async def test_replay_a_day_later_creates_no_new_row(self, harness: AppHarness) -> None:
        await harness.post_form("/b24/events", deal_event())
        replay = await harness.post_form("/b24/events", deal_event())
        assert replay.json() == {"status": "duplicate"}
        assert await harness.count(InboxEvent) == 1


class TestMalformedBodies:
    @pytest.mark.parametrize(
        ("body", "status"),
        [
            (b"%zz%%=1&&", 400),
            (b"\xff\xfe=1", 400),
            (b"&".join(b"k%d=1" % i for i in range(10_001)), 400),
            (b"a" + b"[x]" * 40 + b"=1", 400),
            (b"x" * (1024 * 1024 + 1), 413),
        ],
        ids=["broken-urlencoding", "not-utf8", "10k-keys", "too-deep", "over-1MiB"],
    )
    async def test_malformed_body_is_refused_with_a_reason(
        self, harness: AppHarness, body: bytes, status: int
    ) -> None:
        response = await harness.http.post(
            "/b24/events",
            content=body,
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert response.status_code == status
        assert response.json()["error_description"]
        assert await harness.count(InboxEvent) == 0

    @pytest.mark.parametrize("entity_id", ["abc", "-1", "0", "1e5", "9" * 30])
    async def test_wrong_type_for_entity_id_is_refused(
        self, harness: AppHarness, entity_id: str
    ) -> None:
        fields = deal_event() | {"data[FIELDS][ID]": entity_id}
        response = await harness.post_form("/b24/events", fields)
        assert response.status_code == 400
        assert "data[FIELDS][ID]" in response.json()["error_description"]

    @settings(
        max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(body=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
    async def test_fuzzed_bodies_never_cause_a_server_error_or_a_write(
        self, harness: AppHarness, body: bytes
    ) -> None:
        response = await harness.http.post(
            "/b24/events",
            content=body,
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert response.status_code < 500
        assert await harness.count(InboxEvent) == 0


class TestUninstall:
    async def test_forged_uninstall_deletes_nothing(self, harness: AppHarness) -> None:
        fields = {
            "event": "ONAPPUNINSTALL",
            "data[CLEAN]": "1",
            "auth[member_id]": MEMBER_ID,
            "auth[application_token]": "forged-token-0000",
        }
        assert (await harness.post_form("/b24/events", fields)).status_code == 403
        async with harness.context.sessions() as session:
            portal = await session.get(Portal, MEMBER_ID)
        assert portal is not None and portal.status == "active"

    async def test_real_uninstall_wipes_tokens_and_later_events_are_refused(
        self, harness: AppHarness
    ) -> None:
        await harness.post_form("/b24/events", deal_event())
        fields = {
            "event": "ONAPPUNINSTALL",
            "data[CLEAN]": "1",
            "auth[member_id]": MEMBER_ID,
            "auth[application_token]": APP_TOKEN,
        }
        assert (await harness.post_form("/b24/events", fields)).status_code == 200
        async with harness.context.sessions() as session:
            portal = await session.get(Portal, MEMBER_ID)
        assert portal is not None and portal.status == "uninstalled" and portal.access_token == ""
        assert await harness.count(InboxEvent) == 0
        assert (await harness.post_form("/b24/events", deal_event(ts="2"))).status_code == 401


class TestIngressFlood:
    async def test_forged_flood_is_refused_while_real_events_get_through(
        self, harness: AppHarness
    ) -> None:
        import asyncio

        forged = [
            harness.post_form("/b24/events", deal_event(i + 1, token="f" * 32, ts=str(i)))
            for i in range(600)
        ]
        real = [
            harness.post_form("/b24/events", deal_event(i + 1, ts=str(10_000 + i)))
            for i in range(30)
        ]
        responses = await asyncio.gather(*forged, *real)
        assert {r.status_code for r in responses[:600]} == {403}
        assert {r.status_code for r in responses[600:]} == {200}
        assert await harness.count(InboxEvent) == 30


class TestAPortalInstalledElsewhere:
    """The early refusal of forgeries never refuses a portal that another process has just
    registered: Bitrix24 does not deliver an event twice, so that refusal would lose it."""

    async def test_an_event_right_after_another_process_registered_its_portal_is_accepted(
        self, database_url: str
    ) -> None:
        async with app_harness(database_url) as harness:
            refused = await harness.post_form("/b24/events", deal_event(1))
            assert refused.status_code == 401  # unknown: the tokens were just read
            await harness.register()  # written to the database, not through this process
            accepted = await harness.post_form("/b24/events", deal_event(2))
            assert accepted.status_code == 200 and accepted.json() == {"status": "accepted"}

    async def test_a_new_application_token_is_accepted_at_once_after_a_reinstall(
        self, harness: AppHarness
    ) -> None:
        assert (await harness.post_form("/b24/events", deal_event(1))).status_code == 200
        assert (
            await harness.post_form("/b24/events", deal_event(2, token="b" * 32))
        ).status_code == 403
        async with harness.context.sessions() as session, session.begin():
            portal = await session.get(Portal, MEMBER_ID)
            assert portal is not None
            portal.application_token = "b" * 32  # the re-install, done by another process
        assert (
            await harness.post_form("/b24/events", deal_event(3, token="b" * 32))
        ).status_code == 200


class TestACacheNeverAccepts:
    """The early cache only refuses; acceptance rests on the read inside the unit of work."""

    async def test_a_portal_uninstalled_by_another_process_is_refused_at_once(
        self, harness: AppHarness
    ) -> None:
        assert (await harness.post_form("/b24/events", deal_event(1))).status_code == 200
        async with harness.context.sessions() as session, session.begin():
            portal = await session.get(Portal, MEMBER_ID)
            assert portal is not None
            portal.status, portal.application_token = "uninstalled", ""  # done elsewhere
        refused = await harness.post_form("/b24/events", deal_event(2, ts="2"))
        assert refused.status_code == 401
        assert await harness.count(InboxEvent) == 1

    async def test_the_old_token_is_refused_at_once_after_a_reinstall_elsewhere(
        self, harness: AppHarness
    ) -> None:
        assert (await harness.post_form("/b24/events", deal_event(1))).status_code == 200
        async with harness.context.sessions() as session, session.begin():
            portal = await session.get(Portal, MEMBER_ID)
            assert portal is not None
            portal.application_token = "c" * 32  # the re-install, done by another process
        refused = await harness.post_form("/b24/events", deal_event(2, ts="2"))
        assert refused.status_code == 403
        assert await harness.count(InboxEvent) == 1
