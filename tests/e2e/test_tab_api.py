"""The tab's JSON API on the live stack: what an entry needs for its status, in the buyer's
language (PRODUCT.md §3.5, rule 2)."""

from collections.abc import AsyncIterator
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from app.web.frame.view_token import issue, verify
from tests.e2e.harness import live_stack
from tests.e2e.procurement_steps import Journey

pytestmark = pytest.mark.e2e


@pytest.fixture
async def journey(database_url: str) -> AsyncIterator[Journey]:
    async with live_stack(database_url) as stack:
        journey = await Journey.start(stack)
        await journey.create_deal()
        await journey.move_deal("SEARCH")
        yield journey


def english(journey: Journey, config: dict[str, Any]) -> dict[str, Any]:
    """The same tab as an English portal's user would get it (the sandbox always sends ru)."""
    secret = journey.stack.context.settings.secret_key.get_secret_value()
    claims = replace(verify(config["view_token"], secret, now=0), lang="en")
    return {**config, "view_token": issue(claims, secret)}


async def patch(
    journey: Journey, config: dict[str, Any], line_id: int, body: dict[str, Any]
) -> Any:
    return await journey.stack.http.patch(
        f"{config['api_base']}/lines/{line_id}",
        json=body,
        headers={"X-View-Token": config["view_token"]},
    )


class TestWhatAStatusNeeds:
    @pytest.mark.parametrize(
        ("body", "reason"),
        [
            (
                {"status": "found", "supplier": "Guangzhou", "currency": "CNY"},
                "Для статуса «найден» укажите цену за единицу, например 310,50",
            ),
            (
                {"status": "found", "unit_price": "310.50", "currency": "CNY"},
                "Для статуса «найден» заполните поле «Поставщик»",
            ),
            (
                {"status": "found", "supplier": "Guangzhou", "unit_price": "310.50"},
                "Для статуса «найден» укажите валюту цены, например CNY или RUB",
            ),
            (
                {"status": "replacement"},
                "Для статуса «замена» заполните поле «Чем заменили»",
            ),
        ],
    )
    async def test_an_incomplete_entry_is_refused_with_the_reason_and_nothing_is_saved(
        self, journey: Journey, body: dict[str, Any], reason: str
    ) -> None:
        _html, config = await journey.open_tab("card")
        line_id = config["lines"][0]["id"]
        response = await patch(journey, config, line_id, body)
        assert response.status_code == 400
        assert response.json()["error_description"] == reason
        first = (await journey.lines())[0]
        assert (first.status, first.supplier, first.unit_price) == ("pending", "", None)

    async def test_an_english_portal_reads_the_reason_in_english(self, journey: Journey) -> None:
        _html, config = await journey.open_tab("card")
        response = await patch(
            journey, english(journey, config), config["lines"][0]["id"], {"status": "found"}
        )
        assert response.status_code == 400
        assert response.json()["error_description"] == (
            "The status «found» needs the «Supplier» field filled in"
        )

    async def test_a_complete_found_entry_is_saved(self, journey: Journey) -> None:
        _html, config = await journey.open_tab("card")
        body = {
            "status": "found",
            "supplier": "Guangzhou",
            "unit_price": "310,5",
            "currency": "CNY",
        }
        response = await patch(journey, config, config["lines"][0]["id"], body)
        assert response.status_code == 200, response.text
        first = (await journey.lines())[0]
        assert (first.status, first.supplier, first.unit_price) == (
            "found",
            "Guangzhou",
            Decimal("310.50"),
        )
