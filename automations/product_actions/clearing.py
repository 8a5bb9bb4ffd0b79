"""«Удалить все товары»: every product row of a deal removed in ONE request.

Trigger: the ``clear_products`` action (tab button, robot). Effect: one
``crm.item.productrow.set`` with no rows (``set`` deletes the rows it is not sent,
REST_FACTS §11.1) — instead of one delete per row, which is what broke bulk deletion under
the cloud rate limit in the source case. Idempotency: clearing an empty deal is harmless.
"""

from typing import Any

from app.core.models import Portal
from app.core.outcome import Outcome
from automations.ports import Deps
from automations.product_actions.deal_access import rows_gateway
from automations.product_actions.messages import say
from connectors.crm.product_rows import replace_rows_call


async def clear_products(
    deps: Deps, portal: Portal, deal_id: int, params: dict[str, Any]
) -> Outcome:
    del params  # the action takes no parameters
    await rows_gateway(deps, portal).send(replace_rows_call(deal_id, []))
    return Outcome.done(
        say(portal.language, "Все товары удалены из сделки.", "All products removed from the deal.")
    )
