"""Test doubles for the connector: a virtual clock, PHP query parsing, a fake portal."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import parse_qsl

import httpx

T = TypeVar("T")

PORTAL = "https://demo.bitrix24.ru"
WEBHOOK_CODE = "wh0secretcode42"
WEBHOOK = f"{PORTAL}/rest/1/{WEBHOOK_CODE}/"


class VirtualClock:
    """A clock whose time only moves when every task is waiting on it.

    ``run`` drives a coroutine: whenever the event loop has nothing ready, time
    jumps to the earliest pending ``sleep`` deadline. Tests run hours of
    simulated time in milliseconds and never depend on wall-clock speed.
    """

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = start
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def now(self) -> float:
        return self._now

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._now + seconds, next(self._seq), future))
        await future

    async def run(self, awaitable: Awaitable[T], *, limit_seconds: float = 10_000_000.0) -> T:
        task = asyncio.ensure_future(awaitable)
        start = self._now
        while not task.done():
            await _settle()
            if task.done():
                break
            if not self._advance():
                await asyncio.sleep(0.001)  # a real thread or socket is busy
            assert self._now - start <= limit_seconds, "virtual time limit exceeded"
        return task.result()

    def _advance(self) -> bool:
        while self._sleepers and self._sleepers[0][2].done():
            heapq.heappop(self._sleepers)  # cancelled sleeps
        if not self._sleepers:
            return False
        deadline = self._sleepers[0][0]
        self._now = max(self._now, deadline)
        while self._sleepers and self._sleepers[0][0] <= self._now:
            _, _, future = heapq.heappop(self._sleepers)
            if not future.done():
                future.set_result(None)
        return True


async def _settle() -> None:
    """Yield until no callback is ready (the loop is idle except timers/IO)."""
    loop = asyncio.get_running_loop()
    quiet = 0
    while quiet < 3:
        await asyncio.sleep(0)
        quiet = quiet + 1 if not loop._ready else 0  # type: ignore[attr-defined]


def php_parse(query: str) -> dict[str, Any]:
    """An independent re-implementation of PHP's parse_str for checking encodings."""
    result: dict[str, Any] = {}
    for raw_key, value in parse_qsl(query, keep_blank_values=True):
        base, _, rest = raw_key.partition("[")
        path = [base] + ([p for p in ("[" + rest).strip("[]").split("][")] if rest else [])
        node = result
        for segment in path[:-1]:
            node = node.setdefault(segment, {})
        node[path[-1]] = value
    return result


def php_list(node: Any) -> list[Any]:
    """A parsed PHP array with keys 0..n as a list."""
    assert isinstance(node, dict)
    return [node[str(i)] for i in range(len(node))]


@dataclass
class Seen:
    """One request the fake portal received."""

    at: float
    method: str
    status: int
    body: dict[str, Any]
    error: str = ""


Handler = Callable[[dict[str, Any]], Any]


@dataclass
class FakePortal:
    """A respx side effect behaving like a Bitrix24 portal on a virtual clock.

    Leaky bucket (refuse when ``level + 1 > capacity``), an outage switch,
    batch with per-command results, and per-method handlers.
    """

    clock: VirtualClock
    capacity: float = 50.0
    drain: float = 2.0
    handlers: dict[str, Handler] = field(default_factory=dict)
    outage_until: float = 0.0
    seen: list[Seen] = field(default_factory=list)
    level: float = 0.0
    updated: float = 0.0
    overflowed: int = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        method = request.url.path.rstrip("/").rsplit("/", 1)[-1]
        body = json.loads(request.content or b"{}")
        status, payload = self._answer(method, body)
        error = payload.get("error", "") if isinstance(payload, dict) else ""
        self.seen.append(Seen(self.clock.now(), method, status, body, error))
        return httpx.Response(status, json=payload)

    def requests_between(self, start: float, end: float) -> list[Seen]:
        return [s for s in self.seen if start <= s.at < end]

    def _answer(self, method: str, body: dict[str, Any]) -> tuple[int, Any]:
        now = self.clock.now()
        if now < self.outage_until:
            return 503, {"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"}
        self.level = max(0.0, self.level - self.drain * (now - self.updated))
        self.updated = now
        if self.level + 1 > self.capacity:
            self.overflowed += 1
            return 503, {"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"}
        self.level += 1
        if method == "batch":
            return 200, self._batch(body)
        return self._single(method, body)

    def _single(self, method: str, params: dict[str, Any]) -> tuple[int, Any]:
        handler = self.handlers.get(method)
        if handler is None:
            return 404, {"error": "ERROR_METHOD_NOT_FOUND", "error_description": "Method not found"}
        try:
            result = handler(params)
        except PortalError as exc:
            return exc.status, {"error": exc.code, "error_description": exc.description}
        if isinstance(result, Envelope):
            return 200, {"result": result.result, "time": _time(self.clock), **result.extra}
        return 200, {"result": result, "time": _time(self.clock)}

    def _batch(self, body: dict[str, Any]) -> dict[str, Any]:
        sections: dict[str, dict[str, Any]] = {
            "result": {},
            "result_error": {},
            "result_total": {},
            "result_next": {},
            "result_time": {},
        }
        for key, command in body["cmd"].items():
            method, _, query = command.partition("?")
            query = _substitute(query, sections["result"])
            status, payload = self._single(method, php_parse(query))
            if status != 200:
                sections["result_error"][key] = {
                    "error": payload["error"],
                    "error_description": payload["error_description"],
                }
                continue
            sections["result"][key] = payload["result"]
            sections["result_time"][key] = payload["time"]
            for name in ("total", "next"):
                if name in payload:
                    sections[f"result_{name}"][key] = payload[name]
        return {"result": {k: v or [] for k, v in sections.items()}, "time": _time(self.clock)}


@dataclass
class Envelope:
    """A handler answer with list extras (total/next)."""

    result: Any
    extra: dict[str, Any] = field(default_factory=dict)


class PortalError(Exception):
    def __init__(self, code: str, description: str = "", status: int = 400) -> None:
        super().__init__(code)
        self.code, self.description, self.status = code, description, status


_REFERENCE = re.compile(r"\$result((?:\[[^\]&=]*\])+)")


def _substitute(query: str, results: dict[str, Any]) -> str:
    """Replace ``$result[key][path]`` like the batch does (missing -> empty)."""

    def value(match: re.Match[str]) -> str:
        node: Any = results
        for part in match.group(1)[1:-1].split("]["):
            if isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            elif isinstance(node, dict) and part in node:
                node = node[part]
            else:
                return ""
        return str(node)

    return _REFERENCE.sub(value, query)


def _time(clock: VirtualClock) -> dict[str, Any]:
    now = clock.now()
    return {"start": now, "finish": now, "duration": 0.0, "operating": 0.0}
