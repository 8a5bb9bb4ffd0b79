"""What people do and see on the portal's pages: a new deal, stage names, catalog prices,
notification links, the card's feed, user fields (ETA), the app's page from the menu."""

import html
import re
from typing import Any

import httpx

from tests.sandbox.conftest import Receiver, call
from tests.sandbox.test_events import act, bind, flush


async def make_spa_with_eta(client: httpx.AsyncClient, token: str) -> tuple[int, str, int]:
    """A smart process with a date user field labelled like the app's, and one item in it."""
    spa = (await call(client, "crm.type.add", {"fields": {"title": "Закупка"}}, auth=token)).json()
    record = spa["result"]["type"]
    field = {
        "entityId": f"CRM_{record['id']}",
        "fieldName": f"UF_CRM_{record['id']}_ETA",
        "userTypeId": "date",
        "editFormLabel": {"ru": "Ожидаемая дата прибытия", "en": "ETA"},
    }
    await call(client, "userfieldconfig.add", {"moduleId": "crm", "field": field}, auth=token)
    params = {"entityTypeId": record["entityTypeId"], "fields": {"title": "Закупка по сделке"}}
    item = (await call(client, "crm.item.add", params, auth=token)).json()["result"]["item"]
    return record["entityTypeId"], f"ufCrm{record['id']}_ETA", item["id"]


class TestDealList:
    async def test_stages_are_shown_by_name(self, client: httpx.AsyncClient) -> None:
        page = (await client.get("/p/demo/")).text
        cells = re.findall(r'<td class="stage-name" title="([^"]+)">([^<]*)</td>', page)
        assert cells == [("NEW", "Новая"), ("NEW", "Новая")]

    async def test_new_deal_opens_its_card_and_is_made_by_the_acting_user(
        self, client: httpx.AsyncClient, token: str, receiver: Receiver
    ) -> None:
        await client.post("/_sandbox/portals/demo/install-finish")
        await bind(client, token, "ONCRMDEALADD")
        response = await client.post(
            "/p/demo/deals/new?as=2", data={"title": "Стекло для Solaris", "contact_id": "1"}
        )
        assert (response.status_code, response.headers["location"]) == (303, "/p/demo/deal/3?as=2")
        deal = (await act(client, "crm.deal.get", {"id": 3}))["result"]
        assert (deal["TITLE"], deal["STAGE_ID"], deal["CONTACT_ID"]) == (
            "Стекло для Solaris",
            "NEW",
            "1",
        )
        assert (deal["CREATED_BY_ID"], deal["ASSIGNED_BY_ID"]) == ("2", "2")
        await flush(client)
        added = receiver.events("ONCRMDEALADD")
        assert added and added[0].data["auth"]["user_id"] == "2"
        assert "Новая сделка" in (await client.get("/p/demo/?as=2")).text


class TestRowsEditor:
    async def test_a_catalog_product_without_a_typed_price_keeps_its_price(
        self, client: httpx.AsyncClient
    ) -> None:
        form = {"rows[0][PRODUCT_ID]": "3", "rows[0][PRICE]": "", "rows[0][QUANTITY]": "2"}
        await client.post("/p/demo/card/2/2/rows?as=2", data=form)
        rows = (await act(client, "crm.deal.productrows.get", {"id": 2}))["result"]
        assert [(r["PRODUCT_NAME"], r["PRICE"], r["QUANTITY"]) for r in rows] == [
            ("Решётка радиатора", 7400.0, 2.0)
        ]
        typed = {"rows[0][PRODUCT_ID]": "3", "rows[0][PRICE]": "7000"}
        await client.post("/p/demo/card/2/2/rows?as=2", data=typed)
        rows = (await act(client, "crm.deal.productrows.get", {"id": 2}))["result"]
        assert rows[0]["PRICE"] == 7000.0

    async def test_the_picker_carries_the_catalog_prices(self, client: httpx.AsyncClient) -> None:
        page = (await client.get("/p/demo/deal/1")).text
        assert '<option value="3" data-price="7400.0">Решётка радиатора — 7400.00</option>' in page


