"""Short links over real HTTP: ``/s/{code}`` redirects with 302 and counts every click, even
fifty at once; unknown codes are a Russian 404 page; refused targets make no link."""

import asyncio
from collections.abc import AsyncIterator

import pytest

from app.core.db import unit_of_work
from automations.proposals import repository
from automations.proposals.link_rules import TargetRefused
from automations.proposals.short_links import make_short_links
from tests.e2e.harness import Stack, live_stack
from tests.e2e.procurement_steps import Journey

pytestmark = pytest.mark.e2e
TARGET = "https://detail.1688.com/offer/6543210.html?spm=a26352.13672862"


@pytest.fixture
async def stack(database_url: str) -> AsyncIterator[Stack]:
    async with live_stack(database_url) as stack:
        await stack.install()
        yield stack


async def shorten(stack: Stack, urls: list[str]) -> dict[str, str]:
    async with unit_of_work(stack.context.sessions) as session:
        return await make_short_links(session, stack.app_url, stack.member_id, urls)


async def clicks(stack: Stack, url: str) -> int:
    async with stack.context.sessions() as session:
        return (await repository.clicks_by_url(session, stack.member_id, [url])).get(url, 0)


class TestShortLinks:
    async def test_a_short_link_redirects_to_its_target_and_counts_the_click(
        self, stack: Stack
    ) -> None:
        short = (await shorten(stack, [TARGET]))[TARGET]
        assert short.startswith(f"{stack.app_url}/s/")
        response = await stack.http.get(short)
        assert response.status_code == 302
        assert response.headers["location"] == TARGET
        assert response.headers["cache-control"] == "no-store"
        assert await clicks(stack, TARGET) == 1
        assert (await shorten(stack, [TARGET]))[TARGET] == short

    async def test_fifty_concurrent_clicks_are_fifty_counts(self, stack: Stack) -> None:
        short = (await shorten(stack, [TARGET]))[TARGET]
        responses = await asyncio.gather(*(stack.http.get(short) for _ in range(50)))
        assert [r.status_code for r in responses] == [302] * 50
        assert await clicks(stack, TARGET) == 50

    @pytest.mark.parametrize("code", ["AbCdEfGh12", "short", "Ab_cd-ef.gh%3C1", "a" * 40])
    async def test_an_unknown_code_is_a_russian_404_page_not_a_redirect(
        self, stack: Stack, code: str
    ) -> None:
        await shorten(stack, [TARGET])
        response = await stack.http.get(f"/s/{code}")
        assert response.status_code == 404
        assert "location" not in response.headers
        assert "Такой короткой ссылки нет" in response.text

    @pytest.mark.parametrize(
        "target",
        [
            "javascript:alert(1)",
            "http://127.0.0.1:8000/admin",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/",
        ],
    )
    async def test_refused_targets_make_no_link_at_all(self, stack: Stack, target: str) -> None:
        with pytest.raises(TargetRefused):
            await shorten(stack, [TARGET, target])
        assert await clicks(stack, TARGET) == 0
        async with stack.context.sessions() as session:
            assert await repository.clicks_by_url(session, stack.member_id, [TARGET]) == {}

    async def test_the_apps_own_host_is_refused_as_a_target(self, stack: Stack) -> None:
        with pytest.raises(TargetRefused) as refused:
            await shorten(stack, [f"{stack.app_url}/s/AbCdEfGh12"])
        assert refused.value.reason in ("own_host", "private")


class TestClicksInTheTab:
    async def test_the_tab_api_shows_each_lines_click_count(self, database_url: str) -> None:
        async with live_stack(database_url) as stack:
            journey = await Journey.start(stack)
            await journey.create_deal()
            await journey.move_deal("SEARCH")
            _html, config = await journey.open_tab("card")
            first, second = config["lines"][0]["id"], config["lines"][1]["id"]
            entry = {"supplier": "Ali", "unit_price": "10", "currency": "CNY"}
            await journey.enter(config, first, {"status": "found", "supplier_url": TARGET, **entry})
            short = (await shorten(stack, [TARGET]))[TARGET]
            for _ in range(2):
                assert (await stack.http.get(short)).status_code == 302
            response = await stack.http.get(
                f"{config['api_base']}/lines", headers={"X-View-Token": config["view_token"]}
            )
        clicks = {line["id"]: line["clicks"] for line in response.json()["lines"]}
        assert clicks[first] == 2
        assert clicks[second] == 0
