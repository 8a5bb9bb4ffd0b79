"""The «Поиск» tab in headless Chromium: hostile data stays inert, editing and actions work,
and the frame client speaks the Bitrix24 parent-frame protocol across origins."""

import asyncio
import dataclasses
import re
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from automations.procurement.model import SearchData
from tests.app.web.tab.browser_app import APP_SID, REJECTION, SYNC_JOB_ID, LiveTab, serve
from tests.app.web.tab.sample_pages import (
    ATTRIBUTE_BREAKOUT,
    SCRIPT_BREAKOUT,
    SCRIPT_TAG,
    VIEW_TOKEN,
    hostile_page,
    role_page,
)
from tests.browser import NEEDS_CHROMIUM

ARTIFACTS = Path(__file__).resolve().parents[4] / "test-artifacts"

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]

INJECTION_PROBE = """() => ({
  images: document.querySelectorAll('img[src="x"]').length,
  handlers: [...document.querySelectorAll('*')]
    .filter((el) => [...el.attributes].some((a) => a.name.startsWith('on'))).length,
  scripts: [...document.scripts].map((s) => s.getAttribute('src') || s.type),
})"""
EXPECTED_SCRIPTS = [
    "application/json",
    "/static/frame.js",
    "/static/tab-render.js",
    "/static/tab-editor.js",
    "/static/tab-jobs.js",
    "/static/tab.js",
]


class Watch:
    """What the page did that it should not: dialogs, script errors, CSP violations."""

    def __init__(self) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []

    def attach(self, page: Any) -> None:
        page.on("dialog", self._on_dialog)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", self._on_console)

    async def _on_dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        await dialog.dismiss()

    def _on_console(self, message: Any) -> None:
        # Unreachable example photo hosts and /favicon.ico are expected; script errors and
        # CSP refusals (our own page breaking its policy) are not.
        if message.type == "error" and "Failed to load resource" not in message.text:
            self.errors.append(message.text)


@pytest.fixture
def live() -> Iterator[LiveTab]:
    with serve(hostile_page()) as running:
        yield running


@pytest.fixture
def live_en() -> Iterator[LiveTab]:
    with serve(hostile_page(lang="en")) as running:
        yield running


async def open_page(browser: Any, url: str) -> tuple[Any, Watch]:
    page = await browser.new_page(viewport={"width": 1200, "height": 800})
    watch = Watch()
    watch.attach(page)
    await page.goto(url)
    await page.wait_for_load_state("networkidle")
    return page, watch


async def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def row(page: Any, line_id: int) -> Any:
    return page.locator(f'tr[data-line-id="{line_id}"]')


class TestHostileData:
    async def test_no_dialog_fires_and_no_injected_node_exists(
        self, live: LiveTab, browser: Any
    ) -> None:
        page, watch = await open_page(browser, f"{live.tab_origin}/tab")
        probe = await page.evaluate(INJECTION_PROBE)
        assert probe == {"images": 0, "handlers": 0, "scripts": EXPECTED_SCRIPTS}
        assert await row(page, 12).locator("td").nth(1).text_content() == SCRIPT_TAG
        assert await page.locator("h1").text_content() == (
            "Сделка " + SCRIPT_BREAKOUT + ATTRIBUTE_BREAKOUT
        )
        await row(page, 11).click()
        editor = page.locator("form.b24b-editor")
        await editor.wait_for()
        assert await editor.locator('[name="replacement_note"]').input_value() == ATTRIBUTE_BREAKOUT
        assert await editor.locator('[name="comment"]').input_value() == SCRIPT_TAG
        assert await page.evaluate(INJECTION_PROBE) == probe
        await screenshot(page, "tab-hostile.png")
        assert watch.dialogs == []
        assert watch.errors == []

    async def test_cancelled_lines_are_struck_through_and_do_not_open_an_editor(
        self, live: LiveTab, browser: Any
    ) -> None:
        page, _ = await open_page(browser, f"{live.tab_origin}/tab")
        cancelled = row(page, 13)
        decoration = await cancelled.evaluate("(el) => getComputedStyle(el).textDecorationLine")
        assert decoration == "line-through"
        await cancelled.click()
        assert await page.locator("form.b24b-editor").count() == 0


