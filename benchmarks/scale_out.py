"""Scale-out: 1, then 2 and 4 `b24bridge worker` processes on one PostgreSQL database against
the sandbox portal with many portals, sharing one rate budget per portal.

Creates ``--portals`` sandbox portals (bucket 50, drain 2/s) with ``--deals`` deals each,
registers them (incoming-webhook mode) in a scratch PostgreSQL database, and for each setup
arms one ``sync_deal`` job per deal, starts that many worker processes
(``LIMITER_BACKEND=postgres``) and times until every job is done. Then (``--layout``, on
by default) it starts the README's production layout for real — ``b24bridge serve`` with 2
web processes on one port and 2 ``b24bridge worker`` processes — and sends every deal's
``ONCRMDEALUPDATE`` over HTTP to the web processes, timing from the first event to the last
job done and checking that every event answered 200 is an inbox row. Prints jobs/s per
setup, the speed-up over one process, and from the portals' own request logs the 503
answers and the highest level each portal's counter reached (50 = the edge): zero 503 =
no overshoot.

    python benchmarks/scale_out.py --database-url postgresql+asyncpg://… [--portals 20]
        [--deals 60] [--processes 1 2 4] [--no-layout]
"""

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from event_intake import count_inbox, wait_ready  # noqa: E402
from rest_throughput import free_port, sandbox  # noqa: E402

from app.core import queue  # noqa: E402
from app.core.db import create_engine, create_session_factory, unit_of_work  # noqa: E402
from app.core.migrations import upgrade  # noqa: E402
from app.core.models import Job  # noqa: E402
from app.core.portal_store import PortalRegistration, register_portal  # noqa: E402
from connectors.bitrix24.encoding import batch_command  # noqa: E402
from tests.appclient import deal_event  # noqa: E402
from tests.databases import PostgresDatabases  # noqa: E402


async def make_portals(control: httpx.AsyncClient, count: int, deals: int) -> dict[str, str]:
    """code -> webhook URL, each portal with ``deals`` deals (limits off while seeding)."""
    portals: dict[str, str] = {}
    for index in range(count):
        code = f"scale{index}x{os.getpid()}"
        body = {"code": code, "rate_capacity": 50, "rate_per_second": 2.0, "seed": False}
        answer = (await control.post("/_sandbox/portals", json=body)).json()
        webhook = str(answer["webhook_url"])
        config = f"/_sandbox/portals/{code}/config"
        await control.patch(config, json={"limits_enabled": False, "event_drop_rate": 1.0})
        commands = {
            f"d{i}": batch_command("crm.deal.add", {"fields": {"TITLE": f"Deal {i}"}})
            for i in range(deals)
        }
        for start in range(0, deals, 50):
            part = dict(list(commands.items())[start : start + 50])
            (
                await control.post(f"{webhook}batch", json={"halt": 0, "cmd": part})
            ).raise_for_status()
        await control.patch(config, json={"limits_enabled": True})
        portals[code] = webhook
    return portals


async def register(database_url: str, portals: dict[str, str]) -> None:
    engine = create_engine(database_url)
    async with unit_of_work(create_session_factory(engine)) as session:
        for code, webhook in portals.items():
            registration = PortalRegistration(
                member_id=code, domain="127.0.0.1", client_endpoint=webhook,
                application_token=f"token-{code}", auth_mode="webhook", webhook_url=webhook,
            )  # fmt: skip
            await register_portal(session, registration, action_secret=f"secret-{code}")
    await engine.dispose()


async def arm_jobs(database_url: str, portals: dict[str, str], deals: int) -> int:
    engine = create_engine(database_url)
    async with unit_of_work(create_session_factory(engine)) as session:
        for code in portals:
            for deal_id in range(1, deals + 1):
                await queue.arm_deal_sync(session, code, deal_id)
    await engine.dispose()
    return len(portals) * deals


async def count_jobs(database_url: str, *statuses: str) -> int:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            statement = select(func.count()).select_from(Job).where(Job.status.in_(statuses))
            return int(await connection.scalar(statement) or 0)
    finally:
        await engine.dispose()


def start_workers(count: int, env: dict[str, str]) -> list[subprocess.Popen[bytes]]:
    command = [sys.executable, "-m", "app", "worker"]
    return [
        subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
        for _ in range(count)
    ]


