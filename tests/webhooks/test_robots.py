"""The robot endpoint: stored once per event_token before 200, closed to forgeries (DR1, R17, S1-S3)."""

import logging
from collections.abc import AsyncIterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.models import Effect, InboxEvent, Job
from tests.appclient import APP_TOKEN, MEMBER_ID, AppHarness, app_harness

EVENT_TOKEN = (
    "55c1dc1c3f0d75.78875596|A51601_82584_96831_81132|hsyUws1j4XiwqPqN45eH66CcQtEvpUIP.47dd5d"
)


def robot_call(
    code: str = "b24bridge_apply_discount",
    *,
    deal: str = "DEAL_759",
    token: str = EVENT_TOKEN,
    app_token: str = APP_TOKEN,
    member_id: str = MEMBER_ID,
    **properties: str,
) -> dict[str, str]:
    fields = {
        "workflow_id": "6601a2b3c4d5e6.12345678",
        "code": code,
        "document_id[0]": "crm",
        "document_id[1]": "CCrmDocumentDeal",
        "document_id[2]": deal,
        "document_type[0]": "crm",
        "document_type[1]": "CCrmDocumentDeal",
        "document_type[2]": "DEAL",
        "event_token": token,
        "use_subscription": "Y",
        "timeout_duration": "0",
        "ts": "1736405807",
        "auth[access_token]": "s6p6eclrvim6da22ft9ch94ekreb52lv",
        "auth[expires_in]": "3600",
        "auth[domain]": "some-domain.bitrix24.com",
        "auth[client_endpoint]": "https://some-domain.bitrix24.com/rest/",
        "auth[member_id]": member_id,
        "auth[user_id]": "1",
        "auth[application_token]": app_token,
    }
    if code == "b24bridge_apply_discount":
        properties.setdefault("amount", "150")
    fields |= {f"properties[{name}]": value for name, value in properties.items()}
    return fields


@pytest.fixture
async def harness(database_url: str) -> AsyncIterator[AppHarness]:
    async with app_harness(database_url) as harness:
        await harness.register()
        yield harness


async def rows(harness: AppHarness) -> tuple[int, int, int]:
    return await harness.count(InboxEvent), await harness.count(Job), await harness.count(Effect)


class TestRobotIntake:
    async def test_call_is_stored_with_one_robot_job_before_the_answer(
        self, harness: AppHarness
    ) -> None:
        response = await harness.post_form("/b24/robots", robot_call(amount="150,5"))
        assert response.status_code == 200 and response.json() == {"status": "accepted"}
        async with harness.context.sessions() as session:
            job = await session.get(Job, 1)
        assert job is not None and job.kind == "robot"
        assert job.payload["action"] == "apply_discount" and job.payload["deal_id"] == 759
        assert job.payload["params"] == {"amount": "150.50"}

    async def test_same_event_token_three_times_is_one_row_and_one_job(
        self, harness: AppHarness
    ) -> None:
        statuses = [
            (await harness.post_form("/b24/robots", robot_call())).json()["status"]
            for _ in range(3)
        ]
        assert statuses == ["accepted", "duplicate", "duplicate"]
        assert await rows(harness) == (1, 1, 0)

    async def test_repeat_after_the_job_finished_does_not_arm_it_again(
        self, harness: AppHarness
    ) -> None:
        await harness.post_form("/b24/robots", robot_call())
        async with harness.context.sessions() as session:
            job = await session.get(Job, 1)
            assert job is not None
            job.status = "done"
            await session.commit()
        assert (await harness.post_form("/b24/robots", robot_call())).json() == {
            "status": "duplicate"
        }
        async with harness.context.sessions() as session:
            job = await session.get(Job, 1)
        assert job is not None and job.status == "done"

    async def test_different_tokens_are_different_jobs(self, harness: AppHarness) -> None:
        await harness.post_form("/b24/robots", robot_call(token=EVENT_TOKEN + "a"))
        await harness.post_form("/b24/robots", robot_call(token=EVENT_TOKEN + "b"))
        assert await rows(harness) == (2, 2, 0)

    async def test_stored_body_keeps_no_token(self, harness: AppHarness) -> None:
        await harness.post_form("/b24/robots", robot_call())
        async with harness.context.sessions() as session:
            event = await session.get(InboxEvent, 1)
        assert event is not None and event.source == "robot" and event.entity_id == "759"
        stored = str(event.payload)
        assert (
            EVENT_TOKEN not in stored and APP_TOKEN not in stored and "s6p6eclrvim6" not in stored
        )

    async def test_event_token_is_masked_in_log_lines(
        self, harness: AppHarness, caplog: pytest.LogCaptureFixture
    ) -> None:
        await harness.post_form("/b24/robots", robot_call())
        logging.getLogger("probe").warning("token seen: %s", EVENT_TOKEN)
        assert EVENT_TOKEN not in caplog.text


