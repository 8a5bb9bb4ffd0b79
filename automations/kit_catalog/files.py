"""Kit definitions from an admin's CSV or YAML file, validated with per-line errors.

CSV: one line per component, with a header::

    kit_product_id,product_id,name,quantity,price,tax_rate,discount_money,discount_percent
    4,1,Фара передняя левая,2,12500,,4500,

``price`` is the component's unit price before discount, including tax; the kit discount
(``discount_money`` per kit, or ``discount_percent``) may be on any line of the kit and must
agree where repeated. YAML: ``kits: [{product_id, discount_money | discount_percent,
components: [{product_id, name, quantity, price, tax_rate}]}]``. Every problem is reported
with its place ("line 3: …", "kits[1].components[0]: …"); nothing loads unless all is valid.
"""

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from automations.pricing import (
    KitComponent,
    KitDefinition,
    MoneyDiscount,
    PercentDiscount,
    find_kit_problem,
)
from automations.pricing.row_prices import Discount

CSV_COLUMNS = ("kit_product_id", "product_id", "name", "quantity", "price")


class KitFileError(ValueError):
    """The file is not a valid set of kit definitions; ``problems`` lists every place."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class _KitDraft:
    components: list[KitComponent] = field(default_factory=list)
    discounts: set[tuple[str, Decimal]] = field(default_factory=set)
    where: str = ""


def load_kit_file(path: Path) -> tuple[KitDefinition, ...]:
    """Parse a ``.csv``, ``.yaml`` or ``.yml`` file; raises KitFileError listing every problem."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".csv":
        return parse_kit_records(_csv_records(text))
    if path.suffix.lower() in (".yaml", ".yml"):
        return parse_kit_records(_yaml_records(text))
    raise KitFileError([f"{path.name}: expected a .csv, .yaml or .yml file"])


def parse_kit_records(
    records: Iterable[tuple[str, Mapping[str, Any]]],
) -> tuple[KitDefinition, ...]:
    """Flat component records (place, fields) grouped into validated kit definitions."""
    drafts: dict[int, _KitDraft] = {}
    problems: list[str] = []
    for where, record in records:
        try:
            kit_id, component, discount = _parse_record(record)
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
            continue
        draft = drafts.setdefault(kit_id, _KitDraft(where=where))
        draft.components.append(component)
        draft.discounts |= {discount} if discount else set()
    kits = [_finish(kit_id, draft, problems) for kit_id, draft in drafts.items()]
    if not drafts and not problems:
        problems.append("the file defines no kits")
    if problems:
        raise KitFileError(problems)
    return tuple(kit for kit in kits if kit is not None)


def _finish(kit_id: int, draft: _KitDraft, problems: list[str]) -> KitDefinition | None:
    if len(draft.discounts) > 1:
        problems.append(f"{draft.where}: kit {kit_id} has different discounts on its lines")
        return None
    kind, amount = next(iter(draft.discounts), ("money", Decimal(0)))
    discount: Discount = PercentDiscount(amount) if kind == "percent" else MoneyDiscount(amount)
    kit = KitDefinition(product_id=kit_id, components=tuple(draft.components), discount=discount)
    refusal = find_kit_problem(kit)
    if refusal is not None:
        problems.append(f"{draft.where}: {refusal.message_en}")
        return None
    return kit


def _parse_record(
    record: Mapping[str, Any],
) -> tuple[int, KitComponent, tuple[str, Decimal] | None]:
    missing = [name for name in CSV_COLUMNS if record.get(name) in (None, "")]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    tax = record.get("tax_rate")
    component = KitComponent(
        product_id=_positive_int(record, "product_id"),
        name=str(record["name"]).strip(),
        quantity=_decimal(record, "quantity"),
        price_brutto=_decimal(record, "price"),
        tax_rate=None if tax in (None, "") else _decimal(record, "tax_rate"),
    )
    return _positive_int(record, "kit_product_id"), component, _discount(record)


def _discount(record: Mapping[str, Any]) -> tuple[str, Decimal] | None:
    money, percent = record.get("discount_money"), record.get("discount_percent")
    if money not in (None, "") and percent not in (None, ""):
        raise ValueError("give discount_money or discount_percent, not both")
    if money not in (None, ""):
        return ("money", _decimal(record, "discount_money"))
    if percent not in (None, ""):
        return ("percent", _decimal(record, "discount_percent"))
    return None


def _positive_int(record: Mapping[str, Any], name: str) -> int:
    text = str(record[name]).strip()
    if not text.isdigit() or int(text) <= 0:
        raise ValueError(f"{name} must be a positive whole number, not {text!r}")
    return int(text)


def _decimal(record: Mapping[str, Any], name: str) -> Decimal:
    text = str(record[name]).strip().replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{name} must be a number, not {text!r}") from None
    if not value.is_finite():
        raise ValueError(f"{name} must be a number, not {text!r}")
    return value


def _csv_records(text: str) -> list[tuple[str, Mapping[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text))
    absent = [name for name in CSV_COLUMNS if name not in (reader.fieldnames or [])]
    if absent:
        raise KitFileError([f"line 1: the header lacks {', '.join(absent)}"])
    return [
        (f"line {reader.line_num}", row)
        for row in reader
        if any((v or "").strip() for v in row.values())
    ]


def _yaml_records(text: str) -> list[tuple[str, Mapping[str, Any]]]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise KitFileError([f"not valid YAML: {exc}"]) from None
    kits = data.get("kits") if isinstance(data, dict) else None
    if not isinstance(kits, list):
        raise KitFileError(["the YAML must have a top-level 'kits' list"])
    return [record for index, kit in enumerate(kits) for record in _yaml_kit(index, kit)]


def _yaml_kit(index: int, kit: Any) -> list[tuple[str, Mapping[str, Any]]]:
    if (
        not isinstance(kit, dict)
        or not isinstance(kit.get("components"), list)
        or not kit["components"]
    ):
        return [(f"kits[{index}]", {})]
    shared = {
        "kit_product_id": kit.get("product_id"),
        "discount_money": kit.get("discount_money"),
        "discount_percent": kit.get("discount_percent"),
    }
    return [
        (f"kits[{index}].components[{position}]", {**(c if isinstance(c, dict) else {}), **shared})
        for position, c in enumerate(kit["components"])
    ]
