"""Human pages render and open the app's tab with the real placement POST."""

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
        assert 'action="http://receiver.test/tab?DOMAIN=' in page and 'target="app-frame-0"' in page
        assert '<iframe class="app-frame" name="app-frame-0"' in page
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
