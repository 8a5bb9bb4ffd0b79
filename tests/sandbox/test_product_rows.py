"""Product rows: §11.3 arithmetic against DOC examples A-D, set replaces rows with new ids,
OPPORTUNITY follows the rows."""

from decimal import Decimal

import httpx
import pytest

from sandbox.product_rows import compute_prices


class TestArithmetic:
    @pytest.mark.parametrize(
        ("price", "rate", "tax", "expected"),
        [
            (
                "80000",
                "20",
                "20",
                {
                    "PRICE_EXCLUSIVE": "66666.67",
                    "PRICE_NETTO": "83333.34",
                    "PRICE_BRUTTO": "100000.01",
                    "DISCOUNT_SUM": "16666.67",
                },
            ),
            (
                "90000",
                "10",
                "10",
                {
                    "PRICE_EXCLUSIVE": "81818.18",
                    "PRICE_NETTO": "90909.09",
                    "PRICE_BRUTTO": "100000.00",
                    "DISCOUNT_SUM": "9090.91",
                },
            ),
            (
                "22175.328",
                "40",
                "12",
                {
                    "PRICE_EXCLUSIVE": "19799.40",
                    "PRICE_NETTO": "32999.00",
                    "PRICE_BRUTTO": "36958.88",
                    "DISCOUNT_SUM": "13199.60",
                },
            ),
            (
                "899.1",
                "10",
                "0",
                {
                    "PRICE_EXCLUSIVE": "899.10",
                    "PRICE_NETTO": "999.00",
                    "PRICE_BRUTTO": "999.00",
                    "DISCOUNT_SUM": "99.90",
                },
            ),
        ],
        ids=["A", "B", "C", "D"],
    )
    def test_doc_examples_to_the_cent(
        self, price: str, rate: str, tax: str, expected: dict[str, str]
    ) -> None:
        prices = compute_prices(
            Decimal(price), discount_type=2, rate=Decimal(rate), discount_sum=None, tax=Decimal(tax)
        )
        assert {k: str(prices[k]) for k in expected} == expected

    def test_money_discount_keeps_the_sum_per_unit(self) -> None:
        prices = compute_prices(
            Decimal("900"),
            discount_type=1,
            rate=Decimal(0),
            discount_sum=Decimal("100"),
            tax=Decimal(0),
        )
        assert (prices["PRICE_NETTO"], prices["DISCOUNT_SUM"], prices["DISCOUNT_RATE"]) == (
            Decimal("1000"),
            Decimal("100"),
            Decimal("10.00"),
        )


class TestRowsOverRest:
    async def test_example_a_through_crm_item_productrow_add(
        self, client: httpx.AsyncClient, webhook: str
    ) -> None:
        fields = {
            "ownerType": "D",
            "ownerId": 1,
            "productName": "A",
            "price": 80000,
            "discountTypeId": 2,
            "discountRate": 20,
            "taxRate": 20,
            "taxIncluded": "Y",
        }
        row = (
            await client.post(f"{webhook}crm.item.productrow.add", json={"fields": fields})
        ).json()["result"]["productRow"]
        assert (
            row["priceExclusive"],
            row["priceNetto"],
            row["priceBrutto"],
            row["discountSum"],
        ) == (66666.67, 83333.34, 100000.01, 16666.67)

    async def test_set_replaces_all_rows_with_new_ids_and_recomputes_opportunity(
        self, client: httpx.AsyncClient, webhook: str
    ) -> None:
        before = [
            r["ID"]
            for r in (
                await client.post(f"{webhook}crm.deal.productrows.get", json={"id": 1})
            ).json()["result"]
        ]
        rows = [
            {"PRODUCT_NAME": "X", "PRICE": 100.5, "QUANTITY": 3},
            {"PRODUCT_ID": 5, "PRICE": 3000, "QUANTITY": 1},
        ]
        assert (
            await client.post(f"{webhook}crm.deal.productrows.set", json={"id": 1, "rows": rows})
        ).json()["result"] is True
        after = (await client.post(f"{webhook}crm.deal.productrows.get", json={"id": 1})).json()[
            "result"
        ]
        assert len(after) == 2 and not {r["ID"] for r in after} & set(before)
        assert after[1]["PRODUCT_NAME"] == "Доставка" and after[1]["TYPE"] == 7
        deal = (await client.post(f"{webhook}crm.deal.get", json={"id": 1})).json()["result"]
        assert deal["OPPORTUNITY"] == "3301.50"

    async def test_manual_opportunity_is_not_recomputed(
        self, client: httpx.AsyncClient, webhook: str
    ) -> None:
        await client.post(
            f"{webhook}crm.deal.update",
            json={"id": 1, "fields": {"IS_MANUAL_OPPORTUNITY": "Y", "OPPORTUNITY": 5}},
        )
        await client.post(
            f"{webhook}crm.deal.productrows.set",
            json={"id": 1, "rows": [{"PRODUCT_NAME": "X", "PRICE": 100}]},
        )
        deal = (await client.post(f"{webhook}crm.deal.get", json={"id": 1})).json()["result"]
        assert deal["OPPORTUNITY"] == "5.00"

    async def test_productrow_list_requires_owner_and_legacy_money_discount_requires_sum(
        self, client: httpx.AsyncClient, webhook: str
    ) -> None:
        listed = await client.post(f"{webhook}crm.item.productrow.list", json={"filter": {}})
        assert (listed.status_code, listed.json()["error"]) == (400, "100")
        bad = await client.post(
            f"{webhook}crm.deal.productrows.set",
            json={"id": 1, "rows": [{"PRICE": 1, "DISCOUNT_TYPE_ID": 1}]},
        )
        assert (bad.status_code, bad.json()["error"]) == (400, "ERROR_CORE")
