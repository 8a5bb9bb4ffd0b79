"""``b24bridge products …``: kit definitions and bulk product operations on one portal."""

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from app.cli.shared import MemberId, active_portal, fail, run_with_context
from app.core.context import AppContext
from app.core.db import unit_of_work
from app.core.models import Portal
from app.worker.deps import job_deps
from automations.kit_catalog import KitFileError, load_kit_file
from automations.kit_catalog import repository as kit_rows
from automations.kit_catalog.portal_source import ensure_kits_type
from automations.kit_catalog.refresh import FILE_SOURCE, load_cached_kits, refresh_kits
from automations.product_actions.bulk import (
    all_deal_ids,
    expansion_decision,
    reprice_decision,
    run_bulk,
)
from automations.product_actions.deal_access import rows_gateway

T = TypeVar("T")
products_cli = typer.Typer(
    help="Kits, money discounts and bulk product operations.", no_args_is_help=True
)
kits_cli = typer.Typer(help="Kit definitions («Комплекты»).", no_args_is_help=True)
products_cli.add_typer(kits_cli, name="kits")

KitFile = typer.Argument(..., exists=True, dir_okay=False, help="A .csv, .yaml or .yml file.")


@kits_cli.command("setup")
def kits_setup(member_id: str = MemberId) -> None:
    """Create the «Комплекты» smart process and its fields in the portal if absent."""

    async def work(context: AppContext) -> str:
        client = job_deps(context).rest.for_portal(await active_portal(context, member_id))
        source = await ensure_kits_type(client)
        return f"«Комплекты»: entityTypeId {source.entity_type_id}, fields {source.field('product')}, …"

    typer.echo(run_with_context(work))


@kits_cli.command("refresh")
def kits_refresh(member_id: str = MemberId) -> None:
    """Read the kits from the portal's «Комплекты» smart process into the cache."""

    async def work(context: AppContext) -> Any:
        return await refresh_kits(job_deps(context), await active_portal(context, member_id))

    report = run_with_context(work)
    if not report.source_found:
        fail("the portal has no «Комплекты» smart process (run: products kits setup)")
    for problem in report.problems:
        typer.echo(f"skipped: {problem}", err=True)
    typer.echo(f"{report.loaded} kit(s) loaded from the portal")


@kits_cli.command("load")
def kits_load(
    file: Path = KitFile,
    member_id: str = MemberId,
) -> None:
    """Load kit definitions from a CSV or YAML file; nothing is stored unless all is valid.

    \b
    CSV, one line per component, with this header (money in roubles, price including tax):
      kit_product_id,product_id,name,quantity,price,tax_rate,discount_money,discount_percent
      4,1,Фара передняя левая,2,12500,,6300,
      4,2,Бампер передний,1,18900,,6300,
    the kit's discount (discount_money per kit, or discount_percent) on any of its lines,
    the same wherever repeated. YAML:
      kits:
        - product_id: 4
          discount_money: 6300
          components:
            - {product_id: 1, name: Фара передняя левая, quantity: 2, price: 12500}
    Every problem is reported with its line; the file replaces the kits loaded from files.
    """

    try:
        kits = load_kit_file(file)
    except KitFileError as exc:
        for problem in exc.problems:
            typer.echo(f"{file.name}: {problem}", err=True)
        raise typer.Exit(code=2) from None

    async def work(context: AppContext) -> None:
        await active_portal(context, member_id)
        async with unit_of_work(context.sessions) as session:
            await kit_rows.replace_source(session, member_id, FILE_SOURCE, kits)

    run_with_context(work)
    typer.echo(f"{len(kits)} kit(s) loaded from {file.name}")


def _deal_ids(deal_ids: str | None, every: bool) -> list[int] | None:
    if every == bool(deal_ids):
        fail("give either --deal-ids 1,2,3 or --all")
    if every:
        return None
    try:
        return [int(part) for part in str(deal_ids).split(",") if part.strip()]
    except ValueError:
        fail(f"--deal-ids must be comma-separated numbers, not {deal_ids!r}")


async def _bulk(
    context: AppContext, member_id: str, ids: list[int] | None, decide_of: Callable[..., Any]
) -> Any:

    portal = await active_portal(context, member_id)
    gateway = rows_gateway(job_deps(context), portal, interactive=False)
    wanted = ids if ids is not None else await all_deal_ids(gateway)
    decide = await decide_of(context, portal)
    columns = (
        *Progress.get_default_columns()[:1],
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns) as bar:
        task = bar.add_task("deals", total=len(wanted))
        return await run_bulk(gateway, wanted, decide, progress=lambda n: bar.advance(task, n))


def _report(report: Any) -> None:
    typer.echo(
        f"{report.deals} deal(s): {report.changed} changed, {len(report.refused)} refused, "
        f"{len(report.missing)} not found, {len(report.failed)} failed"
    )
    for deal_id, reason in {**report.refused, **report.failed}.items():
        typer.echo(f"deal {deal_id}: {reason}", err=True)


@products_cli.command("expand-kits")
def expand_kits(
    member_id: str = MemberId,
    deal_ids: str | None = typer.Option(None, "--deal-ids", help="Comma-separated deal ids."),
    every: bool = typer.Option(False, "--all", help="Every deal of the portal."),
) -> None:
    """Expand kit rows into components in many deals (batched, rate-limited)."""
    ids = _deal_ids(deal_ids, every)

    async def decide_of(context: AppContext, portal: Portal) -> Any:

        await refresh_kits(job_deps(context), portal)
        return expansion_decision(await load_cached_kits(job_deps(context), portal.member_id))

    _report(run_with_context(lambda context: _bulk(context, member_id, ids, decide_of)))


@products_cli.command("reprice")
def reprice(
    percent: str = typer.Option(..., "--percent", help="Price change in percent, e.g. 5 or -2.5."),
    member_id: str = MemberId,
    deal_ids: str | None = typer.Option(None, "--deal-ids", help="Comma-separated deal ids."),
    every: bool = typer.Option(False, "--all", help="Every deal of the portal."),
) -> None:
    """Change every row's price by a percentage in many deals, rows kept in place."""
    try:
        change = Decimal(percent.replace(",", "."))
    except InvalidOperation:
        fail(f"--percent must be a number, not {percent!r}")
    ids = _deal_ids(deal_ids, every)

    async def decide_of(_context: AppContext, _portal: Portal) -> Any:

        return reprice_decision(change)

    _report(run_with_context(lambda context: _bulk(context, member_id, ids, decide_of)))
