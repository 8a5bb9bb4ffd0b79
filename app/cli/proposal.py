"""``b24bridge proposal make``: make a deal's commercial proposal (КП) now and print its link."""

import typer

from app.cli.shared import MemberId, active_portal, fail, run_with_context
from app.core.context import AppContext
from app.core.outcome import Outcome
from app.worker.deps import job_deps
from automations.proposals.handler import make_for_portal

proposal_cli = typer.Typer(help="Commercial proposals (КП).", no_args_is_help=True)


@proposal_cli.command("make")
def make(
    member_id: str = MemberId,
    deal_id: int = typer.Option(..., "--deal-id", help="The sales deal's ID."),
    template: str = typer.Option(
        "new", "--template", help="new (new client) or regular (regular client)."
    ),
) -> None:
    """Build the proposal from the deal's current data, attach its PDF to the deal and print
    the public link and version (the same version again when nothing changed)."""

    async def work(context: AppContext) -> Outcome:
        portal = await active_portal(context, member_id)
        return await make_for_portal(job_deps(context), portal, deal_id, template.strip().lower())

    reply = run_with_context(work)
    if not reply.values.get("url"):
        fail(reply.message)
    typer.echo(reply.message)
    typer.echo(f"url={reply.values['url']} version={reply.values['version']}")
