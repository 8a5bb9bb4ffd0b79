"""The connector's ``RowValues`` ⇄ the pricing rules' ``ProductRow`` (both snake_case)."""

from automations.pricing import DiscountType, Measure, ProductRow
from connectors.crm.product_rows import RowValues


def to_product_row(values: RowValues) -> ProductRow:
    measure = Measure(values.measure_code, values.measure_name) if values.measure_code else None
    return ProductRow(
        product_id=values.product_id,
        name=values.name,
        price_brutto=values.price_brutto,
        price=values.price,
        quantity=values.quantity,
        tax_rate=values.tax_rate,
        tax_included=values.tax_included,
        discount_type=DiscountType(
            values.discount_type_id if values.discount_type_id in (1, 2) else 2
        ),
        discount_sum=values.discount_sum,
        discount_rate=values.discount_rate,
        measure=measure,
        sort=values.sort,
        is_bundle=values.is_bundle,
    )


def to_row_values(row: ProductRow) -> RowValues:
    return RowValues(
        product_id=row.product_id,
        name=row.name,
        price=row.price,
        price_brutto=row.price_brutto,
        quantity=row.quantity,
        discount_type_id=int(row.discount_type),
        discount_rate=row.discount_rate,
        discount_sum=row.discount_sum,
        tax_rate=row.tax_rate,
        tax_included=row.tax_included,
        measure_code=None if row.measure is None else row.measure.code,
        measure_name="" if row.measure is None else row.measure.name,
        sort=row.sort,
        is_bundle=row.is_bundle,
    )
