"""What the browser tests share: Debian's Chromium driven by Playwright, a worker running in
the background as a deployed app's would, script errors collected per page, screenshots
kept in ``test-artifacts/`` for people to look at."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

import pytest

from tests.browser import NEEDS_CHROMIUM
from tests.e2e.harness import Stack

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
STEP_TIMEOUT_MS = 30_000

BROWSER_MARKS = [pytest.mark.e2e, pytest.mark.browser, NEEDS_CHROMIUM]


@asynccontextmanager
async def background_worker(stack: Stack) -> AsyncIterator[None]:
    """Deliver the portal's events and run the app's jobs every 0.3 s, as a deployed app would,
    so the pages react to what the browser does."""
    stop = asyncio.Event()

    async def loop() -> None:
        while not stop.is_set():
            await stack.settle()
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=0.3)

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        stop.set()
        await task  # re-raises what went wrong in the background (e.g. never settled)


class PageErrors:
    """Script errors and CSP refusals on any page or frame of the test."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", self._on_console)

    def _on_console(self, message: Any) -> None:
        # favicon.ico and unreachable example photo hosts are expected to fail loading.
        if message.type == "error" and "Failed to load resource" not in message.text:
            self.errors.append(message.text)


async def new_page(browser: Any) -> tuple[Any, PageErrors]:
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(STEP_TIMEOUT_MS)
    return page, PageErrors(page)


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name


async def screenshot(page: Any, name: str) -> None:
    await page.screenshot(path=str(artifact(name)), full_page=True)
