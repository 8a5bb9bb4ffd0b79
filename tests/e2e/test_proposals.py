"""Proposals end to end: a deal brought to FOUND in the sandbox portal, its КП made, the PDF
read back from the deal's timeline, the public page and the versions."""

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.core.models import Proposal, ShortLink
from automations.proposals.formats import money
from automations.proposals.making import Made
from automations.proposals.rules import Problem
from tests.e2e.harness import live_stack
from tests.e2e.procurement_steps import Journey
from tests.e2e.proposal_steps import (
    EXPECTED,
    PRICES,
    configure,
    deal_at_found,
    make,
    pdf_text,
    timeline,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
async def journey(database_url: str) -> AsyncIterator[Journey]:
    async with live_stack(database_url) as stack:
        journey = await Journey.start(stack)
        await configure(journey)
        yield journey


async def stored_counts(journey: Journey) -> tuple[int, int]:
    async with journey.stack.context.sessions() as session:
        proposals = await session.scalar(select(func.count()).select_from(Proposal))
        links = await session.scalar(select(func.count()).select_from(ShortLink))
    return int(proposals or 0), int(links or 0)


class TestProposal:
    async def test_the_pdf_is_attached_with_every_found_line_the_prices_and_the_total(
        self, journey: Journey
    ) -> None:
        await deal_at_found(journey, PRICES)
        made = await make(journey)
        assert isinstance(made, Made), made
        assert made.version == 1
        [comment] = await timeline(journey)
        assert made.url in comment["comment"]
        [attached] = comment["files"]
        assert attached["name"] == f"KP-{journey.deal_id}-1.pdf"
        text = pdf_text(attached["content"]).replace("\xa0", " ")
        for name in ("Фара передняя левая", "Бампер передний", "Доставка"):
            assert name in text
        for amount in EXPECTED.values():
            assert money(Decimal(amount)).replace("\xa0", " ") in text
        assert "1 CNY = 12,45 ₽" in text and "1 USD = 92,10 ₽" in text
        assert "Стр. 1 из 1" in text
        deal = await journey.deal()
        assert deal[journey.values["deal_proposal_link_field"]] == made.url

    async def test_the_public_page_shows_the_proposal_with_a_pdf_link(
        self, journey: Journey
    ) -> None:
        await deal_at_found(journey, PRICES)
        made = await make(journey, "regular")
        assert isinstance(made, Made), made
        page = await journey.stack.http.get(made.url)
        assert page.status_code == 200
        assert "Скачать PDF" in page.text and made.pdf_url in page.text
        assert "что снова с нами" in page.text
        assert money(Decimal(EXPECTED["total"])) in page.text
        assert f"{journey.stack.app_url}/s/" in page.text
        pdf = await journey.stack.http.get(made.pdf_url)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        missing = await journey.stack.http.get(made.url[:-3] + "zzz")
        assert missing.status_code == 404 and "Такого КП нет" in missing.text

    async def test_the_same_deal_twice_is_the_same_version_and_a_change_is_the_next(
        self, journey: Journey
    ) -> None:
        lines = await deal_at_found(journey, PRICES)
        first = await make(journey)
        again = await make(journey)
        assert isinstance(first, Made) and isinstance(again, Made)
        assert (again.version, again.url, again.new) == (1, first.url, False)
        assert len(await timeline(journey)) == 1
        _html, config = await journey.open_tab("card")
        await journey.enter(config, lines[0]["id"], {"unit_price": "300.00"})
        second = await make(journey)
        assert isinstance(second, Made) and second.version == 2 and second.url != first.url
        old = await journey.stack.http.get(first.url)
        assert "№ " + f"{journey.deal_id}-1" in old.text and money(Decimal("7731.46")) in old.text
        assert len(await timeline(journey)) == 2


class TestRefusals:
    async def test_a_deal_without_found_lines_makes_nothing(self, journey: Journey) -> None:
        await journey.create_deal()
        await journey.move_deal("SEARCH")
        problem = await make(journey)
        assert isinstance(problem, Problem) and problem.key == "no_found_lines"
        assert await stored_counts(journey) == (0, 0)
        assert await timeline(journey) == []

    async def test_a_missing_rate_makes_nothing(self, journey: Journey) -> None:
        await configure(journey, rates={"CNY": "12.45"})
        await deal_at_found(journey, PRICES)
        problem = await make(journey)
        assert problem == Problem("rate_missing", {"currency": "USD", "line": "Бампер передний"})
        assert await stored_counts(journey) == (0, 0)
        assert await timeline(journey) == []

    @pytest.mark.parametrize(
        "source",
        ["{{ c.no_such_field }}", "{% for %}", "{{ c.__class__.__mro__ }}", "{{ 1 / 0 }}"],
    )
    async def test_a_template_that_fails_makes_nothing(self, journey: Journey, source: str) -> None:
        await configure(journey, templates={"new": source})
        await deal_at_found(journey, PRICES)
        problem = await make(journey)
        assert isinstance(problem, Problem) and problem.key == "template_failed"
        assert await stored_counts(journey) == (0, 0)
        assert await timeline(journey) == []
