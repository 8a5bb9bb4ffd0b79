"""Chaos for the exchange gateway: the worker process SIGKILLed mid-job, the portal
answering 503 for a while, the app process replaced mid-upload, a crash between the deal's
create and its record — afterwards every order is a deal exactly once and every document
is done (RELIABILITY R3, R5, R10; PRODUCT §3.10)."""

import os
import random
from collections import Counter
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select, update

from app.core import queue
from app.core.db import unit_of_work
from app.core.models import ExchangeDocument, ExchangeOrder
from app.web.main import create_app
from tests.e2e import exchange_steps as steps
from tests.e2e.harness import Stack, free_port, live_stack, serve
from tests.e2e.onec_base import OneCBase, commerce_file, order_xml
from tests.e2e.test_chaos import ChaosWorker

pytestmark = pytest.mark.e2e
ROWS = [{"code": "demo-product-1", "name": "Фара", "price": "100", "quantity": "1"}]


@pytest.fixture
async def stack(database_url: str) -> AsyncIterator[Stack]:
    async with live_stack(database_url, worker_lease_seconds=1) as stack:
        await stack.install()
        yield stack


async def upload_orders(stack: Stack, count: int) -> tuple[steps.Node, steps.Node]:
    """``count`` orders from one node, the first half re-sent by a second node."""
    first, second = await steps.add(stack, "base-1"), await steps.add(stack, "base-2")
    for number in range(count):
        await first.call(
            "order.upsert",
            {"order": steps.order(f"a{number}", site_number=f"S{number}", rows=ROWS)},
        )
    for number in range(count // 2):
        await second.call(
            "order.upsert",
            {"order": steps.order(f"b{number}", site_number=f"S{number}", rows=ROWS)},
        )
    return first, second


async def origin_ids(stack: Stack) -> Counter[str]:
    deals = await steps.deals(stack)
    return Counter(d["ORIGIN_ID"] for d in deals if d.get("ORIGINATOR_ID") == "b24bridge")


async def statuses(stack: Stack) -> Counter[str]:
    async with stack.context.sessions() as session:
        return Counter((await session.scalars(select(ExchangeDocument.status))).all())


def worker_env(stack: Stack, database_url: str) -> dict[str, str]:
    settings = stack.context.settings
    return {
        **os.environ, "DATABASE_URL": database_url, "APP_BASE_URL": settings.app_base_url,
        "B24_ALLOWED_DOMAINS": ",".join(settings.b24_allowed_domains),
        "B24_OAUTH_URL": settings.b24_oauth_url, "B24_CLIENT_ID": settings.b24_client_id,
        "B24_CLIENT_SECRET": settings.b24_client_secret.get_secret_value(),
        "WORKER_LEASE_SECONDS": "1", "WORKER_POLL_SECONDS": "0.05",
        "RECONCILE_INTERVAL_SECONDS": "3600", "REMINDER_POLL_SECONDS": "3600",
        "LOG_LEVEL": "WARNING",
    }  # fmt: skip


class TestWorkerKilled:
    async def test_every_order_is_one_deal_after_repeated_kills(
        self, stack: Stack, database_url: str
    ) -> None:
        await upload_orders(stack, 12)
        worker = ChaosWorker(stack, worker_env(stack, database_url), random.Random(14))
        try:
            await worker.settle(max_kills=4)
        finally:
            worker.stop()
        assert worker.kills >= 2, "the chaos did not happen"
        made = await origin_ids(stack)
        assert len(made) == 12 and set(made.values()) == {1}
        assert await statuses(stack) == Counter({"done": 18})


class TestPortalDown:
    async def test_orders_wait_out_a_503_outage_and_apply_once(self, stack: Stack) -> None:
        await stack.ctl("POST", "/outage", json={"error": "QUERY_LIMIT_EXCEEDED", "seconds": 3})
        await upload_orders(stack, 6)
        for _ in range(40):
            await stack.worker.run_until_idle()
            if (await statuses(stack))["done"] == 9:
                break
            await stack.ctl("POST", "/events/flush")
        made = await origin_ids(stack)
        assert len(made) == 6 and set(made.values()) == {1}
        assert await statuses(stack) == Counter({"done": 9})
        requests = (await stack.ctl("GET", "/requests"))["requests"]
        assert any(r["http_status"] == 503 for r in requests), "the outage did not happen"


class TestCrashAfterTheCreate:
    async def test_the_lookup_finds_the_deal_instead_of_creating_a_second(
        self, stack: Stack
    ) -> None:
        node = await steps.add(stack, "b2b")
        await node.call("order.upsert", {"order": steps.order("o-1", rows=ROWS)})
        await stack.worker.run_until_idle()
        async with unit_of_work(
            stack.context.sessions
        ) as session:  # as if killed before the record
            await session.execute(update(ExchangeOrder).values(deal_id=None, applied_hash=""))
            await session.execute(update(ExchangeDocument).values(status="pending"))
            order_id = await session.scalar(select(ExchangeOrder.id))
            await queue.arm_exchange(session, stack.member_id, order_id=order_id)
        await stack.worker.run_until_idle()
        made = await origin_ids(stack)
        assert list(made.values()) == [1]
        async with stack.context.sessions() as session:
            assert await session.scalar(select(ExchangeOrder.deal_id)) is not None


class TestAppReplacedMidUpload:
    async def test_parts_stored_by_one_process_are_imported_by_the_next(self, stack: Stack) -> None:
        node = await steps.add(stack, "УТ", kind="1c")
        body = commerce_file([order_xml("g-1", "1", site_number="S-1", rows=[
            ("demo-product-1", "Фара", "100", "1")])])  # fmt: skip
        first = OneCBase(stack.http, node)
        assert (await first.checkauth())[0] == "success"
        half = len(body) // 2
        await first.http.post("/exchange/1c", params={"type": "sale", "mode": "file",
                              "filename": "a.xml", "sessid": first.sessid}, content=body[:half])  # fmt: skip
        port = free_port()
        replacement = create_app(stack.context.settings)
        async with (
            serve(replacement, port),
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http,
        ):
            second = OneCBase(http, node, cookie=first.cookie, sessid=first.sessid)
            await http.post("/exchange/1c", params={"type": "sale", "mode": "file",
                            "filename": "a.xml", "sessid": second.sessid},
                            content=body[half:])  # fmt: skip
            answer = (await second.get("import", filename="a.xml")).content.decode("cp1251")
        assert answer.startswith("success\ndocuments=1 refused=0"), answer
        await stack.worker.run_until_idle()
        assert len(await origin_ids(stack)) == 1
