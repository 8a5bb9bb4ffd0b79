"""``b24bridge bonuses``: set a portal's bonus rules and money accounts from a JSON file,
and export the bonus and money report as XLSX for accounting (PRODUCT §3.9)."""

import json
from pathlib import Path
from typing import Annotated

import typer

from app.cli.shared import MemberId, active_portal, fail, run_with_context
from app.core.context import AppContext
from app.core.db import unit_of_work
from app.core.portal_settings import load_portal_settings, update_portal_settings
from app.web.reports.xlsx import report_xlsx
from automations.bonuses.reports import PeriodError, build_report, parse_period
from automations.bonuses.settings import checked_bonus_settings

bonuses_cli = typer.Typer(help="Manager bonuses and money registries.", no_args_is_help=True)


@bonuses_cli.command("configure")
def configure(
    path: Annotated[
        Path, typer.Argument(help="JSON: bonus_rules, money_accounts, manager_offices…")
    ],
    member_id: str = MemberId,
) -> None:
    """Check the file whole and store it in the portal's settings (nothing when invalid)."""
    try:
        changes = checked_bonus_settings(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, AttributeError) as exc:
        fail(f"{path.name}: {exc}")

    async def work(context: AppContext) -> list[str]:
        await active_portal(context, member_id)
        async with unit_of_work(context.sessions) as session:
            await update_portal_settings(session, member_id, changes)
        return sorted(changes)

    typer.echo(f"stored: {', '.join(run_with_context(work))}")


@bonuses_cli.command("report")
def report(
    xlsx: Annotated[Path, typer.Option("--xlsx", help="Where to write the workbook.")],
    member_id: str = MemberId,
    month_from: str = typer.Option(..., "--from", help="First month, YYYY-MM."),
    month_to: str = typer.Option(..., "--to", help="Last month, YYYY-MM."),
) -> None:
    """Accruals and operations per manager / office / month, and balances, as XLSX."""
    try:
        period = parse_period(month_from, month_to)
    except PeriodError as exc:
        fail(str(exc))

    async def work(context: AppContext) -> bytes:
        await active_portal(context, member_id)
        async with context.sessions() as session:
            values = await load_portal_settings(session, member_id)
            return report_xlsx(await build_report(session, member_id, values, period))

    xlsx.write_bytes(run_with_context(work))
    typer.echo(f"written: {xlsx}")