class TestEditing:
    async def test_save_sends_patch_with_view_token_and_updates_row_and_progress(
        self, live: LiveTab, browser: Any
    ) -> None:
        page, watch = await open_page(browser, f"{live.tab_origin}/tab")
        assert await page.locator("#progress").text_content() == "1 из 2 найдено"
        await row(page, 12).click()
        editor = page.locator("form.b24b-editor")
        await editor.locator('[name="status"]').select_option("found")
        await editor.locator('[name="supplier"]').fill(ATTRIBUTE_BREAKOUT)
        await editor.locator('[name="supplier_url"]').fill("https://detail.1688.com/offer/2.html")
        await editor.locator('[name="unit_price"]').fill("1 234,5")
        await editor.locator('[name="currency"]').fill("CNY")
        await editor.locator('[name="moq"]').fill("50")
        await editor.get_by_role("button", name="Сохранить").click()
        await page.locator("#progress", has_text="2 из 2 найдено").wait_for()

        assert live.api.patches == [
            (
                12,
                {
                    "status": "found",
                    "supplier": ATTRIBUTE_BREAKOUT,
                    "supplier_url": "https://detail.1688.com/offer/2.html",
                    "unit_price": "1234.5",
                    "currency": "CNY",
                    "moq": 50,
                },
                VIEW_TOKEN,
            )
        ]
        cells = row(page, 12).locator("td")
        assert await cells.nth(3).text_content() == "найден"
        assert await cells.nth(4).locator(".b24b-supplier").text_content() == ATTRIBUTE_BREAKOUT
        assert await cells.nth(5).text_content() == "1\u00a0234,50 CNY"
        link = cells.nth(4).locator("a")
        assert await link.get_attribute("href") == "https://detail.1688.com/offer/2.html"
        assert await link.get_attribute("rel") == "noopener noreferrer"
        assert await page.locator("form.b24b-editor").count() == 0
        moved = page.locator(
            "#action-status", has_text="Сделка переведена на стадию «Товар найден»"
        )
        await moved.wait_for()
        probe = await page.evaluate(INJECTION_PROBE)
        assert (probe["images"], probe["handlers"]) == (0, 0)
        await screenshot(page, "tab-after-edit.png")
        assert watch.dialogs == [] and watch.errors == []

    async def test_a_rejected_save_shows_the_servers_reason_inline(
        self, live: LiveTab, browser: Any
    ) -> None:
        live.api.reject_line_ids.add(11)
        page, watch = await open_page(browser, f"{live.tab_origin}/tab")
        await row(page, 11).click()
        editor = page.locator("form.b24b-editor")
        await editor.locator('[name="unit_price"]').fill("-5")
        await editor.get_by_role("button", name="Сохранить").click()
        error = editor.locator(".b24b-editor-error", has_text=REJECTION["error_description"])
        await error.wait_for()
        assert live.api.patches == [(11, {"unit_price": "-5"}, VIEW_TOKEN)]
        assert await row(page, 11).locator("td").nth(5).text_content() == "1\u00a0234,50 CNY"
        assert await editor.locator('[name="unit_price"]').is_enabled()
        await screenshot(page, "tab-rejected-save.png")
        assert watch.dialogs == []

    async def test_an_english_portal_gets_english_rows_after_an_edit(
        self, live_en: LiveTab, browser: Any
    ) -> None:
        page, watch = await open_page(browser, f"{live_en.tab_origin}/tab")
        await row(page, 12).click()
        editor = page.locator("form.b24b-editor")
        await editor.locator('[name="status"]').select_option("not_found")
        await editor.locator('[name="unit_price"]').fill("1234.5")
        await editor.get_by_role("button", name="Save").click()
        await row(page, 12).locator("span", has_text="not found").wait_for()
        assert await row(page, 12).locator("td").nth(5).text_content() == "1,234.50"
        assert await page.locator("#progress").text_content() == "1 of 2 found"
        assert watch.dialogs == [] and watch.errors == []

    async def test_saving_nothing_changed_sends_nothing(self, live: LiveTab, browser: Any) -> None:
        page, _ = await open_page(browser, f"{live.tab_origin}/tab")
        await row(page, 11).click()
        await page.get_by_role("button", name="Сохранить").click()
        await page.locator("form.b24b-editor").wait_for(state="detached")
        assert live.api.patches == []


class TestActions:
    async def test_discount_asks_for_an_amount_and_clearing_asks_for_confirmation(
        self, live: LiveTab, browser: Any
    ) -> None:
        page, watch = await open_page(browser, f"{live.tab_origin}/tab")
        await page.get_by_role("button", name="Применить скидку").click()
        await page.locator("#discount-amount").fill("0")
        await page.get_by_role("button", name="Применить", exact=True).click()
        await page.locator("#action-status.is-error").wait_for()
        await page.locator("#discount-amount").fill("1 500,5")
        await page.get_by_role("button", name="Применить", exact=True).click()
        await page.locator("#action-status", has_text="Готово: apply_discount").wait_for()

        await page.get_by_role("button", name="Удалить все товары").click()
        await page.get_by_role("button", name="Отмена").last.click()
        assert await page.locator("#clear-form").is_hidden()
        await page.get_by_role("button", name="Удалить все товары").click()
        await page.get_by_role("button", name="Да, удалить").click()
        await page.locator("#action-status", has_text="Готово: clear_products").wait_for()

        assert live.api.actions == [
            ("apply_discount", {"amount": "1500.50"}, VIEW_TOKEN),
            ("clear_products", {}, VIEW_TOKEN),
        ]
        assert watch.dialogs == [] and watch.errors == []


