"""A tiny live server for the browser tests: the rendered tab, a stub tab API, a fake portal.

The tab is served from ``http://127.0.0.1:<port>``; the "portal" page that frames it is
served from ``http://localhost:<port>`` — a different origin, so framing and postMessage
cross an origin boundary exactly as in Bitrix24.
"""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route

from app.web.frame.render import render_install_finish, static_files
from app.web.tab.page import TabPage
from app.web.tab.render import line_json, render_tab

APP_SID = "5552d735db7b7b4d5c16dd9c272bfe7d"
REJECTION = {"error": "INVALID_PRICE", "error_description": "Цена должна быть больше нуля"}

PORTAL_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>portal</title></head>
<body>
<script>
window.received = [];
window.addEventListener("message", function (event) {
  var data = String(event.data);
  window.received.push({origin: event.origin, data: data});
  var parts = data.split(":");
  if (parts[0] === "resizeWindow") {
    document.querySelector("iframe").height = JSON.parse(parts.slice(1, -2).join(":")).height;
  }
});
</script>
<iframe name="%(name)s" src="%(src)s" width="%(width)s" height="300"></iframe>
</body></html>
"""


SYNC_JOB_ID = 500


@dataclass
class StubTabApi:
    """Stands in for the lead's tab API; records what the page sent. Its jobs run for
    ``job_polls`` polls, then end: an action ``done`` («Готово: name») unless its name is in
    ``refuse_actions``; the deal's sync ``done``, the deal stage FOUND once all lines are."""

    token: str
    lines: list[dict[str, Any]]
    reject_line_ids: set[int] = field(default_factory=set)
    refuse_actions: set[str] = field(default_factory=set)
    patches: list[tuple[int, dict[str, Any], str | None]] = field(default_factory=list)
    actions: list[tuple[str, dict[str, Any], str | None]] = field(default_factory=list)
    editable: bool = True
    hint: str = "Нажмите на строку, чтобы заполнить данные поставщика."
    job_polls: int = 2
    polls: dict[int, int] = field(default_factory=dict)
    jobs: dict[int, str] = field(default_factory=dict)  # job id → action name

    def counts(self) -> dict[str, int]:
        active = [line for line in self.lines if line["status"] != "cancelled_by_client"]
        found = [line for line in active if line["status"] == "found"]
        return {"found": len(found), "active": len(active)}

    async def patch_line(self, request: Request) -> Response:
        line_id = int(request.path_params["line_id"])
        token = request.headers.get("x-view-token")
        body = await request.json()
        self.patches.append((line_id, body, token))
        if token != self.token:
            return JSONResponse({"error": "FORBIDDEN", "error_description": "bad token"}, 403)
        if line_id in self.reject_line_ids:
            return JSONResponse(REJECTION, status_code=422)
        line = next(line for line in self.lines if line["id"] == line_id)
        line.update(body)
        self.polls[SYNC_JOB_ID] = 0
        return JSONResponse({"line": line, **self.counts(), "sync_job_id": SYNC_JOB_ID})

    async def list_lines(self, request: Request) -> Response:
        if request.headers.get("x-view-token") != self.token:
            return JSONResponse({"error": "FORBIDDEN", "error_description": "bad token"}, 403)
        counts = self.counts()
        stage = "FOUND" if counts["found"] == counts["active"] else "SEARCH"
        title = {"FOUND": "Товар найден", "SEARCH": "Передано в поиск"}[stage]
        return JSONResponse(
            {
                "lines": self.lines,
                **counts,
                "editable": self.editable,
                "hint": self.hint,
                "deal_stage": stage,
                "deal_stage_title": title,
            }
        )

    async def job(self, request: Request) -> Response:
        job_id = int(request.path_params["job_id"])
        self.polls[job_id] = self.polls.get(job_id, 0) + 1
        if self.polls[job_id] <= self.job_polls:
            return JSONResponse({"id": job_id, "state": "running", "text": ""})
        name = self.jobs.get(job_id)
        if name is None:
            return JSONResponse({"id": job_id, "kind": "sync_deal", "state": "done", "text": ""})
        if name in self.refuse_actions:
            return JSONResponse({"id": job_id, "state": "refused", "text": f"Не выполнено: {name}"})
        return JSONResponse({"id": job_id, "state": "done", "text": f"Готово: {name}"})

    async def run_action(self, request: Request) -> Response:
        name = request.path_params["name"]
        self.actions.append((name, await request.json(), request.headers.get("x-view-token")))
        if name == "expand_kits":
            self.lines.append(
                {
                    **self.lines[0],
                    "id": 99,
                    "position": 99,
                    "name": "Комплект: болт",
                    "status": "pending",
                }
            )
        job_id = len(self.jobs) + 1
        self.jobs[job_id] = name
        return JSONResponse({"message": "Принято: выполняется в фоне…", "job_id": job_id})


@dataclass
class LiveTab:
    port: int
    api: StubTabApi

    @property
    def tab_origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def portal_origin(self) -> str:
        return f"http://localhost:{self.port}"


def _portal_page(src: str, port: int, width: str) -> HTMLResponse:
    # The real portal names the frame "DOMAIN|PROTOCOL|APP_SID" (what BX24.js reads).
    name = f"localhost:{port}|0|{APP_SID}"
    width = width if width.isdigit() else "1100"
    return HTMLResponse(PORTAL_PAGE % {"name": name, "src": src, "width": width})


def build_app(page: TabPage, api: StubTabApi, port: int) -> Starlette:
    framed = replace(page, portal_origin=f"http://localhost:{port}")
    foreign = replace(page, portal_origin="https://other-portal.bitrix24.ru")
    tab_url = f"http://127.0.0.1:{port}"

    async def tab(request: Request) -> Response:
        return render_tab(framed, app_sid=APP_SID)

    async def foreign_tab(request: Request) -> Response:
        return render_tab(foreign, app_sid=APP_SID)

    async def install(request: Request) -> Response:
        return render_install_finish(
            "ru", portal_origin=f"http://localhost:{port}", app_sid=APP_SID
        )

    async def portal(request: Request) -> Response:
        width = request.query_params.get("width", "1100")
        return _portal_page(f"{tab_url}/{request.path_params['target']}", port, width)

    return Starlette(
        routes=[
            Route("/tab", tab),
            Route("/foreign-tab", foreign_tab),
            Route("/install", install),
            Route("/portal/{target}", portal),
            Route("/tab/api/lines", api.list_lines, methods=["GET"]),
            Route("/tab/api/lines/{line_id:int}", api.patch_line, methods=["PATCH"]),
            Route("/tab/api/actions/{name}", api.run_action, methods=["POST"]),
            Route("/tab/api/jobs/{job_id:int}", api.job, methods=["GET"]),
            Mount("/static", app=static_files()),
        ]
    )


@contextmanager
def serve(page: TabPage) -> Iterator[LiveTab]:
    """Run the app with uvicorn in a background thread on a free loopback port; the page
    follows the deal's sync it armed (as the real tab does) while the deal is in SEARCH."""
    page = replace(page, sync_job_id=SYNC_JOB_ID, deal_stage="SEARCH")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    api = StubTabApi(
        token=page.view_token,
        lines=[line_json(line) for line in page.lines],
        editable=page.editable,
        hint=page.hint,
    )
    config = uvicorn.Config(build_app(page, api, port), log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield LiveTab(port=port, api=api)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
