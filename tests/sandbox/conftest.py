"""Fixtures for the sandbox portal: a fake clock, the ASGI app, clients, a receiver app that
records what the portal sends, and real uvicorn servers on free loopback ports."""

import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse
from starlette.routing import Route

from sandbox.app import create_app
from sandbox.clock import FakeClock
from sandbox.encoding import parse_pairs
from sandbox.settings import SandboxSettings
from tests.ports import free_port

BASE = "http://127.0.0.1:8001"


@dataclass
class Received:
    path: str
    query: dict[str, str]
    raw: str
    pairs: list[tuple[str, str]]
    content_type: str

    @property
    def data(self) -> dict[str, Any]:
        return parse_pairs(self.pairs)


@dataclass
class Receiver:
    """A tiny app standing in for b24bridge: records every POST; /fail answers 500;
    /install answers a page that calls installFinish."""

    received: list[Received] = field(default_factory=list)

    async def endpoint(self, request: Request) -> PlainTextResponse | HTMLResponse:
        raw = (await request.body()).decode()
        self.received.append(
            Received(
                path=request.url.path,
                query=dict(request.query_params),
                raw=raw,
                pairs=parse_qsl(raw, keep_blank_values=True),
                content_type=request.headers.get("content-type", ""),
            )
        )
        if request.url.path.startswith("/fail"):
            return PlainTextResponse("boom", status_code=500)
        if request.url.path.startswith("/install"):
            return HTMLResponse("<script>BX24.installFinish();</script>")
        return PlainTextResponse("ok")

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self.endpoint, methods=["POST", "GET"])])

    def events(self, name: str | None = None) -> list[Received]:
        return [
            r
            for r in self.received
            if "event" in dict(r.pairs) and (name is None or dict(r.pairs)["event"] == name)
        ]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def receiver() -> Receiver:
    return Receiver()


@pytest.fixture
def sandbox_app(clock: FakeClock, receiver: Receiver) -> Any:
    return create_app(
        SandboxSettings(base_url=BASE), clock=clock, transport=httpx.ASGITransport(receiver.app())
    )


@pytest.fixture
async def client(sandbox_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(sandbox_app), base_url=BASE) as http:
        yield http


@pytest.fixture
async def webhook(client: httpx.AsyncClient) -> str:
    portal = (await client.get("/_sandbox/portals/demo")).json()
    return str(portal["webhook_url"])


async def issue_token(
    client: httpx.AsyncClient, user_id: int = 1, portal: str = "demo"
) -> dict[str, Any]:
    response = await client.post(f"/_sandbox/portals/{portal}/tokens", json={"user_id": user_id})
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
async def token(client: httpx.AsyncClient) -> str:
    return str((await issue_token(client))["access_token"])


async def call(
    client: httpx.AsyncClient, method: str, params: dict[str, Any] | None = None, *, auth: str
) -> httpx.Response:
    return await client.post(f"/rest/{method}", json={**(params or {}), "auth": auth})


class ServerThread:
    def __init__(self, app: Any, port: int) -> None:
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://127.0.0.1:{port}"

    def __enter__(self) -> "ServerThread":
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError(f"the test server at {self.url} did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def live_pair(receiver: Receiver) -> Iterator[tuple[str, str]]:
    """The sandbox and the receiver, each a real uvicorn server; yields their base URLs."""
    receiver_port, sandbox_port = free_port(), free_port()
    sandbox = create_app(SandboxSettings(base_url=f"http://127.0.0.1:{sandbox_port}"))
    with (
        ServerThread(receiver.app(), receiver_port) as rec,
        ServerThread(sandbox, sandbox_port) as sbx,
    ):
        yield sbx.url, rec.url
