"""The product-rows gateway of a portal, through the app's one client per portal."""

from app.core.models import Portal
from automations.ports import Deps
from connectors.bitrix24 import Priority
from connectors.crm.product_rows import ProductRowsGateway


def rows_gateway(deps: Deps, portal: Portal, *, interactive: bool = True) -> ProductRowsGateway:
    priority = Priority.INTERACTIVE if interactive else Priority.BULK
    return ProductRowsGateway(deps.rest.for_portal(portal), priority=priority)
