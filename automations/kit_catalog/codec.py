"""A `KitDefinition` as JSON for the ``kits`` table: decimals kept as strings, exactly."""

from decimal import Decimal
from typing import Any

from automations.pricing import KitComponent, KitDefinition, Measure, MoneyDiscount, PercentDiscount


def definition_to_json(kit: KitDefinition) -> dict[str, Any]:
    discount = kit.discount
    return {
        "product_id": kit.product_id,
        "discount": (
            {"money": str(discount.amount)}
            if isinstance(discount, MoneyDiscount)
            else {"percent": str(discount.rate)}
        ),
        "components": [_component_to_json(c) for c in kit.components],
    }


def definition_from_json(data: dict[str, Any]) -> KitDefinition:
    discount = data.get("discount") or {}
    return KitDefinition(
        product_id=int(data["product_id"]),
        components=tuple(_component_from_json(c) for c in data.get("components") or []),
        discount=(
            PercentDiscount(Decimal(discount["percent"]))
            if "percent" in discount
            else MoneyDiscount(Decimal(discount.get("money", "0")))
        ),
    )


def _component_to_json(component: KitComponent) -> dict[str, Any]:
    return {
        "product_id": component.product_id,
        "name": component.name,
        "quantity": str(component.quantity),
        "price_brutto": str(component.price_brutto),
        "tax_rate": None if component.tax_rate is None else str(component.tax_rate),
        "tax_included": component.tax_included,
        "measure": (
            None
            if component.measure is None
            else {"code": component.measure.code, "name": component.measure.name}
        ),
    }


def _component_from_json(data: dict[str, Any]) -> KitComponent:
    measure = data.get("measure")
    tax = data.get("tax_rate")
    return KitComponent(
        product_id=int(data["product_id"]),
        name=str(data.get("name") or ""),
        quantity=Decimal(data["quantity"]),
        price_brutto=Decimal(data["price_brutto"]),
        tax_rate=None if tax is None else Decimal(tax),
        tax_included=bool(data.get("tax_included")),
        measure=None if not measure else Measure(int(measure["code"]), str(measure["name"])),
    )
