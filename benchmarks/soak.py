"""Soak: a steady event stream for minutes against the production layout — the sandbox
portal, a web process (worker off) and a worker process, each its own OS process on one
database — sampling each process's memory and the inbox lag as it runs.

The app is installed into P sandbox portals (each with its own 2 requests/s budget, as
Bitrix24 gives every portal), each with D deals; the load generator sends
``ONCRMDEALUPDATE`` deliveries at a steady R per second spread over all deals (each
stamped with the portal's real application token) and the worker syncs every deal it is
told about through the sandbox's REST API.

    python benchmarks/soak.py [--minutes 10] [--rate 100] [--portals 50] [--deals 20]
                              [--database-url postgresql+asyncpg://…]

Prints one line per sample (RSS of the web, worker and sandbox processes, pending jobs,
the oldest pending job's age, inbox rows) and, at the end, each process's memory growth
from the first sample after warm-up to the last, the lag of the first and last thirds,
and whether every 200 was stored (inbox rows = accepted deliveries, none lost).
"""

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from event_intake import percentile, wait_ready  # noqa: E402

from app.core import queue  # noqa: E402
from app.core.db import create_engine, create_session_factory  # noqa: E402
from app.core.migrations import upgrade  # noqa: E402
from app.core.models import InboxEvent, Job  # noqa: E402
from sandbox.settings import SandboxSettings  # noqa: E402
from tests.databases import PostgresDatabases  # noqa: E402
from tests.e2e.harness import free_port  # noqa: E402

WARM_UP_SECONDS = 60
SAMPLE_SECONDS = 10


@dataclass
class Processes:
    """The OS processes of the layout, by role."""

    children: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    logs: Path | None = None  # --logs: each process's output kept as <role>.log

    def start(self, role: str, args: list[str], env: dict[str, str]) -> None:
        output = open(self.logs / f"{role}.log", "wb") if self.logs else subprocess.DEVNULL  # noqa: SIM115
        self.children[role] = subprocess.Popen(
            [sys.executable, *args], cwd=ROOT, env=env, stdout=output, stderr=output
        )

    def rss_mib(self) -> dict[str, float]:
        return {role: rss_mib(child.pid) for role, child in self.children.items()}

    def stop(self) -> None:
        for child in self.children.values():
            child.terminate()
        for child in self.children.values():
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def app_env(database_url: str, app_url: str, sandbox: SandboxSettings) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "APP_BASE_URL": app_url,
        "B24_ALLOWED_DOMAINS": sandbox.domain,
        "B24_OAUTH_URL": sandbox.root,
        "B24_CLIENT_ID": sandbox.client_id,
        "B24_CLIENT_SECRET": sandbox.client_secret,
        "RUN_WORKER": "false",
        "LOG_LEVEL": "WARNING",
    }


@asynccontextmanager
async def layout(
    database_url: str, logs: Path | None = None
) -> AsyncIterator[tuple[Processes, str, str]]:
    """Sandbox, web and worker processes; yields them with the app's and sandbox's URLs."""
    sandbox_port, app_port = free_port(), free_port()
    sandbox = SandboxSettings(base_url=f"http://127.0.0.1:{sandbox_port}")
    app_url = f"http://127.0.0.1:{app_port}"
    env = app_env(database_url, app_url, sandbox) | ({"LOG_LEVEL": "INFO"} if logs else {})
    processes = Processes(logs=logs)
    try:
        processes.start("sandbox", ["-m", "sandbox", "--port", str(sandbox_port)], env)
        processes.start("web", ["-m", "app", "serve", "--port", str(app_port)], env)
        await wait_ready(sandbox.root)
        await wait_ready(app_url)
        processes.start("worker", ["-m", "app", "worker"], env)
        yield processes, app_url, sandbox.root
    finally:
        processes.stop()


async def install_portals(
    control: httpx.AsyncClient, app_url: str, portals: int, deals: int
) -> list[dict[str, Any]]:
    """P portals with the app installed and D deals each; their member ids, tokens, deals."""
    installed = []
    for n in range(portals):
        code = f"soak{n}"
        await control.post("/_sandbox/portals", json={"code": code})
        body = {
            "install_url": f"{app_url}/b24/install",
            "handler_url": f"{app_url}/b24/app",
            "user_id": 1,
            "finish": "auto",
        }
        (await control.post(f"/_sandbox/portals/{code}/install", json=body)).raise_for_status()
        deal_ids = []
        for d in range(deals):
            act = {"user_id": 1, "method": "crm.deal.add", "params": {"fields": {"TITLE": f"D{d}"}}}
            answer = await control.post(f"/_sandbox/portals/{code}/act", json=act)
            deal_ids.append(int(answer.json()["result"]))
        summary = (await control.get(f"/_sandbox/portals/{code}")).json()
        installed.append(summary | {"deal_ids": deal_ids})
    return installed


def delivery(portal: dict[str, Any], deal_id: int, ts: int) -> dict[str, str]:
    """An ``ONCRMDEALUPDATE`` as the portal sends it (REST_FACTS §8), form-encoded."""
    endpoint = portal["client_endpoint"]
    return {
        "event": "ONCRMDEALUPDATE",
        "event_handler_id": "1",
        "data[FIELDS][ID]": str(deal_id),
        "ts": str(ts),
        "auth[domain]": portal["domain"],
        "auth[client_endpoint]": endpoint,
        "auth[server_endpoint]": endpoint,
        "auth[member_id]": portal["member_id"],
        "auth[application_token]": portal["application_token"],
    }


