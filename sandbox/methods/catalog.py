"""``crm.product.*`` / ``crm.productsection.list``: a small read-only catalog (TYPE 1 simple,
2 bundle/kit, 7 service; §11.2)."""

from typing import Any

from sandbox.calls import Call, method, to_int
from sandbox.envelope import Page
from sandbox.errors import legacy_error
from sandbox.fields import as_legacy, to_upper
from sandbox.listing import apply_filter, apply_order, paginate, select_fields


@method("crm.product.list")
def product_list(call: Call) -> Page:
    records = apply_filter(call.store.products.values(), call.dict_param("filter"), to_upper)
    records = apply_order(records, call.dict_param("order"), to_upper)
    page = paginate(records, call.param("start"))
    select = call.param("select")
    rows = [as_legacy(select_fields(r, select, to_upper), call.offset) for r in page.result]
    return Page(rows, page.total, page.next)


@method("crm.product.get")
def product_get(call: Call) -> dict[str, Any]:
    product = call.store.products.get(to_int(call.param("id"), 0) or 0)
    if product is None:
        raise legacy_error("Product is not found.")
    return as_legacy(product, call.offset)


@method("crm.productsection.list")
def section_list(call: Call) -> Page:
    records = apply_filter(call.store.sections.values(), call.dict_param("filter"), to_upper)
    page = paginate(records, call.param("start"))
    return Page([as_legacy(r, call.offset) for r in page.result], page.total, page.next)
