"""``b24bridge demo``: the sandbox portal and the app as two uvicorn servers in one event loop,
the app installed into the sandbox portal ``demo`` through its real install URL, the portal
provisioned (smart process, stages, buyer), one fresh deal at «Заявка», and a walkthrough
(Russian and English) of the URLs to open. Ctrl+C stops both servers; ``--check`` (or
``DEMO_CHECK=1``) starts everything, verifies it and exits."""

import asyncio
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr

from app.core import portal_store
from app.core.config import Settings
from app.core.context import AppContext
from app.core.db import unit_of_work
from app.core.portal_settings import load_portal_settings
from app.portals.provisioning import provision_portal
from app.web.main import create_app
from sandbox.app import create_app as create_sandbox
from sandbox.settings import SandboxSettings

PORTAL = "demo"
ADMIN_ID, SALES_ID, BUYER_ID = 1, 2, 3
START_SECONDS = 60.0
DEMO_ROWS = [
    {"PRODUCT_ID": 1, "PRODUCT_NAME": "Фара передняя левая", "PRICE": 12500, "QUANTITY": 2},
    {"PRODUCT_ID": 2, "PRODUCT_NAME": "Бампер передний", "PRICE": 18900, "QUANTITY": 1},
]


class DemoError(Exception):
    """The demo could not start; the message says what to fix."""


@dataclass(frozen=True)
class DemoState:
    """What the walkthrough points at."""

    app_url: str
    sandbox_url: str
    deal_id: int
    card_entity_type_id: int


def demo_settings(
    settings: Settings, *, port: int, sandbox_port: int
) -> tuple[Settings, SandboxSettings]:
    """The app's settings pointed at the local sandbox portal, and the sandbox's own."""
    sandbox = SandboxSettings(base_url=f"http://127.0.0.1:{sandbox_port}")
    app = settings.model_copy(
        update={
            "app_base_url": f"http://127.0.0.1:{port}",
            "b24_allowed_domains": [sandbox.domain],
            "b24_oauth_url": sandbox.root,
            "b24_client_id": sandbox.client_id,
            "b24_client_secret": SecretStr(sandbox.client_secret),
            "sandbox_url": sandbox.root,
            "run_worker": True,
        }
    )
    return app, sandbox


def walkthrough(state: DemoState, *, check: bool) -> str:
    """What to open and what to click, in Russian and English."""
    sbx, deal = f"{state.sandbox_url}/p/{PORTAL}", state.deal_id
    header = "проверка пройдена / check passed" if check else "демо запущено / demo is running"
    return f"""
b24bridge: {header}
  Приложение / app:        {state.app_url}  (healthz: {state.app_url}/healthz)
  Портал-песочница / sandbox portal: {sbx}/

Откройте / open:
  1. Сделки / deal list:                                 {sbx}/?as={SALES_ID}
  2. Сделка №{deal} как менеджер продаж (user {SALES_ID}) / deal as the sales manager:
                                                          {sbx}/deal/{deal}?as={SALES_ID}
  3. Та же сделка как закупщик (user {BUYER_ID}) / the same deal as the buyer:
                                                          {sbx}/deal/{deal}?as={BUYER_ID}
     Карточки «Закупка» / procurement cards:             {sbx}/?as={BUYER_ID}
                                                          ({sbx}/item/{state.card_entity_type_id}/<id>?as={BUYER_ID})
  4. Уведомления и задачи / notifications and tasks:      {sbx}/people?as={SALES_ID}
                                                          {sbx}/people?as={BUYER_ID}

Что нажимать / what to click:
  1. (2) На сделке №{deal} нажмите «Передано в поиск» — приложение создаст карточку «Закупка»,
     строки поиска, задачу и уведомление закупщику.
     Press «Передано в поиск»: the app creates the procurement card, its lines, a task and a
     notification for the buyer.
  2. (3) Вкладка «Поиск» в сделке или в карточке: щёлкните строку, статус «найден», поставщик,
     цена, «Сохранить» — для каждой строки.
     Tab «Поиск»: click each line, set status «найден», a supplier and a price, «Сохранить».
  3. Все строки найдены → сделка переходит в «Товар найден», менеджер получает «Поиск завершён…»
     (страница 4, user {SALES_ID}). Every line found → the deal moves to «Товар найден» and the
     sales manager is notified «Поиск завершён…».
  4. (2) «КП отправлено» → «Передано на выкуп»: карточка уходит в «Выкуп», закупщику задача;
     дальше «Выкуплено» → «В пути» → «Груз получен». Then on to buyout, transit and receipt.

Ctrl+C останавливает оба сервера / Ctrl+C stops both servers.
"""


