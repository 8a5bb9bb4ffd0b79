"""REST throughput: N independent crm.deal.update calls against the sandbox portal.

Starts the sandbox (``python -m sandbox``) on a free loopback port, and for each
drain rate (bucket 50 at 10/s and at 2/s) creates a fresh portal per client,
creates N deals through our client (``crm.deal.add`` via ``call_many``), waits
for the bucket to drain, then times N ``crm.deal.update`` calls with our
client and with fast_bitrix24 on an identical portal. Prints wall seconds,
HTTP requests, 503 and 429 counts and the ratio theoretical-minimum / wall,
where theoretical minimum = max(0, (ceil(N/50) - 50) / drain). ``peak`` is the highest
level the portal's own counter reached (its request log; 50 = the edge) and ``margin`` our
client's bunching margin at the end (seconds of drain, learned from the answers' time.start,
at most JITTER_SECONDS). ``--margins`` runs our client again with other safety margins
(slots kept free : seconds of bunching allowed), to show how close to the edge the limiter
can run before the portal answers 503. ``--server-time 0.05:0.01`` makes the portal spend
that long per request and per command (the 2/s plan of the issue).

    python benchmarks/rest_throughput.py --n 5000 [--margins 2:0.2 0:0]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from connectors.bitrix24 import Bitrix24Client
from connectors.bitrix24.settings import ClientSettings

ROOT = Path(__file__).resolve().parent.parent
CAPACITY = 50
Margin = tuple[float, float]  # (capacity_margin slots, jitter_seconds)
DEFAULT_MARGIN: Margin = (ClientSettings().capacity_margin, ClientSettings().jitter_seconds)


@dataclass
class Result:
    client: str
    drain: float
    n: int
    wall: float
    requests: int
    refused_503: int
    refused_429: int
    failed_calls: int
    peak_level: float = 0.0
    margin_seconds: float = float("nan")

    @property
    def theoretical(self) -> float:
        return max(0.0, (math.ceil(self.n / 50) - CAPACITY) / self.drain)

    @property
    def ratio(self) -> float:
        return self.theoretical / self.wall if self.wall > 0 else 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def sandbox(port: int) -> Iterator[str]:
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until_up(base, process)
        yield base
    finally:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
        if process.poll() is None:
            process.kill()


def wait_until_up(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = process.stderr.read().decode() if process.stderr else ""
            raise SystemExit(f"sandbox exited early:\n{err[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/_sandbox/portals/demo", timeout=1).status_code < 500:
                return
        time.sleep(0.2)
    raise SystemExit("sandbox did not start within 30 s")


async def create_portal(control: httpx.AsyncClient, code: str, drain: float) -> str:
    answer = await control.post(
        "/_sandbox/portals",
        json={"code": code, "rate_capacity": CAPACITY, "rate_per_second": drain, "seed": False},
    )
    answer.raise_for_status()
    return str(answer.json()["webhook_url"])


async def set_server_time(control: httpx.AsyncClient, code: str, server_time: Margin) -> None:
    config = {"answer_seconds": server_time[0], "answer_seconds_per_command": server_time[1]}
    (await control.patch(f"/_sandbox/portals/{code}/config", json=config)).raise_for_status()


async def request_log(control: httpx.AsyncClient, code: str) -> list[dict[str, Any]]:
    answer = await control.get(f"/_sandbox/portals/{code}/requests")
    answer.raise_for_status()
    return list(answer.json()["requests"])


async def create_deals(webhook: str, n: int, drain: float, hosts: list[str]) -> list[int]:
    async with Bitrix24Client.from_webhook(
        webhook, rate_capacity=CAPACITY, rate_per_second=drain, allowed_hosts=hosts
    ) as b24:
        calls = [("crm.deal.add", {"fields": {"TITLE": f"Bench {i}"}}) for i in range(n)]
        outcomes = await b24.call_many(calls)
    return [int(str(o.unwrap())) for o in outcomes]


async def run_ours(
    webhook: str, ids: list[int], drain: float, hosts: list[str], margin: Margin
) -> tuple[int, float]:
    settings = ClientSettings(capacity_margin=margin[0], jitter_seconds=margin[1])
    async with Bitrix24Client.from_webhook(
        webhook,
        rate_capacity=CAPACITY,
        rate_per_second=drain,
        allowed_hosts=hosts,
        settings=settings,
    ) as b24:
        calls = [("crm.deal.update", {"id": i, "fields": {"TITLE": f"Upd {i}"}}) for i in ids]
        outcomes = await b24.call_many(calls)
        learned = b24.limiter.policy_for(b24.portal_key).jitter_seconds
    return sum(1 for o in outcomes if not o.ok), learned


async def run_fast_bitrix24(webhook: str, ids: list[int], drain: float) -> int:
    from fast_bitrix24 import BitrixAsync

    bx = BitrixAsync(
        webhook,
        verbose=False,
        request_pool_size=CAPACITY,
        requests_per_second=drain,
        ssl=False,
    )
    items = [{"ID": i, "fields": {"TITLE": f"Upd {i}"}} for i in ids]
    try:
        await bx.call("crm.deal.update", items)
    except Exception as exc:
        print(f"  fast_bitrix24 failed: {type(exc).__name__}: {str(exc)[:200]}")
        return len(ids)
    return 0


async def measure(
    control: httpx.AsyncClient,
    code: str,
    drain: float,
    n: int,
    client: str,
    hosts: list[str],
    margin: Margin = DEFAULT_MARGIN,
    server_time: Margin = (0.0, 0.0),
) -> Result:
    webhook = await create_portal(control, code, drain)
    ids = await create_deals(webhook, n, drain, hosts)
    await set_server_time(control, code, server_time)
    await asyncio.sleep(CAPACITY / drain + 1)  # let the bucket drain completely
    await control.delete(f"/_sandbox/portals/{code}/requests")
    started, learned = time.perf_counter(), float("nan")
    if client == "b24bridge":
        failed, learned = await run_ours(webhook, ids, drain, hosts, margin)
    else:
        failed = await run_fast_bitrix24(webhook, ids, drain)
    wall = time.perf_counter() - started
    log = await request_log(control, code)
    label = (
        client
        if client != "b24bridge" or margin == DEFAULT_MARGIN
        else f"ours {margin[0]:g}/{margin[1]:g}"
    )
    return Result(
        client=label,
        drain=drain,
        n=n,
        wall=wall,
        requests=len(log),
        refused_503=sum(1 for r in log if r.get("http_status") == 503),
        refused_429=sum(1 for r in log if r.get("http_status") == 429),
        failed_calls=failed,
        peak_level=max((r.get("bucket_level") or 0.0 for r in log), default=0.0),
        margin_seconds=learned,
    )


def print_table(results: list[Result]) -> None:
    header = (
        f"{'client':<14}{'drain/s':>8}{'N':>7}{'wall s':>9}{'theory s':>10}"
        f"{'ratio':>7}{'HTTP':>7}{'503':>6}{'429':>6}{'failed':>8}{'peak':>7}{'margin s':>9}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r.client:<14}{r.drain:>8.1f}{r.n:>7}{r.wall:>9.2f}{r.theoretical:>10.2f}"
            f"{r.ratio:>7.2f}{r.requests:>7}{r.refused_503:>6}{r.refused_429:>6}{r.failed_calls:>8}"
            f"{r.peak_level:>7.1f}{r.margin_seconds:>9.3f}"
        )


def quiet_orphan_tasks(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """fast_bitrix24 leaves failed tasks behind; count them instead of printing tracebacks."""
    ORPHANS.append(str(context.get("exception") or context.get("message")))


ORPHANS: list[str] = []


async def main_async(args: argparse.Namespace) -> None:
    asyncio.get_running_loop().set_exception_handler(quiet_orphan_tasks)
    port = args.port or free_port()
    hosts = [f"127.0.0.1:{port}"]
    with sandbox(port) as base:
        print(f"sandbox at {base}; N={args.n}")
        results: list[Result] = []
        async with httpx.AsyncClient(base_url=base, timeout=60) as control:
            plans = zip(
                args.drains, args.server_time + [(0.0, 0.0)] * len(args.drains), strict=False
            )
            for drain, server_time in plans:
                print(
                    f"plan: drain {drain}/s, server time {server_time[0]} s + {server_time[1]} s/command"
                )
                for client in args.clients:
                    code = f"{client.replace('_', '')}{str(drain).replace('.', '')}{os.getpid()}"
                    result = await measure(
                        control, code, drain, args.n, client, hosts, server_time=server_time
                    )
                    results.append(result)
                    print(f"  done: {client} at {drain}/s in {result.wall:.1f} s")
                for margin in args.margins:
                    code = f"m{str(margin).replace('.', '').replace(' ', '')[:12]}{str(drain).replace('.', '')}{os.getpid()}"
                    code = "".join(ch for ch in code if ch.isalnum())
                    result = await measure(
                        control, code, drain, args.n, "b24bridge", hosts, margin, server_time
                    )
                    results.append(result)
                    print(f"  done: margin {margin} at {drain}/s in {result.wall:.1f} s")
        print()
        print_table(results)
        if ORPHANS:
            print(f"\n{len(ORPHANS)} background task errors, e.g. {ORPHANS[0][:120]}")


def parse_margin(text: str) -> Margin:
    slots, _, jitter = text.partition(":")
    return float(slots), float(jitter or 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="number of crm.deal.update calls")
    parser.add_argument("--drains", type=float, nargs="+", default=[10.0, 2.0])
    parser.add_argument("--clients", nargs="+", default=["b24bridge", "fast_bitrix24"])
    parser.add_argument("--port", type=int, default=0, help="sandbox port (default: a free one)")
    parser.add_argument(
        "--server-time",
        type=parse_margin,
        nargs="*",
        default=[(0.0, 0.0), (0.05, 0.01)],
        help="per drain, in order: SECONDS:SECONDS_PER_COMMAND the portal spends per request",
    )
    parser.add_argument(
        "--margins",
        type=parse_margin,
        nargs="*",
        default=[],
        help="also run our client with these CAPACITY_MARGIN:JITTER_SECONDS, e.g. 2:0.2 0:0",
    )
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
