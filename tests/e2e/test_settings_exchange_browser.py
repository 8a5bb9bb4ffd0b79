"""The exchange block of the settings page in headless Chromium: the administrator opens the
app in the sandbox portal, is refused a cutoff written the Russian way (the message names
the field and the format), adds a 1C node and sees the URL for «Обмен с сайтом» and the
password once, rotates it, sees an RPC node's last exchange, opens its archive, replays a
feed and disables the node. Pictures go to test-artifacts/."""

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.e2e import exchange_steps as steps
from tests.e2e.browser_steps import BROWSER_MARKS, new_page, screenshot
from tests.e2e.harness import Stack, live_stack

pytestmark = BROWSER_MARKS
ROWS = [{"code": "demo-product-1", "name": "Фара", "price": "100", "quantity": "1"}]


@pytest.fixture
async def stack(database_url: str) -> AsyncIterator[Stack]:
    async with live_stack(database_url) as running:
        await running.install()
        yield running


class TestExchangeNodesBlock:
    async def test_the_administrator_adds_rotates_replays_and_disables(
        self, stack: Stack, browser: Any
    ) -> None:
        b2b = await steps.add(stack, "B2B-портал", direction="in")
        await b2b.call("order.upsert", {"order": steps.order("o-7", rows=ROWS)})
        await stack.worker.run_until_idle()  # the order is a deal: the archive says so
        page, watch = await new_page(browser)
        page.on("dialog", lambda dialog: dialog.accept())
        await page.goto(f"{stack.sandbox_url}/p/demo/app?as=1")
        frame = page.frame_locator("iframe.app-frame")
        block = frame.locator("#exchange")
        await block.locator("#exchange-nodes tr", has_text="B2B-портал").wait_for()

        await block.locator("summary", has_text="Добавить узел").click()
        form = block.locator("#exchange-add")
        await form.locator('[data-node="name"]').fill("УТ 11 (Москва)")
        await form.locator('[data-node="cutoff"]').fill("01.02.2026")
        await form.get_by_role("button", name="Добавить узел").click()
        await block.locator("#exchange-status", has_text="ГГГГ-ММ-ДД").wait_for()
        await screenshot(page, "e2e-exchange-refused.png")
        await form.locator('[data-node="cutoff"]').fill("2026-02-01")
        await form.locator('[data-node="deal_category_id"]').select_option("0")
        await form.get_by_role("button", name="Добавить узел").click()
        shown = block.locator("#exchange-credentials")
        await shown.locator("code", has_text=f"{stack.app_url}/exchange/1c").wait_for()
        first_password = await shown.locator("code").nth(2).text_content()
        row = block.locator("#exchange-nodes tr", has_text="УТ 11 (Москва)")
        await row.wait_for()
        assert "2026-02-01" in (await row.text_content() or "")
        assert "Общая" in (await row.text_content() or "")  # the funnel by its name
        await screenshot(page, "e2e-exchange-added.png")

        await row.get_by_role("button", name="Сменить пароль").click()
        await block.locator("#exchange-status", has_text="Пароль сменён").wait_for()
        assert await shown.locator("code").nth(2).text_content() != first_password

        b2b_row = block.locator("#exchange-nodes tr", has_text="B2B-портал")
        await b2b_row.get_by_role("button", name="Архив обмена").click()
        feeds = block.locator("#exchange-feeds")
        await feeds.locator(".b24b-feed", has_text="записан — Сделка").first.wait_for()
        await feeds.get_by_role("button", name="Повторить").first.click()
        await block.locator("#exchange-status", has_text="повторена").wait_for()
        await feeds.locator(".b24b-feed", has_text="без изменений").first.wait_for()
        await screenshot(page, "e2e-exchange-feeds.png")

        await b2b_row.get_by_role("button", name="Отключить").click()
        await block.locator("#exchange-status", has_text="отключён").wait_for()
        disabled = block.locator("#exchange-nodes tr", has_text="B2B-портал")
        assert "нет" in (await disabled.text_content() or "")
        assert await disabled.get_by_role("button", name="Отключить").count() == 0
        await screenshot(page, "e2e-exchange-nodes.png")
        assert watch.errors == []
