"""Robots end to end on the sandbox portal over real HTTP (RELIABILITY.md R17).

The sandbox sends the real robot POST with a fresh single-use event_token; the app
stores it, the worker runs the action and answers with ``bizproc.event.send``, which
the sandbox records under ``/workflow-replies``.
"""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import update

from app.core.models import Effect, InboxEvent, Job
from app.core.models.base import utc_now
from app.worker import actions as worker_actions
from tests.e2e.harness import Stack, live_stack

pytestmark = pytest.mark.e2e
ADMIN = "admin-token-for-robot-tests"
RECHECK = "b24bridge_recheck_search"


@pytest.fixture
async def stack(database_url: str) -> AsyncIterator[Stack]:
    async with live_stack(database_url, admin_token=ADMIN) as stack:
        await stack.install()
        yield stack


async def new_deal(stack: Stack) -> int:
    return int(await stack.act("crm.deal.add", {"fields": {"TITLE": "Robot deal"}}))


async def run_robot(stack: Stack, deal_id: int, code: str = RECHECK, **properties: str) -> str:
    body = {"document_id": ["crm", "CCrmDocumentDeal", f"DEAL_{deal_id}"], "properties": properties}
    result = await stack.ctl("POST", f"/robots/{code}/run", json=body)
    assert result["status_code"] == 200, result
    return str(result["event_token"])


def same_call(stack: Stack, token: str, deal_id: int, code: str = RECHECK) -> dict[str, str]:
    """The robot POST again, byte for byte what a repeated delivery of that token carries."""
    return {
        "workflow_id": "repeat",
        "code": code,
        "document_id[0]": "crm",
        "document_id[1]": "CCrmDocumentDeal",
        "document_id[2]": f"DEAL_{deal_id}",
        "event_token": token,
        "ts": "1",
        "auth[member_id]": stack.member_id,
        "auth[application_token]": stack.portal["application_token"],
    }


async def replies(stack: Stack) -> list[dict[str, Any]]:
    return list((await stack.ctl("GET", "/workflow-replies"))["replies"])


async def refresh_portal(stack: Stack) -> None:
    stack.portal = (await stack.control.get("/_sandbox/portals/demo")).json()


async def robot_rows(stack: Stack) -> tuple[int, int]:
    """Inbox rows and effects of robot calls (deal events of the same test are not counted)."""
    from sqlalchemy import func, select

    async with stack.context.sessions() as session:
        inbox = await session.scalar(select(func.count()).where(InboxEvent.source == "robot"))  # type: ignore[arg-type]
        effects = await session.scalar(select(func.count()).where(Effect.key.like("robot_%")))  # type: ignore[attr-defined]
    return int(inbox or 0), int(effects or 0)


