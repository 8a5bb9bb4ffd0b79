"""The sandbox pages' side of the BX24.js frame protocol, in headless Chromium: a stand-in app
frame posts raw protocol strings to the portal page, which acts only on those from the app
frame's origin carrying the APP_SID it put into that frame's placement POST."""

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from sandbox.app import create_app
from sandbox.settings import SandboxSettings
from tests.browser import NEEDS_CHROMIUM, chromium
from tests.sandbox.conftest import ServerThread, free_port

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]

# The stand-in app page: whatever the test evaluates in it is what the portal receives.
APP_PAGE = """<!doctype html><html><body><h1>app</h1><script>
window.sid = new URLSearchParams(location.search).get("APP_SID");
window.send = function (text) { window.parent.postMessage(text, "*"); };
</script></body></html>"""


async def app_page(_: Request) -> HTMLResponse:
    return HTMLResponse(APP_PAGE)


@dataclass
class Live:
    sandbox_url: str
    app_url: str
    other_origin_url: str  # the same app server reached as "localhost": another origin


@pytest.fixture
def live() -> Iterator[Live]:
    app_port, sandbox_port = free_port(), free_port()
    fake_app = Starlette(routes=[Route("/{path:path}", app_page, methods=["GET", "POST"])])
    sandbox = create_app(SandboxSettings(base_url=f"http://127.0.0.1:{sandbox_port}"))
    with ServerThread(fake_app, app_port) as app, ServerThread(sandbox, sandbox_port) as sbx:
        yield Live(sbx.url, app.url, f"http://localhost:{app_port}")


@pytest.fixture
async def control(live: Live) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live.sandbox_url, timeout=30) as client:
        yield client


@pytest.fixture
async def page(live: Live) -> AsyncIterator[Any]:
    async with chromium() as browser:
        opened = await browser.new_page()
        opened.set_default_timeout(15_000)
        yield opened


async def bind_deal_tab(control: httpx.AsyncClient, live: Live, app_url: str = "") -> None:
    token = (await control.post("/_sandbox/portals/demo/tokens", json={"user_id": 1})).json()
    params = {"PLACEMENT": "CRM_DEAL_DETAIL_TAB", "HANDLER": f"{app_url or live.app_url}/tab"}
    bound = await control.post(
        "/rest/placement.bind", json=params | {"auth": token["access_token"]}
    )
    assert bound.json()["result"] is True
    await control.post("/_sandbox/portals/demo/install-finish")


async def open_with_frame(page: Any, url: str) -> Any:
    await page.goto(url)
    frame = page.frame_locator("iframe.app-frame")
    await frame.locator("h1").wait_for()
    return page.frames[1]


async def send(page: Any, frame: Any, text_js: str) -> dict[str, Any]:
    """Post from the app frame (``sid`` is its APP_SID) and return the page's verdict."""
    count = await page.evaluate("() => window.sandboxFrameLog.length")
    await frame.evaluate(f"() => window.send({text_js})")
    await page.wait_for_function("(n) => window.sandboxFrameLog.length > n", arg=count)
    return dict(await page.evaluate("() => window.sandboxFrameLog.at(-1)"))


async def frame_height(page: Any) -> str:
    return str(await page.locator("iframe.app-frame").evaluate("(el) => el.style.height"))