@dataclass
class Load:
    sent: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)


async def steady_load(
    app_url: str, portals: list[dict[str, Any]], rate: float, seconds: float, lanes: int = 64
) -> Load:
    """Send at ``rate`` per second on a fixed schedule, at most ``lanes`` in flight (as a
    portal's delivery workers would), round robin over every portal's deals."""
    targets = [(p, d) for p in portals for d in p["deal_ids"]]
    load, started = Load(), time.perf_counter()
    in_flight = asyncio.Semaphore(lanes)

    async def one(client: httpx.AsyncClient, i: int) -> None:
        portal, deal_id = targets[i % len(targets)]
        try:
            begun = time.perf_counter()
            body = delivery(portal, deal_id, 1_900_000_000 + i)
            answer = await client.post("/b24/events", data=body)
            load.latencies.append(time.perf_counter() - begun)
            load.statuses[answer.status_code] = load.statuses.get(answer.status_code, 0) + 1
        finally:
            in_flight.release()

    limits = httpx.Limits(max_connections=lanes)
    async with httpx.AsyncClient(base_url=app_url, timeout=30, limits=limits) as client:
        tasks = []
        for i in range(int(rate * seconds)):
            await asyncio.sleep(max(0.0, started + i / rate - time.perf_counter()))
            await in_flight.acquire()
            tasks.append(asyncio.create_task(one(client, i)))
            load.sent += 1
        await asyncio.gather(*tasks)
    return load


@dataclass(frozen=True)
class Sample:
    at: float
    rss: dict[str, float]
    pending: int
    lag: float
    inbox: int


async def sample(sessions: Any, processes: Processes, at: float) -> Sample:
    async with sessions() as session:
        pending = await session.scalar(
            select(func.count()).select_from(Job).where(Job.status == "pending")
        )
        lag = await queue.oldest_pending_age(session)
        inbox = await session.scalar(select(func.count()).select_from(InboxEvent))
    return Sample(at, processes.rss_mib(), int(pending or 0), lag, int(inbox or 0))


async def watch(database_url: str, processes: Processes, seconds: float) -> list[Sample]:
    engine = create_engine(database_url)
    sessions = create_session_factory(engine)
    samples, started = [], time.perf_counter()
    try:
        while (at := time.perf_counter() - started) <= seconds + SAMPLE_SECONDS / 2:
            found = await sample(sessions, processes, at)
            samples.append(found)
            rss = "  ".join(f"{role} {mib:6.1f}" for role, mib in found.rss.items())
            print(
                f"{found.at:6.0f} s  RSS MiB {rss}  pending {found.pending:5d}  "
                f"lag {found.lag:6.1f} s  inbox {found.inbox}",
                flush=True,
            )
            await asyncio.sleep(SAMPLE_SECONDS)
    finally:
        await engine.dispose()
    return samples


def summary(samples: list[Sample], load: Load, stored: int) -> None:
    warm = [s for s in samples if s.at >= min(WARM_UP_SECONDS, samples[-1].at / 3)]
    first, last = warm[0], warm[-1]
    print("\nmemory growth after warm-up (first → last sample):")
    for role in first.rss:
        growth = (last.rss[role] - first.rss[role]) / first.rss[role] * 100
        print(f"  {role:8s} {first.rss[role]:6.1f} → {last.rss[role]:6.1f} MiB  {growth:+5.1f} %")
    third = max(1, len(warm) // 3)
    early, late = warm[:third], warm[-third:]
    print(
        f"inbox lag, first / last third: {statistics.mean(s.lag for s in early):.1f} / "
        f"{statistics.mean(s.lag for s in late):.1f} s (max {max(s.lag for s in warm):.1f} s)"
    )
    p99 = percentile(load.latencies, 0.99) * 1000
    accepted = load.statuses.get(200, 0)
    print(
        f"deliveries sent {load.sent}, answers {dict(sorted(load.statuses.items()))}, p99 {p99:.1f} ms"
    )
    print(
        f"inbox rows {stored} for {accepted} answered 200: {'none lost' if stored >= accepted else 'LOST'}"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--portals", type=int, default=50)
    parser.add_argument("--deals", type=int, default=20)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--logs", type=Path, default=None, help="keep each process's log here")
    args = parser.parse_args()
    scratch = PostgresDatabases(args.database_url) if args.database_url else None
    if scratch is not None:
        await scratch.prepare()
        database_url = await scratch.create()
    else:
        database_url = f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/soak.db"
        await upgrade(database_url)
    seconds = args.minutes * 60
    try:
        async with layout(database_url, args.logs) as (processes, app_url, sandbox_url):
            async with httpx.AsyncClient(base_url=sandbox_url, timeout=60) as control:
                portals = await install_portals(control, app_url, args.portals, args.deals)
            print(
                f"{args.portals} portals × {args.deals} deals, {args.rate:.0f} events/s for "
                f"{args.minutes:g} min on {database_url.split(':', 1)[0]}",
                flush=True,
            )
            load_task = asyncio.create_task(steady_load(app_url, portals, args.rate, seconds))
            samples = await watch(database_url, processes, seconds)
            load = await load_task
            final = await sample(
                create_session_factory(engine := create_engine(database_url)), processes, seconds
            )
            await engine.dispose()
    finally:
        if scratch is not None:
            await scratch.drop(database_url)
            await scratch.close()
    summary(samples, load, final.inbox)


if __name__ == "__main__":
    asyncio.run(main())
