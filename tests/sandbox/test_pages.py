"""Human pages render and open the app's tab with the real placement POST."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.sandbox.conftest import Receiver, call


class TestPages:
    async def test_index_and_lists_render(self, client: httpx.AsyncClient) -> None:
        for url in ("/", "/p/demo/", "/p/demo/people?as=2", "/p/demo/deal/1?as=2"):
            response = await client.get(url)
            assert response.status_code == 200 and "<html" in response.text, url
        assert "Фары и бампер для Camry" in (await client.get("/p/demo/")).text

    async def test_deal_card_posts_placement_form_into_iframe_once_installed(
        self, client: httpx.AsyncClient, token: str
    ) -> None:
        bound = await call(
            client,
            "placement.bind",
            {
                "PLACEMENT": "CRM_DEAL_DETAIL_TAB",
                "HANDLER": "http://receiver.test/tab",
                "TITLE": "Поиск",
            },
            auth=token,
        )
        assert bound.json()["result"] is True
        assert "placement-form-0" not in (await client.get("/p/demo/deal/1?as=2")).text
        await client.post("/_sandbox/portals/demo/install-finish")
        page = (await client.get("/p/demo/deal/1?as=2")).text
        action = re.search(r'action="(http://receiver\.test/tab\?[^"]+)" target="([^"]+)"', page)
        assert action is not None
        query = parse_qs(urlsplit(html.unescape(action.group(1))).query)
        app_sid = query["APP_SID"][0]
        assert re.fullmatch("[0-9a-f]{32}", app_sid)
        frame_name = f"{query['DOMAIN'][0]}|0|{app_sid}"  # what BX24.js reads from window.name
        assert action.group(2) == frame_name
        assert f'name="{frame_name}"' in page
        assert 'data-origin="http://receiver.test"' in page
        assert (
            f'data-app-sid="{app_sid}"' in page and 'data-placement="CRM_DEAL_DETAIL_TAB"' in page
        )
        assert 'name="PLACEMENT_OPTIONS" value="{&#34;ID&#34;: &#34;1&#34;}"' in page

    async def test_rows_editor_churns_ids_and_fires_no_event(
        self, client: httpx.AsyncClient, token: str, receiver: Receiver
    ) -> None:
        await client.post("/_sandbox/portals/demo/install-finish")
        await call(
            client,
            "event.bind",
            {"event": "ONCRMDEALUPDATE", "handler": "http://receiver.test/e"},
            auth=token,
        )
        form = {
            "rows[0][PRODUCT_ID]": "1",
            "rows[0][PRICE]": "100",
            "rows[0][QUANTITY]": "2",
            "rows[1][PRODUCT_NAME]": "gone",
            "rows[1][DELETE]": "1",
        }
        response = await client.post("/p/demo/card/2/1/rows?as=2", data=form)
        assert response.status_code == 303
        rows = (await call(client, "crm.deal.productrows.get", {"id": 1}, auth=token)).json()[
            "result"
        ]
        assert [(r["ID"], r["PRICE"]) for r in rows] == [
            ("5", 100.0)
        ]  # seeded rows are 1-4: a new id
        await client.post("/_sandbox/portals/demo/events/flush")
        assert receiver.events() == []

    async def test_stage_button_moves_the_deal_as_the_chosen_user(
        self, client: httpx.AsyncClient, token: str, receiver: Receiver
    ) -> None:
        await client.post("/_sandbox/portals/demo/install-finish")
        await call(
            client,
            "event.bind",
            {"event": "ONCRMDEALUPDATE", "handler": "http://receiver.test/e"},
            auth=token,
        )
        await client.post("/p/demo/card/2/1/stage?as=3", data={"stage_id": "EXECUTING"})
        await client.post("/_sandbox/portals/demo/events/flush")
        assert receiver.events()[0].data["auth"]["user_id"] == "3"

    async def test_placement_request_control_route(
        self, client: httpx.AsyncClient, token: str
    ) -> None:
        await call(
            client,
            "placement.bind",
            {"PLACEMENT": "CRM_DEAL_DETAIL_TAB", "HANDLER": "http://receiver.test/tab"},
            auth=token,
        )
        assert (
            await client.post("/_sandbox/portals/demo/placement-request", json={"entity_id": 5})
        ).status_code == 409
        await client.post("/_sandbox/portals/demo/install-finish")
        request = (
            await client.post(
                "/_sandbox/portals/demo/placement-request", json={"entity_id": 5, "user_id": 2}
            )
        ).json()
        assert request["form"]["PLACEMENT_OPTIONS"] == '{"ID": "5"}' and request["url"].startswith(
            "http://receiver.test/tab?DOMAIN="
        )


def csp_directives(response: httpx.Response) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    pairs = (part.strip().split(" ", 1) for part in policy.split(";"))
    return {name: value for name, value in pairs}


class TestFrameSecurity:
    async def test_a_page_without_app_frames_frames_nothing(
        self, client: httpx.AsyncClient
    ) -> None:
        directives = csp_directives(await client.get("/p/demo/deal/1?as=2"))
        assert directives["frame-src"] == "'none'"
        assert directives["form-action"] == "'self'"
        assert directives["script-src"] == "'self'"

    async def test_a_card_with_the_tab_may_frame_and_post_to_the_apps_origin_only(
        self, client: httpx.AsyncClient, token: str
    ) -> None:
        params = {"PLACEMENT": "CRM_DEAL_DETAIL_TAB", "HANDLER": "http://receiver.test:8123/tab"}
        await call(client, "placement.bind", params, auth=token)
        await client.post("/_sandbox/portals/demo/install-finish")
        response = await client.get("/p/demo/deal/1?as=2")
        directives = csp_directives(response)
        assert directives["frame-src"] == "http://receiver.test:8123"
        assert directives["form-action"] == "'self' http://receiver.test:8123"
        assert "<script>" not in response.text  # no inline script: only /_sandbox-static/
        assert re.search(r"\son[a-z]+=", response.text) is None  # no inline handler either

    async def test_the_install_page_frames_the_install_url(self, client: httpx.AsyncClient) -> None:
        response = await client.get(
            "/p/demo/install", params={"url": "http://receiver.test/install"}
        )
        assert csp_directives(response)["frame-src"] == "http://receiver.test"
        assert 'data-placement="DEFAULT"' in response.text

    async def test_an_origin_that_could_inject_a_directive_is_left_out(
        self, client: httpx.AsyncClient
    ) -> None:
        url = "http://evil.test;script-src *@receiver.test/install"
        directives = csp_directives(await client.get("/p/demo/install", params={"url": url}))
        assert directives["frame-src"] == "'none'" and directives["script-src"] == "'self'"

    async def test_the_page_script_and_styles_are_served(self, client: httpx.AsyncClient) -> None:
        script = await client.get("/_sandbox-static/portal.js")
        assert script.status_code == 200 and "text/javascript" in script.headers["content-type"]
        assert "setInstallFinish" in script.text
        assert (await client.get("/_sandbox-static/portal.css")).status_code == 200
        assert (await client.get("/_sandbox-static/..%2Fpages.py")).status_code == 404


class TestCardData:
    async def test_the_fragment_shows_the_current_stage_and_rows_without_frames(
        self, client: httpx.AsyncClient, token: str
    ) -> None:
        params = {"PLACEMENT": "CRM_DEAL_DETAIL_TAB", "HANDLER": "http://receiver.test/tab"}
        await call(client, "placement.bind", params, auth=token)
        await client.post("/_sandbox/portals/demo/install-finish")
        page = (await client.get("/p/demo/deal/1?as=3")).text
        assert '"data_url": "/p/demo/card/2/1/data?as=3"' in page
        await call(
            client, "crm.deal.update", {"id": 1, "fields": {"STAGE_ID": "EXECUTING"}}, auth=token
        )
        fragment = (await client.get("/p/demo/card/2/1/data?as=3")).text
        assert re.search(r'class="stage current" name="stage_id" value="EXECUTING"', fragment)
        assert "placement-form" not in fragment and "<html" not in fragment
        assert 'action="/p/demo/card/2/1/rows?as=3"' in fragment
        assert (await client.get("/p/demo/card/2/999/data")).status_code == 404
