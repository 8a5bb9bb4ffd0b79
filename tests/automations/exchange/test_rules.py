"""Pure rules of the exchange core: documents, the cross-node key, rows, credentials."""

from decimal import Decimal

import pytest
from pydantic import ValidationError

from automations.exchange import credentials
from automations.exchange.documents import OrderDocument, dedupe_key, error_paths
from automations.exchange.rules import (
    Catalog,
    DealPlace,
    applied_hash,
    deal_fields,
    order_lines,
    product_rows,
    responsible,
    rows_total,
    unknown_products,
)

ROWS = [
    {"code": "g1#c7", "article": "A-1", "name": "Фара", "price": "0.10", "quantity": "3"},
    {"code": "g2", "article": "A-2", "name": "Бампер", "price": "18900", "quantity": "1.5"},
]


def order(**changes: object) -> OrderDocument:
    base = {"external_id": "e1", "number": "N-1", "date": "2026-12-01", "rows": ROWS}
    return OrderDocument.model_validate(base | changes)


class TestDocuments:
    def test_money_stays_exact(self) -> None:
        assert rows_total(order()) == Decimal("28350.30")

    def test_a_float_price_is_kept_exact_as_given(self) -> None:
        rows = [ROWS[0] | {"price": 0.1}]
        assert order(rows=rows).rows[0].price == Decimal("0.1")

    def test_refusals_name_every_field_path(self) -> None:
        with pytest.raises(ValidationError) as caught:
            OrderDocument.model_validate({"number": "1", "date": "2026-13-01", "rows": [{}]})
        fields = {e["field"] for e in error_paths(caught.value)}
        assert {"external_id", "date", "rows.0.code", "rows.0.price"} <= fields

    def test_an_inn_must_have_ten_or_twelve_digits(self) -> None:
        with pytest.raises(ValidationError):
            order(counterparty={"name": "ООО", "inn": "12345"})


class TestDedupeKey:
    def test_the_site_number_and_date_decide_across_nodes(self) -> None:
        first = order(site_number="S-1", number="УТ-1", external_id="a")
        second = order(site_number="S-1", number="КА-9", external_id="b")
        assert dedupe_key(first, rule="site_or_number", node_id=1) == dedupe_key(
            second, rule="site_or_number", node_id=2
        )

    def test_without_a_site_number_the_counterparty_joins_number_and_date(self) -> None:
        one = order(counterparty={"name": "Иван", "phone": "+7999"})
        other = order(counterparty={"name": "Пётр", "phone": "+7888"})
        assert dedupe_key(one, rule="site_or_number", node_id=1) != dedupe_key(
            other, rule="site_or_number", node_id=1
        )
        assert dedupe_key(one, rule="number_date", node_id=1) == dedupe_key(
            other, rule="number_date", node_id=2
        )

    def test_the_external_id_rule_never_joins_nodes(self) -> None:
        assert dedupe_key(order(), rule="external_id", node_id=1) != dedupe_key(
            order(), rule="external_id", node_id=2
        )

    def test_the_applied_content_ignores_the_node_s_own_id_and_number(self) -> None:
        assert applied_hash(order(external_id="x", number="1")) == applied_hash(
            order(external_id="y", number="2")
        )
        assert applied_hash(order()) != applied_hash(order(comment="другое"))


class TestRows:
    def test_a_characteristic_falls_back_to_the_item_and_then_the_article(self) -> None:
        catalog = Catalog(by_xml_id={"g1": 11}, by_code={"A-2": 22})
        rows = product_rows(order_lines(order(), catalog))
        assert [r["PRODUCT_ID"] for r in rows] == [11, 22]
        assert rows[0]["PRICE"] == "0.10" and rows[1]["QUANTITY"] == "1.5"
        assert unknown_products(order(), catalog) == []

    def test_unknown_products_are_listed_by_code(self) -> None:
        assert unknown_products(order(), Catalog({}, {})) == ["g1#c7", "g2"]

    def test_properties_map_to_deal_fields_and_unknown_ones_do_not(self) -> None:
        document = order(properties={"Номер бонусной карты": "BC", "Цвет": "красный"})
        fields = deal_fields(document, DealPlace(3, 2, {"Цвет": "UF_CRM_COLOR"}), origin_id="o")
        assert fields["UF_CRM_B24B_BONUS_CARD"] == "BC" and fields["UF_CRM_COLOR"] == "красный"
        assert fields["CATEGORY_ID"] == 3 and fields["ORIGIN_ID"] == "o"
        assert "MYCOMPANY_ID" not in fields
        mine = deal_fields(document, DealPlace(None, None, my_company_id=9), origin_id="o")
        assert mine["MYCOMPANY_ID"] == 9


class TestResponsible:
    def test_an_unknown_code_falls_back_and_says_so(self) -> None:
        chosen = responsible(order(responsible_code="42"), None, 7)
        assert chosen.user_id == 7 and "«42» не найден" in chosen.note

    def test_a_found_code_wins_silently(self) -> None:
        assert responsible(order(responsible_code="42"), 5, 7) == responsible(order(), 5, 5)


class TestCredentials:
    def test_only_the_right_secret_verifies(self) -> None:
        stored = credentials.hash_secret("s3cret")
        assert "s3cret" not in stored
        assert credentials.verify_secret("s3cret", stored)
        assert not credentials.verify_secret("s3cret!", stored)
        assert not credentials.verify_secret("s3cret", "plain")