class _Server(uvicorn.Server):
    """A uvicorn server that leaves SIGINT/SIGTERM alone: ``run_demo`` handles them once for
    both servers (each uvicorn server would otherwise replace the other's handler)."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _ensure_free(port: int) -> None:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            raise DemoError(
                f"port {port} is busy; choose another with --port/--sandbox-port"
            ) from exc


@asynccontextmanager
async def _serving(app: FastAPI, port: int) -> AsyncIterator[None]:
    _ensure_free(port)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_config=None, lifespan="on", access_log=False
    )
    server = _Server(config)
    task = asyncio.create_task(server.serve())
    deadline = time.monotonic() + START_SECONDS
    while not server.started:
        if task.done() or time.monotonic() > deadline:
            server.should_exit = True
            raise DemoError(f"the server on port {port} did not start")
        await asyncio.sleep(0.05)
    try:
        yield
    finally:
        server.should_exit = True
        await task


async def _healthy(http: httpx.AsyncClient, app_url: str) -> None:
    response = await http.get(f"{app_url}/healthz")
    if response.status_code != 200:
        raise DemoError(f"{app_url}/healthz answered {response.status_code}")


async def _forget_earlier_run(settings: Settings, member_id: str) -> None:
    """The sandbox portal lives in memory: every run brings a new one under the same member_id,
    so its install from an earlier run in this database is gone with it, as after
    ONAPPUNINSTALL with CLEAN. Done before the app starts, so that no job of the earlier run
    is picked up with its dead tokens and the new application token is not refused."""
    context = AppContext.build(settings)
    try:
        async with unit_of_work(context.sessions) as session:
            portal = await portal_store.find_active_portal(session, member_id)
            if portal is not None:
                await portal_store.mark_uninstalled(session, portal, purge=True)
    finally:
        await context.close()


async def _install(control: httpx.AsyncClient, app_url: str) -> None:
    """The admin's first open of the install URL; the app's page calls installFinish."""
    body = {
        "install_url": f"{app_url}/b24/install",
        "handler_url": f"{app_url}/b24/app",  # the local app's handler path: its menu item
        "user_id": ADMIN_ID,
        "finish": "auto",
    }
    result = (await control.post(f"/_sandbox/portals/{PORTAL}/install", json=body)).json()
    if not result.get("installed"):
        raise DemoError(f"the install did not finish: {result}")


async def _wait_for_bindings(control: httpx.AsyncClient) -> None:
    """The app binds its events in a background job after provisioning; a deal added before
    that would go unseen."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        bound = (await control.get(f"/_sandbox/portals/{PORTAL}/events/bound")).json()
        if bound["bindings"]:
            return
        await asyncio.sleep(0.2)
    raise DemoError("the app did not bind its events to the portal")


async def _act(control: httpx.AsyncClient, method: str, params: dict[str, Any]) -> Any:
    body = {"user_id": SALES_ID, "method": method, "params": params}
    response = await control.post(f"/_sandbox/portals/{PORTAL}/act", json=body)
    response.raise_for_status()
    return response.json()["result"]


async def _prepare_portal(
    context: AppContext, control: httpx.AsyncClient, member_id: str
) -> tuple[int, int]:
    """Provision stages and the buyer, then add the demo deal; returns (deal id, card type id)."""
    await provision_portal(context, member_id, buyer_ids=[BUYER_ID])
    async with context.sessions() as session:
        values = await load_portal_settings(session, member_id)
    await _wait_for_bindings(control)
    fields = {
        "TITLE": "Фары для Audi (демо)",
        "STAGE_ID": values["deal_stages"]["NEW"],
        "CONTACT_ID": 1,
        "ASSIGNED_BY_ID": SALES_ID,
    }
    deal_id = int(await _act(control, "crm.deal.add", {"fields": fields}))
    await _act(control, "crm.deal.productrows.set", {"id": deal_id, "rows": DEMO_ROWS})
    return deal_id, int(values["card_entity_type_id"])


async def _wait_for_stop() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


async def _run(settings: Settings, sandbox_settings: SandboxSettings, *, check: bool) -> None:
    sandbox = create_sandbox(sandbox_settings)
    member_id = str(sandbox.state.sandbox.find_portal(PORTAL).member_id)
    await _forget_earlier_run(settings, member_id)
    app = create_app(settings)
    async with (
        _serving(sandbox, _port_of(sandbox_settings.root)),
        _serving(app, _port_of(settings.app_base_url)),
        httpx.AsyncClient(base_url=sandbox_settings.root, timeout=30) as control,
    ):
        await _healthy(control, settings.app_base_url)
        await _install(control, settings.app_base_url)
        deal_id, card_type = await _prepare_portal(app.state.context, control, member_id)
        state = DemoState(settings.app_base_url, sandbox_settings.root, deal_id, card_type)
        print(walkthrough(state, check=check), flush=True)
        if not check:
            await _wait_for_stop()
        print("b24bridge demo: stopping…", flush=True)


def _port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def run_demo(settings: Settings, *, port: int, sandbox_port: int, check: bool = False) -> None:
    """Run the demo until Ctrl+C (or, with ``check``, until everything is verified)."""
    app_settings, sandbox_settings = demo_settings(settings, port=port, sandbox_port=sandbox_port)
    try:
        asyncio.run(_run(app_settings, sandbox_settings, check=check))
    except DemoError as exc:
        print(f"b24bridge demo: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(1) from exc