class TestFrameProtocol:
    async def test_tab_fits_itself_and_reloads_the_card_after_an_action(
        self, live: LiveTab, browser: Any
    ) -> None:
        page, watch = await open_page(browser, f"{live.portal_origin}/portal/tab")
        resize = re.compile(r'^resizeWindow:\{"width":"100%","height":(\d+)\}::' + APP_SID + "$")
        await page.wait_for_function(
            "() => window.received.some((m) => m.data.startsWith('resize'))"
        )
        messages = await page.evaluate("() => window.received")
        first = next(m for m in messages if m["data"].startswith("resizeWindow"))
        assert first["origin"] == live.tab_origin
        match = resize.match(first["data"])
        assert match is not None and int(match.group(1)) > 100

        frame = page.frame_locator("iframe")
        await frame.get_by_role("button", name="Развернуть комплекты").click()
        await frame.locator('tr[data-line-id="99"]').wait_for()
        await page.wait_for_function(
            "(sid) => window.received.some((m) => m.data === 'reloadData:::' + sid)", arg=APP_SID
        )
        await page.wait_for_function(
            "(h) => window.received.filter((m) => m.data.startsWith('resizeWindow'))"
            ".some((m) => Number(JSON.parse(m.data.split(':').slice(1, -2).join(':')).height) > h)",
            arg=int(match.group(1)),
        )
        assert live.api.actions == [("expand_kits", {}, VIEW_TOKEN)]
        assert await frame.locator("#progress").text_content() == "1 из 3 найдено"
        await screenshot(page, "portal-with-tab.png")
        assert watch.dialogs == [] and watch.errors == []

    async def test_install_page_calls_install_finish(self, live: LiveTab, browser: Any) -> None:
        page, _ = await open_page(browser, f"{live.portal_origin}/portal/install")
        await page.wait_for_function(
            "(sid) => window.received.some((m) => m.data === 'setInstallFinish:{}::' + sid)",
            arg=APP_SID,
        )
        frame = page.frame_locator("iframe")
        assert await frame.locator("h1").text_content() == "Приложение установлено"

    async def test_a_foreign_portal_cannot_frame_the_tab(self, live: LiveTab, browser: Any) -> None:
        page, _ = await open_page(browser, f"{live.portal_origin}/portal/foreign-tab")
        child = page.frames[1]
        # Chromium replaces a frame refused by frame-ancestors with its error page.
        assert child.url.startswith("chrome-error://")
        assert await child.locator("#lines").count() == 0


FITS = """() => {
  const doc = document.documentElement, wrap = document.querySelector('.b24b-table-wrap');
  return {page: [doc.scrollWidth, doc.clientWidth], table: [wrap.scrollWidth, wrap.clientWidth]};
}"""


@pytest.fixture
def deal_tab() -> Iterator[LiveTab]:
    with serve(role_page("deal")) as running:
        yield running


@pytest.fixture
def card_tab() -> Iterator[LiveTab]:
    with serve(role_page("card")) as running:
        yield running


async def open_at(browser: Any, url: str, width: int = 800) -> tuple[Any, Watch]:
    page = await browser.new_page(viewport={"width": width, "height": 700})
    watch = Watch()
    watch.attach(page)
    await page.goto(url)
    await page.wait_for_load_state("networkidle")
    return page, watch


async def assert_fits(page: Any) -> dict[str, list[int]]:
    sizes: dict[str, list[int]] = await page.evaluate(FITS)
    for name, (scroll, client) in sizes.items():
        assert scroll <= client, (name, sizes)
    return sizes


class TestLayoutAt800:
    async def test_the_deal_tab_fits_an_800_px_frame(self, deal_tab: LiveTab, browser: Any) -> None:
        page, watch = await open_at(browser, f"{deal_tab.tab_origin}/tab")
        await assert_fits(page)
        assert await page.locator("h1").text_content() == "Поиск по сделке №8061"
        await screenshot(page, "tab-deal-800.png")
        assert watch.errors == []

    async def test_the_card_tab_and_its_editor_fit_an_800_px_frame(
        self, card_tab: LiveTab, browser: Any
    ) -> None:
        page, watch = await open_at(browser, f"{card_tab.tab_origin}/tab")
        await assert_fits(page)
        await screenshot(page, "tab-card-800.png")
        await row(page, 21).click()
        await page.locator("form.b24b-editor").wait_for()
        await assert_fits(page)
        await screenshot(page, "tab-card-editor-800.png")
        assert watch.errors == []

    async def test_framed_by_the_portal_at_800_px_nothing_scrolls_sideways(
        self, card_tab: LiveTab, browser: Any
    ) -> None:
        page, _ = await open_at(browser, f"{card_tab.portal_origin}/portal/tab?width=800", 900)
        frame = page.frames[1]
        await frame.locator("#lines").wait_for()
        sizes = await frame.evaluate(FITS)
        assert sizes["page"][1] <= 800
        assert all(scroll <= client for scroll, client in sizes.values()), sizes


