"""«Документ» in headless Chromium: the sales manager opens the deal card in the sandbox
portal, presses «Документ» in the «Поиск» tab and picks the client; the worker makes the
proposal in the background and the tab shows its links. The PDF attached to the deal's
timeline is read back (every found line, the converted prices, the exact total), its first
page and the public HTML page are kept as pictures, and a client's click on a supplier's
short link shows up in the tab next to the line."""

import base64
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pypdfium2
import pytest

from app.core.portal_settings import load_portal_settings
from automations.proposals.formats import money
from tests.e2e.browser_steps import (
    BROWSER_MARKS,
    artifact,
    background_worker,
    new_page,
    screenshot,
)
from tests.e2e.harness import SALES_ID, Stack, live_stack
from tests.e2e.procurement_steps import Journey
from tests.e2e.proposal_steps import EXPECTED, PRICES, configure, deal_at_found, pdf_text, timeline

pytestmark = BROWSER_MARKS
FOUND_NAMES = ("Фара передняя левая", "Бампер передний")


@pytest.fixture
async def stack(database_url: str) -> AsyncIterator[Stack]:
    async with live_stack(database_url) as running:
        yield running


def save_first_pdf_page(content: bytes, name: str) -> None:
    document = pypdfium2.PdfDocument(content)
    try:
        document[0].render(scale=1.5).to_pil().save(artifact(name))
    finally:
        document.close()


def readable(amount: str) -> str:
    return money(Decimal(amount)).replace("\xa0", " ")


async def press_document(tab: Any, client: str) -> None:
    await tab.get_by_role("button", name="Документ").click()
    await tab.get_by_label(client).check()
    await tab.get_by_role("button", name="Сформировать КП").click()


class TestDocumentButton:
    async def test_the_pdf_is_attached_and_the_tab_links_the_proposal(
        self, stack: Stack, browser: Any
    ) -> None:
        journey = await Journey.start(stack)
        await configure(journey)
        lines = await deal_at_found(journey, PRICES)
        page, watch = await new_page(browser)
        deal_url = f"{stack.sandbox_url}/p/demo/deal/{journey.deal_id}?as={SALES_ID}"
        async with background_worker(stack):
            await page.goto(deal_url)
            tab = page.frame_locator("iframe.app-frame")
            await tab.locator(f'tr[data-line-id="{lines[0]["id"]}"]').wait_for()
            await press_document(tab, "постоянный клиент")
            await tab.locator("#action-status", has_text="Готово: КП версии 1 готово").wait_for()
            links = tab.locator("#proposal-links", has_text="КП, версия 1:")
            await links.wait_for()
            await screenshot(page, "e2e-proposal-tab.png")
            url = await links.get_by_role("link", name="открыть").get_attribute("href")
        assert url is not None and url.startswith(f"{stack.app_url}/p/")

        [comment] = await timeline(journey)
        [attached] = comment["files"]
        text = pdf_text(attached["content"]).replace("\xa0", " ")
        assert all(name in text for name in (*FOUND_NAMES, "Доставка"))
        assert all(readable(amount) in text for amount in EXPECTED.values())
        assert "1 CNY = 12,45 ₽" in text and "1 USD = 92,10 ₽" in text
        assert "спасибо, что снова с нами" in text  # the regular client's template speaks
        save_first_pdf_page(base64.b64decode(attached["content"]), "e2e-proposal-pdf-page1.png")
        assert (await journey.deal())[journey.values["deal_proposal_link_field"]] == url

        client, client_watch = await new_page(browser)
        await client.goto(url)
        await client.get_by_role("link", name="Скачать PDF").wait_for()
        assert readable(EXPECTED["total"]) in (await client.inner_text("body")).replace("\xa0", " ")
        await screenshot(client, "e2e-proposal-html.png")
        short = await client.locator('a[href*="/s/"]').first.get_attribute("href")
        assert short is not None
        redirect = await stack.http.get(short, follow_redirects=False)
        assert redirect.status_code == 302

        async with background_worker(stack):
            await page.goto(deal_url)
            tab = page.frame_locator("iframe.app-frame")
            row = tab.locator(f'tr[data-line-id="{lines[0]["id"]}"]')
            await row.locator(".b24b-clicks", has_text="переходов: 1").wait_for()
            await tab.locator("#proposal-links", has_text="КП, версия 1:").wait_for()
        assert watch.errors == [] and client_watch.errors == []

    async def test_a_deal_without_found_lines_is_refused_in_the_tab(
        self, stack: Stack, browser: Any
    ) -> None:
        journey = await Journey.start(stack)
        await configure(journey)
        await journey.create_deal()
        await journey.move_deal("SEARCH")
        lines = await journey.lines()
        page, watch = await new_page(browser)
        async with background_worker(stack):
            await page.goto(f"{stack.sandbox_url}/p/demo/deal/{journey.deal_id}?as={SALES_ID}")
            tab = page.frame_locator("iframe.app-frame")
            await tab.locator(f'tr[data-line-id="{lines[0].id}"]').wait_for()
            await press_document(tab, "новый клиент")
            refusal = "КП не сформировано: в сделке нет найденных товаров"
            await tab.locator("#action-status.is-error", has_text=refusal).wait_for()
            assert await tab.locator("#proposal-links").is_hidden()
            await screenshot(page, "e2e-proposal-refused.png")
        assert await timeline(journey) == []
        assert watch.errors == []


class TestProposalSettings:
    async def test_the_administrator_sets_a_rate_and_a_bad_one_is_refused(
        self, stack: Stack, browser: Any
    ) -> None:
        await stack.install()
        page, watch = await new_page(browser)
        await page.goto(f"{stack.sandbox_url}/p/demo/app?as=1")
        settings = page.frame_locator("iframe.app-frame")
        section = settings.locator("#proposal-settings")
        await section.locator('[data-proposal="company_name"]').fill("ООО «Мост Логистик»")
        await section.locator('[data-rate="CNY"]').fill("12,45")
        await section.locator('[data-rate="USD"]').fill("ноль")
        await settings.get_by_role("button", name="Сохранить", exact=True).click()
        refusal = "Курс USD → RUB: число больше нуля"
        await settings.locator("#save-status", has_text=refusal).wait_for()
        await section.locator('[data-rate="USD"]').fill("92,10")
        await settings.get_by_role("button", name="Сохранить", exact=True).click()
        await settings.locator("#save-status", has_text="Сохранено.").wait_for()
        await screenshot(page, "e2e-proposal-settings.png")
        async with stack.context.sessions() as session:
            stored = (await load_portal_settings(session, stack.member_id))["proposal"]
        assert stored["rates"] == {"CNY": "12.45", "USD": "92.10"}
        assert stored["company_name"] == "ООО «Мост Логистик»"
        assert watch.errors == []
