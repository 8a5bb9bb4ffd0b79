"""Kit definitions from admins' files: grouped, validated, every bad line named."""

from decimal import Decimal
from pathlib import Path

import pytest

from automations.kit_catalog import (
    KitFileError,
    definition_from_json,
    definition_to_json,
    load_kit_file,
)
from automations.pricing import MoneyDiscount, PercentDiscount, kit_price

CSV_HEADER = (
    "kit_product_id,product_id,name,quantity,price,tax_rate,discount_money,discount_percent\n"
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


class TestCsvKits:
    def test_lines_of_one_kit_group_into_a_definition_with_its_discount(
        self, tmp_path: Path
    ) -> None:
        path = write(
            tmp_path,
            "kits.csv",
            CSV_HEADER + "4,1,Фара,2,12500,,6300,\n4,2,Бампер,1,18900,,,\n"
            "4,3,Решётка,1,7400,,,\n9,1,Фара,1,12500,,,10\n",
        )
        kits = {kit.product_id: kit for kit in load_kit_file(path)}
        assert kits[4].discount == MoneyDiscount(Decimal(6300))
        assert kit_price(kits[4]) == Decimal(45000)
        assert kits[9].discount == PercentDiscount(Decimal(10))

    def test_every_bad_line_is_reported_with_its_number(self, tmp_path: Path) -> None:
        path = write(
            tmp_path,
            "kits.csv",
            CSV_HEADER + "4,1,Фара,two,12500,,,\n4,,Бампер,1,18900,,,\nx,3,Решётка,1,7400,,,\n",
        )
        with pytest.raises(KitFileError) as caught:
            load_kit_file(path)
        assert caught.value.problems == [
            "line 2: quantity must be a number, not 'two'",
            "line 3: missing product_id",
            "line 4: kit_product_id must be a positive whole number, not 'x'",
        ]

    def test_disagreeing_discounts_and_impossible_kits_are_refused(self, tmp_path: Path) -> None:
        path = write(
            tmp_path,
            "kits.csv",
            CSV_HEADER + "4,1,Фара,1,100,,10,\n4,2,Бампер,1,100,,20,\n5,1,Фара,1,100,,500,\n",
        )
        with pytest.raises(KitFileError) as caught:
            load_kit_file(path)
        assert caught.value.problems[0] == "line 2: kit 4 has different discounts on its lines"
        assert caught.value.problems[1].startswith("line 4: Kit 5: the discount 500 exceeds")

    def test_a_header_without_the_needed_columns_is_refused(self, tmp_path: Path) -> None:
        with pytest.raises(KitFileError, match="header lacks price"):
            load_kit_file(
                write(tmp_path, "kits.csv", "kit_product_id,product_id,name,quantity\n4,1,a,1\n")
            )


class TestYamlKits:
    def test_nested_kits_load_and_survive_the_json_cache(self, tmp_path: Path) -> None:
        path = write(
            tmp_path,
            "kits.yaml",
            """
kits:
  - product_id: 4
    discount_percent: "7.5"
    components:
      - {product_id: 1, name: Фара, quantity: 2, price: "12500"}
      - {product_id: 3, name: Решётка, quantity: "0.5", price: "7400", tax_rate: 20}
""",
        )
        (kit,) = load_kit_file(path)
        assert definition_from_json(definition_to_json(kit)) == kit
        assert kit.components[1].tax_rate == Decimal(20)

    def test_a_kit_without_components_is_named(self, tmp_path: Path) -> None:
        with pytest.raises(KitFileError) as caught:
            load_kit_file(write(tmp_path, "kits.yml", "kits:\n  - product_id: 4\n"))
        assert caught.value.problems == [
            "kits[0]: missing kit_product_id, product_id, name, quantity, price"
        ]

    def test_other_file_types_are_refused(self, tmp_path: Path) -> None:
        with pytest.raises(KitFileError, match=r"expected a \.csv"):
            load_kit_file(write(tmp_path, "kits.txt", "x"))