class TestRobotReplies:
    async def test_same_token_three_times_and_a_503_outage_answer_the_workflow_once(
        self, stack: Stack
    ) -> None:
        await refresh_portal(stack)
        deal_id = await new_deal(stack)
        await stack.ctl(
            "POST",
            "/outage",
            json={"error": "QUERY_LIMIT_EXCEEDED", "seconds": 1, "methods": ["bizproc.event.send"]},
        )
        token = await run_robot(stack, deal_id)
        for _ in range(2):
            repeat = await stack.http.post("/b24/robots", data=same_call(stack, token, deal_id))
            assert repeat.status_code == 200 and repeat.json() == {"status": "duplicate"}
        assert (await robot_rows(stack))[0] == 1
        await stack.worker.run_until_idle()
        answered = await replies(stack)
        assert len(answered) == 1
        assert (
            answered[0]["event_token"] == token
            and answered[0]["document_id"][2] == f"DEAL_{deal_id}"
        )
        assert "re-check" in answered[0]["return_values"]["result"]
        refused = [
            r
            for r in (await stack.ctl("GET", "/requests"))["requests"]
            if r["method"] == "bizproc.event.send" and r["http_status"] == 503
        ]
        assert refused, "the outage refused at least one reply"
        again = await stack.http.post("/b24/robots", data=same_call(stack, token, deal_id))
        assert again.json() == {"status": "duplicate"}
        await stack.worker.run_until_idle()
        assert len(await replies(stack)) == 1

    async def test_a_failed_reply_is_retried_by_the_job_and_sent_once(self, stack: Stack) -> None:
        deal_id = await new_deal(stack)
        await stack.ctl(
            "POST",
            "/outage",
            json={"error": "OVERLOAD_LIMIT", "seconds": 600, "methods": ["bizproc.event.send"]},
        )
        await run_robot(stack, deal_id)
        await stack.worker.run_until_idle()
        async with stack.context.sessions() as session:
            job = await session.get(Job, await _robot_job_id(stack))
        assert job is not None and job.status == "pending" and "OverloadError" in job.last_error
        assert await replies(stack) == []
        await stack.ctl("POST", "/outage", json={"seconds": 0})
        await _make_due(stack)
        await stack.worker.run_until_idle()
        assert len(await replies(stack)) == 1
        async with stack.context.sessions() as session:
            job = await session.get(Job, await _robot_job_id(stack))
        assert job is not None and job.status == "done"

    async def test_a_used_token_is_terminal_dead_lettered_and_never_retried(
        self, stack: Stack
    ) -> None:
        deal_id = await new_deal(stack)
        token = await run_robot(stack, deal_id)
        await stack.act(
            "bizproc.event.send", {"EVENT_TOKEN": token, "RETURN_VALUES": {"result": "by hand"}}
        )
        await stack.worker.run_until_idle()
        dead = (
            await stack.http.get("/admin/jobs", headers={"authorization": f"Bearer {ADMIN}"})
        ).json()["jobs"]
        robot_jobs = [job for job in dead if job["kind"] == "robot"]
        assert len(robot_jobs) == 1 and "ACCESS_DENIED" in robot_jobs[0]["last_error"]
        assert token not in robot_jobs[0]["last_error"]
        async with stack.context.sessions() as session:
            effect = next(
                e for e in (await session.scalars(_effects())) if e.key.startswith("robot_reply:")
            )
        assert effect.status == "denied"
        await _make_due(stack)
        await stack.worker.run_until_idle()
        sends = [
            r
            for r in (await stack.ctl("GET", "/requests"))["requests"]
            if r["method"] == "bizproc.event.send"
        ]
        assert len(sends) == 1  # the app's one refused attempt (ours went through the control API)
        assert len(await replies(stack)) == 1

    async def test_a_missing_action_is_reported_to_the_workflow(
        self, stack: Stack, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # The worker's registry (app.worker.actions) holds its own reference to the actions.
        monkeypatch.setattr(worker_actions, "PRODUCT_ACTIONS", {})
        deal_id = await new_deal(stack)
        await run_robot(stack, deal_id, "b24bridge_clear_products")
        await stack.worker.run_until_idle()
        answered = await replies(stack)
        assert len(answered) == 1 and "clear_products" in answered[0]["return_values"]["result"]


class TestForgedRobotCalls:
    async def test_forged_unknown_and_malformed_calls_write_nothing(self, stack: Stack) -> None:
        await refresh_portal(stack)
        deal_id = await new_deal(stack)
        good = same_call(stack, "a" * 40, deal_id)
        cases = [
            good | {"auth[application_token]": "forged-token-0000"},
            good | {"auth[member_id]": "f" * 32},
            good | {"code": "not_ours"},
            good | {"document_id[2]": "LEAD_1"},
            same_call(stack, "b" * 40, deal_id, "b24bridge_apply_discount")
            | {"properties[amount]": "-1"},
        ]
        statuses = [
            (await stack.http.post("/b24/robots", data=fields)).status_code for fields in cases
        ]
        assert statuses == [403, 401, 400, 400, 400]
        assert await robot_rows(stack) == (0, 0)
        assert [job for job in await _jobs(stack) if job.kind == "robot"] == []


def _effects() -> Any:
    from sqlalchemy import select

    return select(Effect)


async def _jobs(stack: Stack) -> list[Job]:
    from sqlalchemy import select

    async with stack.context.sessions() as session:
        return list(await session.scalars(select(Job)))


async def _robot_job_id(stack: Stack) -> int:
    return next(int(job.id or 0) for job in await _jobs(stack) if job.kind == "robot")


async def _make_due(stack: Stack) -> None:
    """Move the backoff along instead of waiting for it."""
    async with stack.context.sessions() as session:
        await session.execute(
            update(Job).where(Job.status == "pending").values(run_after=utc_now())
        )  # type: ignore[arg-type]
        await session.commit()
