"""The whole stack in headless Chromium: the sandbox portal's pages frame the app's «Поиск»
tab with the real placement POST, the tab and the portal speak the BX24.js frame protocol
(setInstallFinish, resizeWindow), and a buyer's edits in the tab move the deal while the
app's worker runs in the background."""

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.browser_steps import (
    BROWSER_MARKS,
    background_worker,
    new_page,
    screenshot,
)
from tests.e2e.harness import BUYER_ID, SALES_ID, Stack, live_stack
from tests.e2e.procurement_steps import Journey

pytestmark = BROWSER_MARKS


@pytest.fixture
async def stack(database_url: str) -> AsyncIterator[Stack]:
    async with live_stack(database_url) as running:
        yield running


async def frame_log(page: Any) -> list[dict[str, Any]]:
    return list(await page.evaluate("() => window.sandboxFrameLog"))


async def open_editor(row: Any, editor: Any, attempts: int = 4) -> None:
    """Click the row until its editor opens: a click that lands while the followed sync
    re-renders the rows hits the row being replaced, as a person's would, and is repeated."""
    for _ in range(attempts):
        await row.click()
        try:
            await editor.wait_for(timeout=5_000)
            return
        except PlaywrightTimeoutError:
            continue
    await editor.wait_for()


async def enter_found(tab: Any, line_id: int, supplier: str) -> None:
    """The buyer's inline editor: status «найден», a supplier and a price, then «Сохранить»."""
    row = tab.locator(f'tr[data-line-id="{line_id}"]')
    editor = tab.locator("form.b24b-editor")
    await open_editor(row, editor)
    await editor.locator('[name="status"]').select_option("found")
    await editor.locator('[name="supplier"]').fill(supplier)
    await editor.locator('[name="unit_price"]').fill("310,50")
    await editor.locator('[name="currency"]').fill("CNY")
    await editor.get_by_role("button", name="Сохранить").click()
    await editor.wait_for(state="detached")
    await row.locator("td", has_text="найден").first.wait_for()


async def wait_for_current_stage(page: Any, url: str, name: str, attempts: int = 100) -> None:
    """Reload the sandbox card until the worker has moved it (bounded by attempts, not time)."""
    for _ in range(attempts):
        await page.goto(url)
        if (await page.locator(".stage.current").text_content() or "").strip() == name:
            return
        await asyncio.sleep(0.3)
    raise AssertionError(f"the card never reached the stage {name!r}")


async def assert_fitted(page: Any, frame_selector: str) -> None:
    """The app asked for its size (resizeWindow) and the portal gave the iframe that height."""
    await page.wait_for_function(
        "() => (window.sandboxFrameLog || []).some((m) => m.command === 'resizeWindow' && m.handled)"
    )
    height = await page.locator(frame_selector).evaluate("(el) => el.style.height")
    match = re.fullmatch(r"(\d+)px", height)
    assert match is not None and int(match.group(1)) > 100, height
    box = await page.locator(frame_selector).bounding_box()
    assert box is not None and round(box["height"]) != 400  # the sandbox's default height


class TestInstallInTheBrowser:
    async def test_the_install_page_is_finished_by_the_apps_set_install_finish(
        self, stack: Stack, browser: Any
    ) -> None:
        page, watch = await new_page(browser)
        install_url = f"{stack.app_url}/b24/install"
        await page.goto(f"{stack.sandbox_url}/p/demo/install?url={install_url}")
        await page.locator("#install-note", has_text="Приложение установлено").wait_for()
        portal = (await stack.control.get("/_sandbox/portals/demo")).json()
        assert portal["installed"] is True
        messages = await frame_log(page)
        assert {"command": "setInstallFinish", "handled": True} in [
            {k: m.get(k) for k in ("command", "handled")} for m in messages
        ]
        assert all(m["origin"] == stack.app_url and "refused" not in m for m in messages)
        await assert_fitted(page, "iframe.app-frame")
        await screenshot(page, "e2e-install.png")
        assert watch.errors == []


FITS = """() => {
  const doc = document.documentElement, wrap = document.querySelector('.b24b-table-wrap');
  return {page: [doc.scrollWidth, doc.clientWidth], table: [wrap.scrollWidth, wrap.clientWidth]};
}"""


async def assert_fits_at_800(page: Any, name: str) -> None:
    """Narrow the portal page until the tab's frame is 800 px wide: nothing scrolls sideways."""
    await page.set_viewport_size({"width": 832, "height": 900})
    frame = await (await page.locator("iframe.app-frame").element_handle()).content_frame()
    sizes = await frame.evaluate(FITS)
    assert 780 <= sizes["page"][1] <= 800, sizes
    assert all(scroll <= client for scroll, client in sizes.values()), sizes
    await screenshot(page, name)


async def card_page(journey: Journey, user_id: int = BUYER_ID) -> str:
    entity_type_id = journey.values["card_entity_type_id"]
    return f"{journey.stack.sandbox_url}/p/demo/item/{entity_type_id}/{await journey.card_id()}?as={user_id}"