class TestResizeWindow:
    async def test_the_frame_gets_the_height_it_asks_for_in_either_sdks_format(
        self, live: Live, control: httpx.AsyncClient, page: Any
    ) -> None:
        await bind_deal_tab(control, live)
        frame = await open_with_frame(page, f"{live.sandbox_url}/p/demo/deal/1?as=2")
        frame_name = await frame.evaluate("() => window.name")  # what BX24.js parses
        assert frame_name.split("|")[2] == await frame.evaluate("() => window.sid")
        verdict = await send(
            page, frame, """'resizeWindow:{"width":"100%","height":777}::' + window.sid"""
        )
        assert verdict == {
            "command": "resizeWindow",
            "origin": live.app_url,
            "frame": frame_name,
            "handled": True,
        }
        assert await frame_height(page) == "777px"
        assert await page.locator("iframe.app-frame").evaluate("(el) => el.clientHeight") == 777
        # b24jssdk's form: always a callback id; params (JSON, may hold ':') or nothing
        await send(page, frame, """'resizeWindow:{"height":540,"note":"a:b"}:cb7:' + window.sid""")
        assert await frame_height(page) == "540px"
        fit = await send(page, frame, "'resizeWindow:cb8:' + window.sid")  # no params: no size
        assert fit["handled"] is False and await frame_height(page) == "540px"

    async def test_foreign_or_forged_messages_change_nothing(
        self, live: Live, control: httpx.AsyncClient, page: Any
    ) -> None:
        await bind_deal_tab(control, live)
        frame = await open_with_frame(page, f"{live.sandbox_url}/p/demo/deal/1?as=2")
        resize = """'resizeWindow:{"height":900}::' + """
        wrong_sid = await send(page, frame, resize + "'0123456789abcdef0123456789abcdef'")
        assert wrong_sid["refused"] == "wrong APP_SID"
        # no APP_SID segment: the text after the last ':' is read as the APP_SID
        no_sid = await send(page, frame, """'resizeWindow:{"height":900}'""")
        assert no_sid["refused"] == "wrong APP_SID"
        bare = await send(page, frame, "'resizeWindow'")
        assert bare["refused"] == "not a BX24 message"
        not_string = await send(page, frame, '{"b24sandbox": "resizeWindow", "height": 900}')
        assert not_string["refused"] == "not a BX24 message"
        await page.evaluate(
            "(text) => window.postMessage(text, '*')",
            'resizeWindow:{"height":900}::' + await frame.evaluate("() => window.sid"),
        )
        await page.wait_for_function("() => window.sandboxFrameLog.length === 5")
        assert (await page.evaluate("() => window.sandboxFrameLog.at(-1)"))["refused"] == (
            "not an app frame of this page"
        )
        assert await frame_height(page) == ""

    async def test_the_page_refuses_to_frame_other_origins(
        self, live: Live, control: httpx.AsyncClient, page: Any
    ) -> None:
        await bind_deal_tab(control, live)
        frame = await open_with_frame(page, f"{live.sandbox_url}/p/demo/deal/1?as=2")
        with pytest.raises(Exception, match="ERR_BLOCKED_BY_CSP"):
            await frame.goto(f"{live.other_origin_url}/elsewhere")

    async def test_one_apps_frame_cannot_speak_for_another(
        self, live: Live, control: httpx.AsyncClient, page: Any
    ) -> None:
        await bind_deal_tab(control, live)
        await bind_deal_tab(control, live, live.other_origin_url)  # a second app, other origin
        await page.goto(f"{live.sandbox_url}/p/demo/deal/1?as=2")
        first, second = page.frames[1], page.frames[2]
        await first.locator("h1").wait_for()
        await second.locator("h1").wait_for()
        first_sid = await first.evaluate("() => window.sid")
        resize = """'resizeWindow:{"height":900}::' + """
        borrowed = await send(page, second, resize + repr(first_sid))
        assert borrowed["refused"] == "wrong APP_SID"
        # the first frame, navigated to the second app's origin, still knows its own APP_SID
        await first.goto(f"{live.other_origin_url}/elsewhere?APP_SID={first_sid}")
        moved = await send(page, first, resize + "window.sid")
        assert moved["refused"] == f"wrong origin {live.other_origin_url}"
        heights = await page.locator("iframe.app-frame").evaluate_all(
            "(frames) => frames.map((el) => el.style.height)"
        )
        assert heights == ["", ""]


class TestReloadData:
    async def test_the_card_data_is_reread_and_the_app_frame_is_left_alone(
        self, live: Live, control: httpx.AsyncClient, page: Any
    ) -> None:
        await bind_deal_tab(control, live)
        frame = await open_with_frame(page, f"{live.sandbox_url}/p/demo/deal/1?as=2")
        await frame.evaluate("() => { window.stillHere = true; }")
        act = {
            "user_id": 1,
            "method": "crm.deal.update",
            "params": {"id": 1, "fields": {"STAGE_ID": "EXECUTING"}},
        }
        assert (await control.post("/_sandbox/portals/demo/act", json=act)).status_code == 200
        assert await page.locator(".stage.current").get_attribute("value") != "EXECUTING"
        verdict = await send(page, frame, "'reloadData:::' + window.sid")
        assert verdict["handled"] is True
        await page.wait_for_function(
            "() => document.getElementById('card-data').dataset.reloads === '1'"
        )
        assert await page.locator(".stage.current").get_attribute("value") == "EXECUTING"
        assert await frame.evaluate("() => window.stillHere") is True


class TestInstallFinish:
    async def test_only_the_install_frame_with_its_sid_finishes_the_install(
        self, live: Live, control: httpx.AsyncClient, page: Any
    ) -> None:
        url = f"{live.sandbox_url}/p/demo/install?url={live.app_url}/install"
        frame = await open_with_frame(page, url)
        refused = await send(page, frame, "'setInstallFinish:{}::' + 'f'.repeat(32)")
        assert refused["refused"] == "wrong APP_SID"
        assert (await control.get("/_sandbox/portals/demo")).json()["installed"] is False
        verdict = await send(page, frame, "'setInstallFinish:{}::' + window.sid")
        assert verdict["handled"] is True
        await page.locator("#install-note", has_text="Приложение установлено").wait_for()
        assert (await control.get("/_sandbox/portals/demo")).json()["installed"] is True

    async def test_a_crm_tab_cannot_finish_an_install(
        self, live: Live, control: httpx.AsyncClient, page: Any
    ) -> None:
        await bind_deal_tab(control, live)
        frame = await open_with_frame(page, f"{live.sandbox_url}/p/demo/deal/1?as=2")
        verdict = await send(page, frame, "'setInstallFinish:{}::' + window.sid")
        assert verdict["handled"] is False
        assert "refused" not in verdict  # a trusted frame, but not the install frame


class TestActingUser:
    async def test_choosing_a_user_reopens_the_page_as_that_user(
        self, live: Live, page: Any
    ) -> None:
        await page.goto(f"{live.sandbox_url}/p/demo/deal/1?as=2")
        async with page.expect_navigation():
            await page.select_option("#acting-user", "3")
        assert page.url.endswith("/p/demo/deal/1?as=3")
