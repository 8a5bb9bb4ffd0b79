"""The people's pages in headless Chromium: a new deal from the list, a catalog product's price
filled in by picking it, a notification's link followed to the card, the app from the menu."""

from typing import Any

import httpx
import pytest

from tests.browser import NEEDS_CHROMIUM
from tests.sandbox.test_pages_frames import Live, control, live, page

__all__ = ["control", "live", "page"]  # fixtures shared with the frame protocol tests

pytestmark = [
    pytest.mark.browser,
    NEEDS_CHROMIUM,
]


class TestDealFromTheList:
    async def test_new_deal_then_a_product_picked_at_its_catalog_price(
        self, page: Any, live: Live
    ) -> None:
        await page.goto(f"{live.sandbox_url}/p/demo/?as=2")
        await page.fill("input[name=title]", "Капот для Rio")
        await page.select_option("select[name=contact_id]", "2")
        await page.click("#new-deal")
        await page.wait_for_url("**/p/demo/deal/3?as=2")
        assert "Капот для Rio" in await page.locator("h1").text_content()
        assert "Кузнецова" in await page.locator("#card-data").text_content()
        await page.select_option("select.product-pick", "2")
        assert await page.input_value("#new-row-price") == "18900.0"
        await page.click("text=Сохранить товары")
        await page.wait_for_load_state()
        assert "Сумма: 18900.00 RUB" in await page.locator("#card-data").text_content()


class TestNotificationLink:
    async def test_the_link_in_a_notification_opens_the_deal_card(
        self, page: Any, live: Live, control: httpx.AsyncClient
    ) -> None:
        message = f"Закупка готова [URL={live.sandbox_url}/p/demo/crm/deal/details/2/]→[/URL]"
        body = {"user_id": 1, "method": "im.notify.system.add"}
        body["params"] = {"USER_ID": 2, "MESSAGE": message}  # type: ignore[assignment]
        await control.post("/_sandbox/portals/demo/act", json=body)
        await page.goto(f"{live.sandbox_url}/p/demo/people?as=2")
        await page.click("ul.notifications a")
        await page.wait_for_url("**/p/demo/deal/2")
        assert "Комплект рестайлинга" in await page.locator("h1").text_content()


class TestAppFromTheMenu:
    async def test_the_menu_opens_the_apps_page_in_a_frame(
        self, page: Any, live: Live, control: httpx.AsyncClient
    ) -> None:
        install = {"install_url": f"{live.app_url}/install", "handler_url": f"{live.app_url}/app"}
        await control.post("/_sandbox/portals/demo/install", json=install)
        await control.post("/_sandbox/portals/demo/install-finish")
        await page.goto(f"{live.sandbox_url}/p/demo/")
        await page.click("#menu-app")
        await page.wait_for_url("**/p/demo/app?as=1")
        await page.frame_locator("iframe.app-frame").locator("h1").wait_for()
        assert await page.locator("iframe.app-frame").get_attribute("data-placement") == "DEFAULT"
