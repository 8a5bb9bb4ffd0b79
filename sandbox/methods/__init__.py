"""REST method handlers by family; importing this package registers all of them."""

from sandbox.methods import (
    app_context,
    bizproc,
    catalog,
    crm_contact,
    crm_deal,
    crm_item,
    crm_rows,
    crm_types,
    events_api,
    placement,
    system,
    tasks,
    user_fields,
    work,
)

__all__ = [
    "app_context",
    "bizproc",
    "catalog",
    "crm_contact",
    "crm_deal",
    "crm_item",
    "crm_rows",
    "crm_types",
    "events_api",
    "placement",
    "system",
    "tasks",
    "user_fields",
    "work",
]
