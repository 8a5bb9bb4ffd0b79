"""Promo codes in a 1C ``type=catalog`` upload (our documented convention): a simulated 1C
base uploads import.xml and offers.xml; good codes land in the promo-code directory (and
``promo_codes.list`` reads them), a bad one is refused with its reason in the answer and
the archive while the others go through; a repeated upload changes nothing."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from app.core.models import ExchangeFeed
from automations.exchange import promo
from tests.e2e import exchange_steps as steps
from tests.e2e.harness import Stack, live_stack
from tests.e2e.onec_base import OneCBase, catalog_file, promo_xml

pytestmark = pytest.mark.e2e


@pytest.fixture
async def stack(database_url: str) -> AsyncIterator[Stack]:
    async with live_stack(database_url) as stack:
        await stack.install()
        await promo.provision(stack.deps.rest.for_portal(await steps.portal(stack)))
        yield stack


async def catalog_base(stack: Stack) -> OneCBase:
    node = await steps.add(stack, "УТ", kind="1c", direction="both")
    return OneCBase(stack.http, node, kind="catalog")


async def upload(onec: OneCBase, filename: str, body: bytes) -> str:
    assert (await onec.checkauth())[0] == "success"
    assert (await onec.get("init")).text.startswith("zip=no")
    assert all(a == "success\n" for a in await onec.upload(filename, body))
    return await onec.import_file(filename)


async def directory(stack: Stack) -> dict[str, dict[str, str | None]]:
    codes = await promo.read_promo_codes(stack.deps.rest.for_portal(await steps.portal(stack)))
    return {c.code: c.as_dict() for c in codes}


class TestCatalogUpload:
    async def test_codes_in_import_and_offers_fill_the_directory(self, stack: Stack) -> None:
        onec = await catalog_base(stack)
        first = await upload(onec, "import.xml", catalog_file(
            [promo_xml("WINTER", "10", "2026-12-01", "2026-12-31"), promo_xml("VIP", "7,5")]
        ))  # fmt: skip
        assert first.startswith("success") and "documents=2 refused=0" in first
        second = await upload(
            onec, "offers.xml", catalog_file([promo_xml("SPRING", "5")], offers=True)
        )
        assert second.startswith("success")
        assert (await onec.get("complete")).text.startswith("success")
        await stack.worker.run_until_idle()
        codes = await directory(stack)
        assert set(codes) == {"WINTER", "VIP", "SPRING"}
        assert codes["WINTER"] == {"code": "WINTER", "discount_percent": "10",
                                   "valid_from": "2026-12-01", "valid_to": "2026-12-31"}  # fmt: skip
        assert codes["VIP"]["discount_percent"] == "7.5"
        rpc = await steps.add(stack, "b2b")
        listed = (await rpc.call("promo_codes.list", {"valid_on": "2026-12-02"}))["result"]
        assert {c["code"] for c in listed["promo_codes"]} == {"WINTER", "VIP", "SPRING"}

    async def test_a_changed_code_updates_its_item_and_a_repeat_changes_nothing(
        self, stack: Stack
    ) -> None:
        onec = await catalog_base(stack)
        await upload(onec, "import.xml", catalog_file([promo_xml("WINTER", "10")]))
        await stack.worker.run_until_idle()
        await upload(onec, "import.xml", catalog_file([promo_xml("WINTER", "15")]))
        again = await upload(onec, "import.xml", catalog_file([promo_xml("WINTER", "15")]))
        assert "documents=1 refused=0" in again
        await stack.worker.run_until_idle()
        codes = await directory(stack)
        assert list(codes) == ["WINTER"] and codes["WINTER"]["discount_percent"] == "15"


class TestBadCodes:
    async def test_a_bad_code_is_refused_with_its_reason_and_the_others_go_through(
        self, stack: Stack
    ) -> None:
        onec = await catalog_base(stack)
        promos = [promo_xml("OK-1", "10"), promo_xml("TOO-MUCH", "150"),
                  promo_xml("BACKWARDS", "5", "2026-12-31", "2026-12-01"), promo_xml("OK-2", "3")]  # fmt: skip
        answer = await upload(onec, "import.xml", catalog_file(promos))
        assert answer.startswith("success") and "refused=2" in answer
        assert "TOO-MUCH" in answer and "discount_percent" in answer
        assert "BACKWARDS" in answer and "ДействуетС" in answer
        await stack.worker.run_until_idle()
        assert set(await directory(stack)) == {"OK-1", "OK-2"}
        async with stack.context.sessions() as session:
            feed = (await session.scalars(
                select(ExchangeFeed).where(ExchangeFeed.operation == "catalog file import.xml")
            )).one()  # fmt: skip
        refused = {r["external_id"]: r for r in feed.results if r["state"] == "refused"}
        assert set(refused) == {"TOO-MUCH", "BACKWARDS"}

    async def test_xml_that_does_not_parse_is_a_failure(self, stack: Stack) -> None:
        onec = await catalog_base(stack)
        answer = await upload(onec, "import.xml", b"<?xml version='1.0'?><broken")
        assert answer.startswith("failure") and "XML" in answer
