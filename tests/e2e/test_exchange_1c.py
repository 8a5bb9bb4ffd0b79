"""The 1C door by the protocol: three simulated bases upload orders (two send the same
order) → one deal; a bad document is refused while the rest go through; the deal's change
is downloaded by the base it belongs to, once; wrong credentials store nothing."""

from collections.abc import AsyncIterator

import pytest
from defusedxml import ElementTree
from sqlalchemy import select

from app.core.models import ExchangeFeed
from tests.e2e import exchange_steps as steps
from tests.e2e.harness import Stack, live_stack
from tests.e2e.onec_base import OneCBase, commerce_file, order_xml

pytestmark = pytest.mark.e2e
ROWS = [("demo-product-1", "Фара передняя левая", "12500.00", "2"),
        ("demo-product-2", "Бампер передний", "18900.00", "1")]  # fmt: skip


@pytest.fixture
async def stack(database_url: str) -> AsyncIterator[Stack]:
    async with live_stack(database_url) as stack:
        await stack.install()
        yield stack


async def base(stack: Stack, name: str, direction: str) -> OneCBase:
    node = await steps.add(stack, name, kind="1c", direction=direction)
    return OneCBase(stack.http, node)


def documents_of(xml: bytes) -> list[dict[str, str]]:
    root = ElementTree.fromstring(xml)
    return [{child.tag: (child.text or "") for child in doc} for doc in root.iter("Документ")]


class TestThreeBases:
    async def test_the_same_order_from_two_bases_is_one_deal_and_changes_go_once(
        self, stack: Stack
    ) -> None:
        moscow, kazan = (
            await base(stack, "УТ Москва", "both"),
            await base(stack, "УНФ Казань", "in"),
        )
        piter = await base(stack, "КА Питер", "both")
        before = len(await steps.deals(stack))
        shared = order_xml(
            "guid-m-1", "М-0001", site_number="S-500", rows=ROWS, responsible="000102"
        )
        broken = order_xml("guid-m-2", "", site_number="S-501", rows=ROWS)
        answer = await moscow.exchange_orders("C:\\v8_8789_c.xml", commerce_file([shared, broken]))
        assert answer.startswith("success\ndocuments=2 refused=1"), answer
        assert "guid-m-2" in answer and "number" in answer
        same = order_xml("guid-k-9", "К-0077", site_number="S-500", rows=ROWS)
        assert (await kazan.exchange_orders("documents___k.xml", commerce_file([same]))).startswith(
            "success"
        )
        other = order_xml("guid-p-3", "П-0003", site_number="S-900", rows=ROWS[:1])
        cp1251 = commerce_file([other], encoding="windows-1251")
        assert (await piter.exchange_orders("v8_1.xml", cp1251)).startswith("success")
        await stack.settle()
        deals = await steps.deals(stack)
        assert len(deals) == before + 2
        shared_deal = next(d for d in deals if d["TITLE"] == "Заказ S-500 от 2026-12-01")
        assert shared_deal["OPPORTUNITY"] == "43900.00"
        assert shared_deal["UF_CRM_B24B_BONUS_CARD"] == "BC-1"
        assert shared_deal["ASSIGNED_BY_ID"] == "2"  # by the employee code

        await stack.act(
            "crm.deal.update", {"id": shared_deal["ID"], "fields": {"STAGE_ID": "EXECUTING"}}
        )
        await stack.settle()
        query = await moscow.get("query")
        assert query.headers["content-type"].startswith("application/xml")
        assert not query.content.startswith(b"\xef\xbb\xbf")
        [document] = documents_of(query.content)
        assert document["Ид"] == "guid-m-1" and document["Сумма"] == "43900"
        assert (await moscow.get("success")).text == "success\n"
        assert documents_of((await moscow.get("query")).content) == []
        assert documents_of((await piter.get("query")).content) == []
        assert documents_of((await kazan.get("query")).content) == []

    async def test_a_repeated_upload_changes_nothing(self, stack: Stack) -> None:
        moscow = await base(stack, "УТ Москва", "both")
        body = commerce_file([order_xml("guid-1", "М-1", site_number="S-1", rows=ROWS)])
        await moscow.exchange_orders("a.xml", body)
        await stack.settle()
        before = await steps.deals(stack)
        await moscow.exchange_orders("a.xml", body)
        await stack.settle()
        assert await steps.deals(stack) == before


class TestBadInput:
    async def test_wrong_credentials_get_failure_and_store_nothing(self, stack: Stack) -> None:
        moscow = await base(stack, "УТ Москва", "both")
        lines = await moscow.checkauth(password="wrong")
        assert lines[0] == "failure" and "логин" in lines[1]
        response = await moscow.http.post("/exchange/1c", params={"type": "sale", "mode": "file",
                                          "filename": "a.xml"}, content=b"<x/>")  # fmt: skip
        assert response.text.startswith("failure")

    async def test_xml_that_does_not_parse_is_a_failure_with_the_reason(self, stack: Stack) -> None:
        moscow = await base(stack, "УТ Москва", "both")
        answer = await moscow.exchange_orders("bad.xml", b"<?xml version='1.0'?><a><b></a>")
        assert answer.startswith("failure\nXML не разобран"), answer

    async def test_entities_are_refused(self, stack: Stack) -> None:
        moscow = await base(stack, "УТ Москва", "both")
        bomb = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'
        assert (await moscow.exchange_orders("bomb.xml", bomb)).startswith("failure")

    async def test_a_path_in_the_filename_is_refused(self, stack: Stack) -> None:
        moscow = await base(stack, "УТ Москва", "both")
        await moscow.checkauth()
        response = await moscow.http.post(
            "/exchange/1c", params={"type": "sale", "mode": "file", "filename": "../../etc/x",
                                    "sessid": moscow.sessid}, content=b"<x/>",
        )  # fmt: skip
        assert response.content.decode("cp1251").startswith("failure\nНедопустимое имя")


class TestBigFile:
    async def test_import_answers_progress_until_every_document_is_stored(
        self, stack: Stack
    ) -> None:
        moscow = await base(stack, "УТ Москва", "in")
        rows = ROWS[:1]
        documents = [
            order_xml(f"g-{n}", str(n), site_number=f"B-{n}", rows=rows) for n in range(201)
        ]
        assert (await moscow.checkauth())[0] == "success"
        await moscow.get("init", version="2.08")
        await moscow.upload("big.xml", commerce_file(documents), parts=3)
        first = (await moscow.get("import", filename="big.xml")).content.decode("cp1251")
        assert first == "progress\nimported 200 of 201\n"
        assert (await moscow.import_file("big.xml")) == "success\ndocuments=201 refused=0\n"
        async with stack.context.sessions() as session:
            feeds = list(
                await session.scalars(select(ExchangeFeed).where(ExchangeFeed.door == "1c"))
            )
        assert [len(feed.results) for feed in feeds] == [201]  # one archive row for the file