class TestRefusedRobotCalls:
    @pytest.mark.parametrize(
        ("fields", "reason"),
        [
            (robot_call("someone_elses_robot"), "not one of this app's robots"),
            (robot_call(deal="LEAD_5"), "document_id"),
            (robot_call(deal="DEAL_abc"), "document_id"),
            (robot_call(deal="DEAL_0"), "document_id"),
            (robot_call(token=""), "event_token"),
            (robot_call(token="short"), "event_token"),
            (robot_call(member_id=""), "auth[member_id]"),
            (robot_call(app_token=""), "auth[application_token]"),
            (robot_call(amount=""), "properties[amount]"),
            (robot_call(amount="-5"), "properties[amount]"),
            (robot_call(amount="0"), "properties[amount]"),
            (robot_call(amount="abc"), "properties[amount]"),
            (robot_call(amount="NaN"), "properties[amount]"),
            (robot_call(amount="1e30"), "properties[amount]"),
            (robot_call(amount="1.005"), "properties[amount]"),
        ],
        ids=[
            "unknown-code",
            "lead-document",
            "bad-deal-id",
            "zero-deal",
            "no-token",
            "short-token",
            "no-member",
            "no-app-token",
            "no-amount",
            "negative",
            "zero",
            "text",
            "nan",
            "huge",
            "sub-kopeck",
        ],
    )
    async def test_bad_call_is_a_400_with_a_reason_and_nothing_written(
        self, harness: AppHarness, fields: dict[str, str], reason: str
    ) -> None:
        response = await harness.post_form("/b24/robots", fields)
        assert response.status_code == 400
        assert reason in response.json()["error_description"]
        assert await rows(harness) == (0, 0, 0)

    @pytest.mark.parametrize("token", ["0" * 32, "short", APP_TOKEN + "x"])
    async def test_forged_application_token_is_403_and_nothing_written(
        self, harness: AppHarness, token: str
    ) -> None:
        response = await harness.post_form("/b24/robots", robot_call(app_token=token))
        assert response.status_code == 403
        assert await rows(harness) == (0, 0, 0)

    async def test_unknown_portal_is_401(self, harness: AppHarness) -> None:
        response = await harness.post_form("/b24/robots", robot_call(member_id="f" * 32))
        assert response.status_code == 401
        assert await rows(harness) == (0, 0, 0)

    async def test_body_over_the_cap_is_413(self, harness: AppHarness) -> None:
        response = await harness.http.post(
            "/b24/robots",
            content=b"x" * (1024 * 1024 + 1),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert response.status_code == 413
        assert await rows(harness) == (0, 0, 0)

    async def test_database_down_is_503(self, harness: AppHarness) -> None:
        await harness.context.engine.dispose()
        harness.context.sessions.configure(bind=_broken_engine())
        response = await harness.post_form("/b24/robots", robot_call())
        assert response.status_code == 503

    @settings(
        max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(body=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
    async def test_fuzzed_bodies_never_cause_a_server_error_or_a_write(
        self, harness: AppHarness, body: bytes
    ) -> None:
        response = await harness.http.post(
            "/b24/robots",
            content=body,
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert response.status_code < 500
        assert await harness.count(InboxEvent) == 0


def _broken_engine():  # type: ignore[no-untyped-def]
    from sqlalchemy.ext.asyncio import create_async_engine

    return create_async_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
