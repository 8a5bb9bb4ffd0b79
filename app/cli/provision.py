"""``b24bridge provision``: the smart process «Закупка», its stages and ETA field, and the
deal stages, created or found again (PRODUCT §3.1)."""

from typing import Annotated

import typer

from app.cli.shared import run_with_context
from app.core.context import AppContext
from app.portals.provisioning import provision_portal


def provision(
    member_id: str = typer.Option(..., help="the portal's member_id"),
    deal_category: int = typer.Option(
        0, help="deal funnel (category) id for the workflow's stages"
    ),
    buyer: Annotated[
        list[int] | None, typer.Option(help="buyer user id (repeat for round-robin)")
    ] = None,
) -> None:
    """Create (or find) the «Закупка» smart process, its stages and ETA field, and the deal stages."""

    async def run(context: AppContext) -> str:
        report = await provision_portal(
            context, member_id, deal_category_id=deal_category, buyer_ids=buyer or None
        )
        return ", ".join(report.created) or "nothing — everything existed already"

    typer.echo(f"provisioned: created {run_with_context(run)}")