class TestSearchInTheBrowser:
    async def test_buyer_finds_every_line_and_the_sales_manager_is_told(
        self, stack: Stack, browser: Any
    ) -> None:
        journey = await Journey.start(stack)
        await journey.create_deal()
        await journey.move_deal("SEARCH")
        lines = await journey.lines()
        page, watch = await new_page(browser)
        card_url = await card_page(journey)
        async with background_worker(stack):
            await page.goto(card_url)
            assert await page.locator(".stage.current").text_content() == "Поиск"
            tab = page.frame_locator("iframe.app-frame")
            await tab.locator(f'tr[data-line-id="{lines[0].id}"]').wait_for()
            await assert_fitted(page, "iframe.app-frame")
            await screenshot(page, "e2e-search-tab.png")
            await refused_without_a_price(tab, lines[0].id)
            for line in lines:
                await enter_found(tab, line.id, f"Guangzhou Auto Parts {line.position}")
            moved = tab.locator(
                "#action-status", has_text="Сделка переведена на стадию «Товар найден»"
            )
            await moved.wait_for()  # the tab learned it from the sync it followed, no reload
            await screenshot(page, "e2e-search-entered.png")
            await wait_for_current_stage(page, card_url, "Поиск завершён")
            await tab.locator("#lines").wait_for()
            await assert_fits_at_800(page, "e2e-card-tab-800.png")
            await page.goto(f"{stack.sandbox_url}/p/demo/people?as={SALES_ID}")
            notice = page.locator("li", has_text="Поиск завершён")
            await notice.first.wait_for()
            await screenshot(page, "e2e-sales-notifications.png")
        assert (await journey.deal())["STAGE_ID"] == journey.deal_stage("FOUND")
        assert all(line.status == "found" for line in await journey.lines())
        assert watch.errors == []

    async def test_a_row_removed_in_the_deal_shows_cancelled_on_the_next_open(
        self, stack: Stack, browser: Any
    ) -> None:
        journey = await Journey.start(stack)
        await journey.create_deal()
        await journey.move_deal("SEARCH")
        lines = await journey.lines()
        rows = [{"PRODUCT_ID": 1, "PRODUCT_NAME": "Фара передняя левая", "PRICE": 12500}]
        await stack.act("crm.deal.productrows.set", {"id": journey.deal_id, "rows": rows})
        page, watch = await new_page(browser)
        async with background_worker(stack):
            await page.goto(await card_page(journey))
            tab = page.frame_locator("iframe.app-frame")
            removed = tab.locator(f'tr[data-line-id="{lines[1].id}"].is-cancelled')
            await removed.wait_for()  # the open's re-read ended and the page refreshed its lines
            assert await removed.locator("s").text_content() == "Бампер передний"
            await screenshot(page, "e2e-cancelled-on-open.png")
        assert watch.errors == []


async def refused_without_a_price(tab: Any, line_id: int) -> None:
    """«найден» with a supplier but no price: the editor says what is missing, nothing saved."""
    await tab.locator(f'tr[data-line-id="{line_id}"]').click()
    editor = tab.locator("form.b24b-editor")
    await editor.locator('[name="status"]').select_option("found")
    await editor.locator('[name="supplier"]').fill("Guangzhou Auto Parts")
    await editor.get_by_role("button", name="Сохранить").click()
    reason = "Для статуса «найден» укажите цену за единицу, например 310,50"
    await editor.locator(".b24b-editor-error", has_text=reason).wait_for()
    await editor.get_by_role("button", name="Отмена").click()
    await editor.wait_for(state="detached")


class TestActionsInTheBrowser:
    async def test_the_sales_manager_sees_a_refusal_then_a_done_clear_without_reloading(
        self, stack: Stack, browser: Any
    ) -> None:
        journey = await Journey.start(stack)
        await journey.create_deal()
        await journey.move_deal("SEARCH")
        lines = await journey.lines()
        page, watch = await new_page(browser)
        async with background_worker(stack):
            await page.goto(f"{stack.sandbox_url}/p/demo/deal/{journey.deal_id}?as={SALES_ID}")
            tab = page.frame_locator("iframe.app-frame")
            await tab.locator(f'tr[data-line-id="{lines[0].id}"]').wait_for()
            assert await tab.locator("tr.is-editable").count() == 0
            await tab.get_by_role("button", name="Применить скидку").click()
            await tab.locator("#discount-amount").fill("100000")
            await tab.get_by_role("button", name="Применить", exact=True).click()
            refusal = (
                "Не выполнено: Скидка 100000.00 больше суммы сделки 46900.00: "
                "цены стали бы отрицательными."
            )
            await tab.locator("#action-status.is-error", has_text=refusal).wait_for()
            await screenshot(page, "e2e-deal-tab-refusal.png")
            await assert_fits_at_800(page, "e2e-deal-tab-800.png")
            await tab.get_by_role("button", name="Удалить все товары").click()
            await tab.get_by_role("button", name="Да, удалить").click()
            await tab.locator("#action-status", has_text="Готово: Все товары удалены").wait_for()
            for line in lines:
                await tab.locator(f'tr[data-line-id="{line.id}"].is-cancelled').wait_for()
            await screenshot(page, "e2e-deal-tab-cleared.png")
        assert watch.errors == []
