"""The ``b24bridge`` command line, one module per command group: ``server`` (serve,
worker, migrate, register-webhook, demo), ``provision``, ``products``, ``proposal``,
``exchange``, ``bonuses`` and ``operations`` (jobs, reconcile, rotate-action-secret)."""

import sys

import typer

from app.cli import bonuses, exchange, operations, products, proposal, provision, server

cli = typer.Typer(help="b24bridge — Bitrix24 sales ↔ procurement bridge.", no_args_is_help=True)
for command in (server.migrate, server.serve, server.worker, server.demo, provision.provision):
    cli.command()(command)
cli.command("register-webhook")(server.register_webhook)
cli.command()(operations.reconcile)
cli.command("rotate-action-secret")(operations.rotate_action_secret)
cli.add_typer(operations.jobs_cli, name="jobs")
cli.add_typer(products.products_cli, name="products")
cli.add_typer(proposal.proposal_cli, name="proposal")
cli.add_typer(exchange.exchange_cli, name="exchange")
cli.add_typer(bonuses.bonuses_cli, name="bonuses")


def main() -> None:
    try:
        cli()
    except KeyboardInterrupt:
        sys.exit(130)
