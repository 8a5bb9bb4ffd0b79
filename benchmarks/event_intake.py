"""Event intake: how many Bitrix24 event deliveries per second the endpoint stores.

Starts `b24bridge serve` (worker off) as a subprocess on a free port with a fresh
database and one portal, then drives ``POST /b24/events`` with form-encoded
ONCRMDEALUPDATE deliveries in one of three modes:

* ``burst`` (default): N events over M deals, C at a time, from an httpx client;
* ``wrk``: wrk with ``--connections`` for ``--seconds`` per server, against a bare FastAPI
  endpoint that only parses the same form and answers 200 (``bare_endpoint.py``) and
  against the app, in ``--rounds`` turns in the same run: both requests/s, p50/p99, server
  CPU per request and the ratio, per round and over all;
* ``steady``: an open-loop paced sender at ``--rate`` events/s (latency counted from the
  moment each request was due, so a stall is not hidden), p50/p99/max.

Every mode counts the inbox rows afterwards: each 200 must be a stored row.

    python benchmarks/event_intake.py [--mode burst|wrk|steady] [--events 2000] [--deals 200]
        [--concurrency 20] [--seconds 15] [--connections 32] [--rate 100]
        [--database-url postgresql+asyncpg://…]

With ``--database-url`` a scratch database is created on that server and dropped after.
"""

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from wrk_load import WrkResult, run_wrk  # noqa: E402

from app.core.db import create_engine  # noqa: E402
from app.core.migrations import upgrade  # noqa: E402
from app.core.models import InboxEvent  # noqa: E402
from tests.appclient import deal_event, register_portal_in  # noqa: E402
from tests.databases import PostgresDatabases  # noqa: E402
from tests.e2e.harness import free_port  # noqa: E402


async def prepare(database_url: str) -> None:
    await upgrade(database_url)
    await register_portal_in(database_url)


