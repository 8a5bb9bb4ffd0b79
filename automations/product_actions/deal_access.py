"""The product-rows gateway of a portal, through the app's one client per portal."""

from app.core.context import AppContext
from app.core.models import Portal
from app.portals.clients import portal_clients
from connectors.bitrix24 import Priority
from connectors.crm.product_rows import ProductRowsGateway


def rows_gateway(
    context: AppContext, portal: Portal, *, interactive: bool = True
) -> ProductRowsGateway:
    priority = Priority.INTERACTIVE if interactive else Priority.BULK
    return ProductRowsGateway(portal_clients(context).for_portal(portal), priority=priority)