def start_web(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """``b24bridge serve`` with 2 web processes on ``port``, no in-process worker."""
    command = [sys.executable, "-m", "app", "serve", "--port", str(port), "--processes", "2"]
    web_env = env | {"RUN_WORKER": "false"}
    return subprocess.Popen(command, cwd=ROOT, env=web_env, stderr=subprocess.DEVNULL)


async def send_events(app_url: str, portals: dict[str, str], deals: int) -> tuple[int, int]:
    """Every deal's ONCRMDEALUPDATE, 16 at a time; returns (answered 200, other)."""
    bodies = [
        deal_event(deal_id, member_id=code, token=f"token-{code}", ts=str(1_800_000_000 + i))
        for i, (code, deal_id) in enumerate(
            (code, deal_id) for code in portals for deal_id in range(1, deals + 1)
        )
    ]
    gate, answers = asyncio.Semaphore(16), [0, 0]
    async with httpx.AsyncClient(base_url=app_url, timeout=30) as client:

        async def send(body: dict[str, str]) -> None:
            async with gate:
                response = await client.post("/b24/events", data=body)
            answers[0 if response.status_code == 200 else 1] += 1

        await asyncio.gather(*(send(body) for body in bodies))
    return answers[0], answers[1]


def stop_workers(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        worker.wait(timeout=60)


async def portal_logs(
    control: httpx.AsyncClient, portals: dict[str, str]
) -> tuple[int, float, int]:
    """503 answers, the highest bucket level, and the most requests one portal got."""
    refused, peak, most = 0, 0.0, 0
    for code in portals:
        log: list[dict[str, Any]] = (
            await control.get(f"/_sandbox/portals/{code}/requests")
        ).json()["requests"]
        refused += sum(1 for r in log if r.get("http_status") == 503)
        peak = max([peak, *(r.get("bucket_level") or 0.0 for r in log)])
        most = max(most, len(log))
        await control.delete(f"/_sandbox/portals/{code}/requests")
    return refused, peak, most


async def run_setup(
    args: argparse.Namespace, database_url: str, portals: dict[str, str], env: dict[str, str],
    control: httpx.AsyncClient,
) -> tuple[int, float, int, float, int, int]:  # fmt: skip
    await asyncio.sleep(50 / 2.0 + 1)  # every portal's bucket drains completely
    jobs = await arm_jobs(database_url, portals, args.deals)
    started = time.perf_counter()
    workers = start_workers(args.current, env)
    try:
        while await count_jobs(database_url, queue.PENDING, queue.RUNNING):
            await asyncio.sleep(0.2)
        wall = time.perf_counter() - started
    finally:
        stop_workers(workers)
    refused, peak, most = await portal_logs(control, portals)
    dead = await count_jobs(database_url, queue.DEAD)
    return jobs, wall, refused, peak, dead, most


async def run_layout(
    args: argparse.Namespace, database_url: str, portals: dict[str, str], env: dict[str, str],
    control: httpx.AsyncClient,
) -> tuple[int, float, int, float, int, int]:  # fmt: skip
    """2 web + 2 worker processes; the jobs come from events sent over HTTP."""
    await asyncio.sleep(50 / 2.0 + 1)  # every portal's bucket drains completely
    port = free_port()
    layout_env = env | {"SYNC_QUIET_SECONDS": "0"}
    web = start_web(port, layout_env)
    workers = start_workers(2, layout_env)
    inbox_before = await count_inbox(database_url)
    try:
        await wait_ready(f"http://127.0.0.1:{port}")
        started = time.perf_counter()
        stored, refused = await send_events(f"http://127.0.0.1:{port}", portals, args.deals)
        while await count_jobs(database_url, queue.PENDING, queue.RUNNING):
            await asyncio.sleep(0.2)
        wall = time.perf_counter() - started
    finally:
        stop_workers([*workers, web])
    rows = await count_inbox(database_url) - inbox_before
    verdict = "every 200 stored" if rows >= stored else "MISSING ROWS"
    print(f"  layout: {stored} events answered 200 ({refused} other), {rows} inbox rows: {verdict}")
    refused_rest, peak, most = await portal_logs(control, portals)
    dead = await count_jobs(database_url, queue.DEAD)
    return stored, wall, refused_rest, peak, dead, most


async def main_async(args: argparse.Namespace) -> None:
    scratch = PostgresDatabases(args.database_url)
    await scratch.prepare()
    database_url = await scratch.create()
    port = free_port()
    try:
        await upgrade(database_url)
        with sandbox(port) as base:
            async with httpx.AsyncClient(base_url=base, timeout=60) as control:
                portals = await make_portals(control, args.portals, args.deals)
                await register(database_url, portals)
                env = {
                    **os.environ, "DATABASE_URL": database_url, "LIMITER_BACKEND": "postgres",
                    "B24_ALLOWED_DOMAINS": f"127.0.0.1:{port}", "WORKER_POLL_SECONDS": "0.1",
                    "RECONCILE_INTERVAL_SECONDS": "86400", "REMINDER_POLL_SECONDS": "86400",
                    "LOG_LEVEL": "WARNING",
                }  # fmt: skip
                rows = []
                for count in args.processes:
                    args.current = count
                    rows.append(
                        (count, *await run_setup(args, database_url, portals, env, control))
                    )
                    print(f"  done: {count} process(es)")
                if args.layout:
                    rows.append(
                        ("2 web + 2", *await run_layout(args, database_url, portals, env, control))
                    )
    finally:
        await scratch.drop(database_url)
        await scratch.close()
    print(
        f"{args.portals} portals x {args.deals} jobs, bucket 50 at 2/s each; load {os.getloadavg()[0]:.2f}"
    )
    print(
        f"{'processes':>10}{'jobs':>7}{'wall s':>9}{'jobs/s':>9}{'speed-up':>10}{'503':>6}"
        f"{'peak':>7}{'dead':>6}{'requests':>10}{'floor s':>9}"
    )
    base_rate = rows[0][1] / rows[0][2]
    for count, jobs, wall, refused, peak, dead, most in rows:
        rate = jobs / wall
        floor = max(0, most - 50) / 2.0  # the busiest portal's requests past its burst, at 2/s
        print(
            f"{count!s:>10}{jobs:>7}{wall:>9.2f}{rate:>9.1f}{rate / base_rate:>10.2f}"
            f"{refused:>6}{peak:>7.1f}{dead:>6}{most:>10}{floor:>9.1f}"
        )
    print("requests: the busiest portal's; floor: the least wall its bucket allows")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a PostgreSQL server (scratch db)")
    parser.add_argument("--portals", type=int, default=20)
    parser.add_argument("--deals", type=int, default=60)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument(
        "--layout", action=argparse.BooleanOptionalAction, default=True,
        help="also run the production layout: 2 web + 2 worker processes, events over HTTP",
    )  # fmt: skip
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