class TestNotifications:
    async def test_bb_code_links_render_and_lead_to_the_card(
        self, client: httpx.AsyncClient
    ) -> None:
        message = (
            "Поиск по сделке №1 завершён [URL=http://127.0.0.1:8001/p/demo/crm/deal/details/1/]"
            "→[/URL] [b]<script>x</script>[/b] [url=javascript:alert(1)]нет[/url]"
        )
        await act(client, "im.notify.system.add", {"USER_ID": 2, "MESSAGE": message}, user_id=1)
        page = (await client.get("/p/demo/people?as=2")).text
        assert '<a href="http://127.0.0.1:8001/p/demo/crm/deal/details/1/">→</a>' in page
        assert "<b>&lt;script&gt;x&lt;/script&gt;</b>" in page
        assert "javascript:" not in re.sub(r"\[url=javascript:alert\(1\)\]", "", page)
        link = await client.get("/p/demo/crm/deal/details/1/?as=2")
        assert (link.status_code, link.headers["location"]) == (303, "/p/demo/deal/1?as=2")
        card = await client.get("/p/demo/crm/type/2/details/1/")
        assert card.status_code == 303


class TestCardFeed:
    async def test_timeline_comments_and_todos_show_on_the_card_newest_first(
        self, client: httpx.AsyncClient, webhook: str
    ) -> None:
        sms = {
            "ENTITY_ID": 1,
            "ENTITY_TYPE": "deal",
            "COMMENT": "SMS клиенту +79990001122: Заказ на складе",
        }
        await client.post(f"{webhook}crm.timeline.comment.add", json={"fields": sms})
        todo = {
            "ownerTypeId": 2,
            "ownerId": 1,
            "deadline": "2026-01-16T10:00:00",
            "title": "Позвонить",
        }
        await client.post(f"{webhook}crm.activity.todo.add", json=todo)
        other = {"ENTITY_ID": 2, "ENTITY_TYPE": "deal", "COMMENT": "не эта сделка"}
        await client.post(f"{webhook}crm.timeline.comment.add", json={"fields": other})
        page = (await client.get("/p/demo/deal/1")).text
        feed = page[page.index('<ul class="feed">') :]
        assert "SMS клиенту +79990001122: Заказ на складе" in feed and "Позвонить" in feed
        assert "не эта сделка" not in feed
        assert "Администратор" in feed


class TestUserFields:
    async def test_the_eta_of_a_procurement_card_is_shown_and_saved_as_the_user(
        self, client: httpx.AsyncClient, token: str, receiver: Receiver
    ) -> None:
        type_id, eta, item_id = await make_spa_with_eta(client, token)
        await client.post("/_sandbox/portals/demo/install-finish")
        await bind(client, token, "ONCRMDYNAMICITEMUPDATE")
        card = (await client.get(f"/p/demo/item/{type_id}/{item_id}?as=3")).text
        assert "Ожидаемая дата прибытия" in card
        assert f'name="fields[{eta}]" value="" type="date"' in card
        saved = await client.post(
            f"/p/demo/card/{type_id}/{item_id}/fields?as=3", data={f"fields[{eta}]": "2026-02-01"}
        )
        assert saved.status_code == 303 and "error" not in saved.headers["location"]
        item = await call(
            client, "crm.item.get", {"entityTypeId": type_id, "id": item_id}, auth=token
        )
        assert item.json()["result"]["item"][eta] == "2026-02-01"
        await flush(client)
        update = receiver.events("ONCRMDYNAMICITEMUPDATE")[0].data
        assert update["auth"]["user_id"] == "3"
        again = (await client.get(f"/p/demo/item/{type_id}/{item_id}?as=3")).text
        assert f'name="fields[{eta}]" value="2026-02-01" type="date"' in again


class TestAppPage:
    async def test_the_apps_page_is_in_the_menu_once_installed_with_a_handler(
        self, client: httpx.AsyncClient
    ) -> None:
        assert 'id="menu-app"' not in (await client.get("/p/demo/")).text
        body = {
            "install_url": "http://receiver.test/install",
            "handler_url": "http://receiver.test/app",
        }
        assert (await client.post("/_sandbox/portals/demo/install", json=body)).json()["installed"]
        assert 'id="menu-app" href="/p/demo/app?as=1"' in (await client.get("/p/demo/")).text
        page = (await client.get("/p/demo/app?as=1")).text
        action = re.search(r'action="(http://receiver\.test/app\?[^"]+)"', page)
        assert action is not None and "DOMAIN=" in html.unescape(action.group(1))
        fields: dict[str, Any] = dict(re.findall(r'name="([A-Z_a-z]+)" value="([^"]*)"', page))
        assert fields["PLACEMENT"] == "DEFAULT" and fields["AUTH_ID"]

    async def test_without_a_handler_path_the_page_says_why(
        self, client: httpx.AsyncClient
    ) -> None:
        await client.post("/_sandbox/portals/demo/install-finish")
        page = (await client.get("/p/demo/app")).text
        assert "не указан путь обработчика" in page and "placement-form" not in page