async def count_inbox(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            return int(await connection.scalar(select(func.count()).select_from(InboxEvent)) or 0)
    finally:
        await engine.dispose()


def cpu_seconds(root_pid: int) -> float:
    """CPU time (user + system) of a process and its live descendants, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks)
    family, total = {root_pid}, 0.0
    for pid in sorted(stats):  # children have higher pids than their parents here
        parent, seconds = stats[pid]
        if pid in family or parent in family:
            family.add(pid)
            total += seconds
    return total


@dataclass
class Server:
    url: str
    pid: int


@asynccontextmanager
async def server_process(command: list[str], env: dict[str, str]) -> AsyncIterator[Server]:
    """Run ``command`` (``{port}`` replaced by a free port) until the block ends."""
    port = free_port()
    process = subprocess.Popen(
        [part.replace("{port}", str(port)) for part in command],
        cwd=ROOT,
        env={**os.environ, **env},
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        await wait_ready(url)
        yield Server(url, process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)


def app_server(database_url: str, **env: str) -> "AsyncIterator[Server]":
    """``b24bridge serve`` (worker off) on a free port over ``database_url``; yields its URL."""
    settings = {
        "DATABASE_URL": database_url,
        "RUN_WORKER": "false",
        "LOG_LEVEL": "WARNING",
        "WEB_PROCESSES": os.environ.get("WEB_PROCESSES", "1"),
    }
    command = [sys.executable, "-m", "app", "serve", "--port", "{port}"]
    return server_process(command, {**settings, **env})  # type: ignore[return-value]


def bare_server() -> "AsyncIterator[Server]":
    command = [
        sys.executable, "-m", "uvicorn", "--app-dir", "benchmarks", "bare_endpoint:app",
        "--port", "{port}", "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    return server_process(command, {})  # type: ignore[return-value]


async def wait_ready(url: str) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(300):
            try:
                if (await client.get(f"{url}/healthz")).status_code in (200, 404):
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("the server did not start")


async def fire(
    url: str, events: int, deals: int, concurrency: int
) -> tuple[float, list[float], dict[int, int]]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    queue = list(range(events))
    limits = httpx.Limits(max_connections=concurrency)

    async def one(client: httpx.AsyncClient, i: int) -> None:
        body = deal_event(1 + i % deals, ts=str(1_800_000_000 + i))
        started = time.perf_counter()
        response = await client.post("/b24/events", data=body)
        latencies.append(time.perf_counter() - started)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    async def lane(client: httpx.AsyncClient) -> None:
        while queue:
            await one(client, queue.pop())

    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
        started = time.perf_counter()
        await asyncio.gather(*(lane(client) for _ in range(concurrency)))
        return time.perf_counter() - started, latencies, statuses


async def paced(
    url: str, rate: float, seconds: float, deals: int
) -> tuple[list[float], dict[int, int]]:
    """Open loop: request i is due at start + i/rate whatever the answers before it."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}

    async def one(client: httpx.AsyncClient, i: int, due: float) -> None:
        body = deal_event(1 + (i * 7919) % deals, ts=str(1_700_000_000 + i))
        response = await client.post("/b24/events", data=body)
        latencies.append(time.perf_counter() - due)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        started, tasks = time.perf_counter(), []
        for i in range(int(rate * seconds)):
            due = started + i / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            tasks.append(asyncio.create_task(one(client, i, due)))
        await asyncio.gather(*tasks)
    return latencies, statuses


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def ms(values: list[float], share: float) -> str:
    return f"{percentile(values, share) * 1000:.1f}"


async def run_burst(args: argparse.Namespace, database_url: str) -> None:
    async with app_server(database_url) as server:
        wall, latencies, statuses = await fire(
            server.url, args.events, args.deals, args.concurrency
        )
    print(f"events               {args.events} over {args.deals} deals, {args.concurrency} at once")
    print(f"answers              {dict(sorted(statuses.items()))}")
    print(f"wall seconds         {wall:.2f}")
    print(f"events per second    {args.events / wall:.0f}")
    print(f"latency p50 / p99 ms {ms(latencies, 0.5)} / {ms(latencies, 0.99)}")
    print(f"mean latency ms      {statistics.mean(latencies) * 1000:.1f}")
    print(f"inbox rows           {await count_inbox(database_url)} (one per 200 expected)")


@dataclass
class Rounds:
    """wrk passes against one server, taken in turns with the other server's."""

    server: Server
    first_ts: int
    passes: list[WrkResult] = field(default_factory=list)
    cpu_seconds: float = 0.0

    def run(self, args: argparse.Namespace, seconds: float) -> WrkResult:
        cpu_before = cpu_seconds(self.server.pid)
        result = run_wrk(
            self.server.url, seconds=seconds, connections=args.connections, deals=args.deals,
            first_ts=self.first_ts + len(self.passes) * 1_000_000,
        )  # fmt: skip
        self.cpu_seconds += cpu_seconds(self.server.pid) - cpu_before
        self.passes.append(result)
        return result

    @property
    def requests(self) -> int:
        return sum(result.requests for result in self.passes)

    @property
    def per_second(self) -> float:
        return self.requests / sum(result.seconds for result in self.passes)

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * self.cpu_seconds / max(1, self.requests)


def print_pass(name: str, result: WrkResult, note: str = "") -> None:
    print(
        f"{name:<14}{result.per_second:>9.0f}{result.p50_ms:>9.1f}{result.p99_ms:>9.1f}"
        f"{result.answered_200:>9}{result.other_status:>7}{result.socket_errors:>9}{note}"
    )


async def run_wrk_mode(args: argparse.Namespace, database_url: str) -> None:
    """Both servers up at once; ``--rounds`` passes each, in turns, so a change in the
    machine's speed (a shared VM's neighbours) falls on both sides of each ratio."""
    async with bare_server() as bare_process, app_server(database_url) as app_process:
        bare, ours = Rounds(bare_process, 1_000_000_000), Rounds(app_process, 1_100_000_000)
        for server in (bare_process, app_process):  # warm-up, not counted
            run_wrk(server.url, seconds=2, connections=args.connections, deals=args.deals,
                    first_ts=1)  # fmt: skip
        rows_before = await count_inbox(database_url)
        seconds = args.seconds / args.rounds
        print(f"wrk: {args.connections} connections, {args.rounds} rounds of {seconds:g} s "
              f"per server, bodies over {args.deals} deals")  # fmt: skip
        print(f"{'round':<14}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'200':>9}{'other':>7}"
              f"{'sock err':>9}")  # fmt: skip
        ratios = []
        for index in range(args.rounds):
            base, result = bare.run(args, seconds), ours.run(args, seconds)
            ratios.append(result.per_second / base.per_second)
            print_pass(f"{index + 1} bare", base)
            print_pass(f"{index + 1} b24bridge", result, f"   ratio {ratios[-1]:.2f}")
        await asyncio.sleep(1)  # requests wrk abandoned at its end may still commit
        rows = await count_inbox(database_url) - rows_before
    accepted = sum(result.accepted for result in ours.passes)
    worst_p99 = max(result.p99_ms for result in ours.passes)
    print(
        f"bare FastAPI   {bare.per_second:>9.0f} req/s   CPU {bare.cpu_ms_per_request:.2f} ms/req"
    )
    print(f"b24bridge      {ours.per_second:>9.0f} req/s   CPU {ours.cpu_ms_per_request:.2f} ms/req"
          f"   p99 (worst round) {worst_p99:.1f} ms")  # fmt: skip
    print(
        f"ratio ours / bare, requests/s            {ours.per_second / bare.per_second:.2f}"
        f" (rounds: median {statistics.median(ratios):.2f}, "
        f"{min(ratios):.2f}-{max(ratios):.2f})"
    )
    print(
        f"ratio bare / ours, server CPU per request "
        f"{bare.cpu_ms_per_request / max(ours.cpu_ms_per_request, 1e-9):.2f}"
    )
    verdict = "every 200 stored" if rows >= accepted else "MISSING ROWS"
    print(f"inbox rows {rows} (warm-up excluded) for {accepted} answers 'accepted': {verdict}")


async def run_steady(args: argparse.Namespace, database_url: str) -> None:
    """The paced sender against the bare endpoint, then the app: the bare figures show what
    the sender and the machine add by themselves."""
    async with bare_server() as server:
        bare_latencies, _ = await paced(server.url, args.rate, args.seconds, args.deals)
    async with app_server(database_url) as server:
        await fire(server.url, 200, args.deals, 4)  # warm-up
        before_rows = await count_inbox(database_url)
        latencies, statuses = await paced(server.url, args.rate, args.seconds, args.deals)
    rows = await count_inbox(database_url) - before_rows
    print(f"steady: {args.rate:g} events/s for {args.seconds:g} s (open loop)")
    print(f"answers              {dict(sorted(statuses.items()))}")
    for name, values in (("bare FastAPI", bare_latencies), ("b24bridge", latencies)):
        print(
            f"{name:<13}p50/p99/max  {ms(values, 0.5)} / {ms(values, 0.99)} / "
            f"{max(values) * 1000:.1f} ms"
        )
    verdict = "every 200 stored" if rows >= statuses.get(200, 0) else "MISSING ROWS"
    print(f"inbox rows           {rows} for {statuses.get(200, 0)} answers 200: {verdict}")


MODES: dict[str, Callable[[argparse.Namespace, str], object]] = {
    "burst": run_burst,
    "wrk": run_wrk_mode,
    "steady": run_steady,
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=sorted(MODES), default="burst")
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--deals", type=int, default=0, help="default 200 (burst), 5000 (others)")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3, help="wrk mode: turns per server")
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    args.deals = args.deals or (200 if args.mode == "burst" else 5000)
    return args


async def main() -> None:
    args = parse_args()
    scratch = PostgresDatabases(args.database_url) if args.database_url else None
    if scratch is not None:  # a scratch database on that server, dropped afterwards
        await scratch.prepare()
        database_url = await scratch.create()
    else:
        database_url = f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/intake.db"
    await prepare(database_url)
    print(f"database             {database_url.split(':', 1)[0]}; load {os.getloadavg()[0]:.2f}")
    try:
        await MODES[args.mode](args, database_url)  # type: ignore[misc]
    finally:
        if scratch is not None:
            await scratch.drop(database_url)
            await scratch.close()


if __name__ == "__main__":
    asyncio.run(main())