class TestRoles:
    async def test_the_sales_manager_gets_actions_and_lines_to_read(
        self, deal_tab: LiveTab, browser: Any
    ) -> None:
        page, _ = await open_at(browser, f"{deal_tab.tab_origin}/tab")
        assert await page.locator("[data-action]").count() == 3
        assert await page.locator("tr.is-editable").count() == 0
        await row(page, 22).click()
        assert await page.locator("form.b24b-editor").count() == 0
        hint = await page.locator("#hint").text_content()
        assert hint == "Данные поставщиков заполняет закупщик во вкладке «Поиск» карточки закупки."
        await deal_tab_wait_for_sync(deal_tab)
        assert await page.locator("tr.is-editable").count() == 0

    async def test_the_buyer_gets_lines_to_fill_in_and_no_product_actions(
        self, card_tab: LiveTab, browser: Any
    ) -> None:
        page, _ = await open_at(browser, f"{card_tab.tab_origin}/tab")
        assert await page.locator("[data-action]").count() == 0
        assert await page.locator("#discount-form, #clear-form").count() == 0
        assert await page.locator("#hint").text_content() == (
            "Нажмите на строку, чтобы заполнить данные поставщика."
        )
        await row(page, 22).click()
        await page.locator("form.b24b-editor").wait_for()


async def deal_tab_wait_for_sync(live: LiveTab) -> None:
    """Until the page has polled the open's sync past its end (the stub ends it after 2)."""
    for _ in range(100):
        if live.api.polls.get(SYNC_JOB_ID, 0) > live.api.job_polls:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the page never followed the sync it armed")


class TestFollowingJobs:
    async def test_a_refused_action_shows_the_refusal_and_the_buttons_come_back(
        self, deal_tab: LiveTab, browser: Any
    ) -> None:
        deal_tab.api.refuse_actions.add("apply_discount")
        page, watch = await open_at(browser, f"{deal_tab.tab_origin}/tab")
        await page.get_by_role("button", name="Применить скидку").click()
        await page.locator("#discount-amount").fill("99999")
        await page.get_by_role("button", name="Применить", exact=True).click()
        await page.locator("#action-status", has_text="Принято: выполняется в фоне").wait_for()
        assert await page.locator("[data-action]").first.is_disabled()
        refused = page.locator("#action-status.is-error", has_text="Не выполнено: apply_discount")
        await refused.wait_for()
        assert await page.locator("[data-action]").first.is_enabled()
        polls = deal_tab.api.polls[1]
        await asyncio.sleep(3)
        assert deal_tab.api.polls[1] == polls  # it stopped at the end
        assert watch.errors == []

    async def test_a_discount_with_three_decimals_is_refused_on_the_spot(
        self, deal_tab: LiveTab, browser: Any
    ) -> None:
        page, _ = await open_at(browser, f"{deal_tab.tab_origin}/tab")
        await page.get_by_role("button", name="Применить скидку").click()
        await page.locator("#discount-amount").fill("1000.005")
        await page.get_by_role("button", name="Применить", exact=True).click()
        error = page.locator("#action-status.is-error")
        await error.wait_for()
        assert await error.text_content() == (
            "Сумма скидки: не больше двух знаков после запятой, например 1500,50."
        )
        assert deal_tab.api.actions == []


class TestEditorLimits:
    async def test_each_input_takes_at_most_what_the_model_stores(
        self, card_tab: LiveTab, browser: Any
    ) -> None:
        page, _ = await open_at(browser, f"{card_tab.tab_origin}/tab")
        await row(page, 22).click()
        editor = page.locator("form.b24b-editor")
        await editor.wait_for()
        for field in dataclasses.fields(SearchData):
            limit = string_limit(field.name)
            if limit is None:
                continue
            assert await editor.locator(f'[name="{field.name}"]').get_attribute("maxlength") == str(
                limit
            )
        await editor.locator('[name="supplier"]').fill("x" * 300)
        assert len(await editor.locator('[name="supplier"]').input_value()) == 255


def string_limit(name: str) -> int | None:
    """The max_length the model declares for a text field (from its type, not its schema)."""
    hints = typing.get_type_hints(SearchData, include_extras=True)
    for meta in getattr(hints[name], "__metadata__", ()):
        if getattr(meta, "max_length", None):
            return int(meta.max_length)
    return None
