"""``b24bridge jobs list|retry``, ``b24bridge reconcile`` and ``b24bridge
rotate-action-secret``: the operator's runbook commands (dead letters, a portal's
reconciliation now instead of at its next period, a leaked action secret replaced)."""

from secrets import token_urlsafe

import typer

from app.cli.shared import MemberId, active_portal, fail, run_with_context
from app.core import portal_store, queue
from app.core.context import AppContext
from app.core.db import unit_of_work
from app.core.models import Job
from webhooks.bitrix24.actions import action_urls

jobs_cli = typer.Typer(help="Jobs: dead letters and their retry.", no_args_is_help=True)
STATUSES = (queue.DEAD, queue.PENDING, queue.RUNNING, queue.DONE)


def job_line(job: Job) -> str:
    """One line per job, without its payload (it may hold event tokens)."""
    error = (job.last_error or "").replace("\n", " ")[:160]
    when = job.updated_at.isoformat(timespec="seconds") if job.updated_at else "-"
    return f"{job.id}\t{job.member_id}\t{job.kind}\t{job.attempts}\t{when}\t{error}"


@jobs_cli.command("list")
def list_jobs(
    status: str = typer.Option(queue.DEAD, help=f"one of: {', '.join(STATUSES)}"),
    limit: int = typer.Option(100, min=1, max=10_000),
) -> None:
    """Jobs of a status, newest first: id, portal, kind, attempts, last change, last error."""
    if status not in STATUSES:
        fail(f"--status must be one of: {', '.join(STATUSES)}")

    async def work(context: AppContext) -> list[str]:
        async with context.sessions() as session:
            return [
                job_line(job) for job in await queue.list_jobs(session, status=status, limit=limit)
            ]

    lines = run_with_context(work)
    typer.echo("\n".join(lines) if lines else f"no {status} jobs")


@jobs_cli.command("retry")
def retry(job_id: int = typer.Argument(..., help="the dead-lettered job's id")) -> None:
    """Put a dead-lettered job back in the queue (attempts start again)."""

    async def work(context: AppContext) -> bool:
        async with unit_of_work(context.sessions) as session:
            return await queue.retry_dead(session, None, job_id)

    if not run_with_context(work):
        fail(f"no dead-lettered job {job_id}")
    typer.echo(f"job {job_id} queued again")


def reconcile(member_id: str = MemberId) -> None:
    """Queue the portal's reconciliation now (changed deals and cards, offline events); a
    worker runs it — the same incremental cycle as the periodic one."""

    async def work(context: AppContext) -> int:
        await active_portal(context, member_id)
        async with unit_of_work(context.sessions) as session:
            return await queue.arm_reconciliation(session, member_id)

    typer.echo(f"reconciliation queued: job {run_with_context(work)}")


def rotate_action_secret(member_id: str = MemberId) -> None:
    """Give the portal a new action secret (the old one is refused at once) and print the
    automation rules' new URLs to paste into the portal."""

    async def work(context: AppContext) -> dict[str, str]:
        async with unit_of_work(context.sessions) as session:
            portal = await portal_store.find_active_portal(session, member_id)
            if portal is None:
                fail(f"no active portal with member_id {member_id!r}")
            await portal_store.rotate_action_secret(session, portal, token_urlsafe(24))
            return action_urls(context.settings.app_base_url, portal)

    for action, url in run_with_context(work).items():
        typer.echo(f"{action}\t{url}")
