"""The inbox and its jobs: accept (deduplicated, coalesced), claim, finish, fail, retry.

A sync job exists once per (portal, entity): a new event re-arms it (pending again, or
``dirty`` while a worker runs it, so it runs once more afterwards). Events arm with a
quiet period (``Coalescing``): a burst of edits becomes one run after the burst, but no
run is put off past ``max_delay`` after its first event, so a deal edited every second is
still synced every ``max_delay`` seconds. Claiming is safe with
several workers: PostgreSQL uses ``FOR UPDATE SKIP LOCKED``; SQLite has a single writer.
Claiming is fair between portals: round robin (every portal's oldest due job before any
portal's second, and among equals the portal served least recently first — ``portal_turns``),
and at most ``per_portal`` jobs of a portal running at once across all workers, so one
portal's backlog never starves the others (PRODUCT §3.11).
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.models import InboxEvent, Job, PortalTurn
from app.core.models.base import utc_now
from app.core.outcome import Outcome
from app.core.row_documents import ROWS, render_rows, rows_source
from app.core.upsert import insert_for

RUNNING, PENDING, DONE, DEAD = "running", "pending", "done", "dead"
SYNC_DEAL, SYNC_ITEM, BIND_PORTAL = "sync_deal", "sync_item", "bind_portal"
RECONCILE, REMINDER, ACTION, ROBOT = "reconcile", "reminder", "action", "robot"
PROPOSAL = "proposal"
EXCHANGE, EXCHANGE_DEAL, EXCHANGE_PUSH = "exchange", "exchange_deal", "exchange_push"
EXCHANGE_WORKFLOW = "exchange_workflow"


class PermanentJobError(Exception):
    """A failure that no retry can fix; the job is dead-lettered at once."""


class UnavailableError(Exception):
    """The other side is merely down (unreachable, or answering 5xx): the job waits for it,
    retried with backoff capped at ``retry_max_seconds`` and never dead-lettered for it —
    however long the outage, the job's work is delivered soon after the other side is back."""

    def __init__(self, message: str, *, retry_max_seconds: float) -> None:
        super().__init__(message)
        self.retry_max_seconds = retry_max_seconds


@dataclass(frozen=True)
class Coalescing:
    """How an arm waits for more of the same: due ``quiet_seconds`` after the latest event,
    but never later than ``max_delay_seconds`` after the first event of the pending run."""

    quiet_seconds: float = 0.0
    max_delay_seconds: float = 0.0


IMMEDIATE = Coalescing()


@dataclass(frozen=True)
class Delivery:
    """One accepted request: its inbox record and the job it arms."""

    member_id: str
    dedupe_key: str
    source: str
    name: str
    job_kind: str
    coalesce_key: str
    entity_id: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    job_payload: dict[str, Any] = field(default_factory=dict)
    coalescing: Coalescing = IMMEDIATE


@dataclass(frozen=True)
class Accepted:
    duplicate: bool
    job_id: int | None


async def accept(session: AsyncSession, delivery: Delivery) -> Accepted:
    """Arm the delivery's job and store the delivery once, even for a repeated dedupe key.

    The key has one-second resolution (Bitrix24's ``ts``), so two real changes of one
    entity in the same second share it; re-arming costs at most one read-only re-sync
    and never loses the second change (RELIABILITY.md S4 allows that one extra read).
    """
    return (await accept_many(session, [delivery]))[0]


async def accept_many(session: AsyncSession, deliveries: list[Delivery]) -> list[Accepted]:
    """``accept`` for a burst: one multi-row upsert of the jobs and one insert of the inbox
    rows, so a burst of N events costs two statements, not 2N. Same outcome per delivery."""
    if not deliveries:
        return []
    job_ids = await _arm_jobs(session, deliveries)
    stored = await _insert_inbox_rows(session, deliveries, job_ids)
    seen: set[str] = set()
    results = []
    for delivery in deliveries:
        first = delivery.dedupe_key in stored and delivery.dedupe_key not in seen
        seen.add(delivery.dedupe_key)
        results.append(Accepted(duplicate=not first, job_id=job_ids[delivery.coalesce_key]))
    return results


async def _arm_jobs(session: AsyncSession, deliveries: list[Delivery]) -> dict[str, int]:
    latest = {
        d.coalesce_key: d for d in deliveries
    }  # one row per key: a statement may not hit a row twice
    now = utc_now()
    rows = [  # in key order: concurrent bursts lock shared rows in the same order (no deadlock)
        _job_row(
            d.member_id, d.job_kind, d.coalesce_key, d.job_payload, now, coalescing=d.coalescing
        )
        for _key, d in sorted(latest.items())
    ]
    jobs = Job.__table__
    result = await _execute_burst(
        session,
        jobs,
        rows,
        lambda insert: _rearm_on_conflict(insert).returning(jobs.c.id, jobs.c.coalesce_key),
    )
    return {key: int(job_id) for job_id, key in result.all()}


async def _insert_inbox_rows(
    session: AsyncSession, deliveries: list[Delivery], job_ids: dict[str, int]
) -> set[str]:
    unique = {d.dedupe_key: d for d in reversed(deliveries)}  # the first of equal keys wins
    received_at = utc_now()
    rows = [
        {
            "member_id": d.member_id,
            "dedupe_key": d.dedupe_key,
            "source": d.source,
            "name": d.name,
            "entity_id": d.entity_id,
            "payload": d.payload,
            "job_id": job_ids[d.coalesce_key],
            "received_at": received_at,
        }
        for _key, d in sorted(unique.items())
    ]
    inbox = InboxEvent.__table__
    result = await _execute_burst(
        session,
        inbox,
        rows,
        lambda insert: insert.on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(
            inbox.c.dedupe_key
        ),
    )
    return set(result.scalars().all())


_BURST_STATEMENTS: dict[tuple[str, str, tuple[str, ...]], Any] = {}


async def _execute_burst(
    session: AsyncSession, table: Any, rows: list[dict[str, Any]], finish: Any
) -> Any:
    """``finish(INSERT INTO table …)`` with the burst's rows bound as one JSON document
    (``app.core.row_documents``): N rows are one statement with one parameter. The
    statement is built once per dialect, table and row keys."""
    dialect = session.get_bind().dialect
    names = tuple(rows[0])
    key = (dialect.name, table.name, names)
    if key not in _BURST_STATEMENTS:
        insert = insert_for(session, table).from_select(names, rows_source(dialect, table, names))
        _BURST_STATEMENTS[key] = finish(insert)
    document = render_rows(dialect, table, rows)
    return await session.execute(_BURST_STATEMENTS[key], {ROWS: document})


async def arm_job(
    session: AsyncSession, member_id: str, kind: str, coalesce_key: str, payload: dict[str, Any]
) -> int:
    row = _job_row(member_id, kind, coalesce_key, payload, utc_now())
    statement = _rearm_on_conflict(insert_for(session, Job).values(row))
    return int((await session.execute(statement.returning(Job.__table__.c.id))).scalar_one())


def _job_row(
    member_id: str,
    kind: str,
    coalesce_key: str,
    payload: dict[str, Any],
    now: datetime,
    *,
    coalescing: Coalescing = IMMEDIATE,
) -> dict[str, Any]:
    """A new pending job, due after its quiet period (now, for an immediate arm)."""
    return {
        "member_id": member_id,
        "kind": kind,
        "coalesce_key": coalesce_key,
        "payload": payload,
        "status": PENDING,
        "run_after": now + timedelta(seconds=coalescing.quiet_seconds),
        "pending_since": now,
        "due_by": now + timedelta(seconds=coalescing.max_delay_seconds),
        "created_at": now,
        "updated_at": now,
    }


async def arm_deal_sync(session: AsyncSession, member_id: str, deal_id: int) -> int:
    """Re-read and sync one deal: one job per deal, so its events coalesce."""
    return await arm_job(
        session, member_id, SYNC_DEAL, deal_sync_key(member_id, deal_id), {"deal_id": deal_id}
    )


def deal_sync_key(member_id: str, deal_id: int | str) -> str:
    return f"{member_id}:deal:{deal_id}"


def item_sync_key(member_id: str, entity_type_id: int | str, item_id: int | str) -> str:
    return f"{member_id}:item:{entity_type_id}:{item_id}"


async def arm_portal_binding(session: AsyncSession, member_id: str) -> int:
    """(Re-)bind the portal's events, placements and robots."""
    return await arm_job(session, member_id, BIND_PORTAL, f"{member_id}:bind", {})


async def arm_reconciliation(session: AsyncSession, member_id: str) -> int:
    return await arm_job(session, member_id, RECONCILE, f"{member_id}:reconcile", {})


async def arm_reminder(
    session: AsyncSession, member_id: str, key: str, payload: dict[str, Any]
) -> int:
    return await arm_job(session, member_id, REMINDER, f"{member_id}:reminder:{key}", payload)


async def arm_action(
    session: AsyncSession, member_id: str, request_key: str, payload: dict[str, Any]
) -> int:
    """One job per action request (a click, a robot run, an action webhook call)."""
    return await arm_job(session, member_id, ACTION, action_key(member_id, request_key), payload)


async def arm_proposal(
    session: AsyncSession, member_id: str, deal_id: int, template: str, lang: str = "ru"
) -> int:
    """One proposal job per (deal, template): a second click while it waits is the same job."""
    payload = {"deal_id": deal_id, "template": template, "lang": lang}
    return await arm_job(
        session, member_id, PROPOSAL, proposal_key(member_id, deal_id, template), payload
    )


def proposal_key(member_id: str, deal_id: int, template: str) -> str:
    return f"{member_id}:proposal:{deal_id}:{template}"


async def arm_exchange(
    session: AsyncSession,
    member_id: str,
    *,
    order_id: int | None = None,
    document_id: int | None = None,
    kind: str = "",
) -> int:
    """Apply an exchange order (one job per cross-node order) or another document (a
    counterparty, a promo code: ``kind``)."""
    subject = f"order:{order_id}" if order_id is not None else f"doc:{document_id}"
    payload: dict[str, Any] = (
        {"order_id": order_id} if order_id is not None else {"document_id": document_id}
    )
    if kind and order_id is None:
        payload["kind"] = kind
    return await arm_job(session, member_id, EXCHANGE, f"{member_id}:exchange:{subject}", payload)


async def arm_exchange_deal(session: AsyncSession, member_id: str, deal_id: int) -> int:
    """Notice a deal's change for the exchange outbox: one job per deal, coalesced."""
    key = f"{member_id}:exchange_deal:{deal_id}"
    return await arm_job(session, member_id, EXCHANGE_DEAL, key, {"deal_id": deal_id})


async def arm_exchange_push(session: AsyncSession, member_id: str, node_id: int) -> int:
    """Push a node's unacknowledged changes to its URL: one job per node, coalesced."""
    key = f"{member_id}:exchange_push:{node_id}"
    return await arm_job(session, member_id, EXCHANGE_PUSH, key, {"node_id": node_id})


async def arm_exchange_workflow(session: AsyncSession, member_id: str, request_id: int) -> int:
    """Start a node's requested business process: one job per ``workflow.start`` request."""
    key = f"{member_id}:exchange_workflow:{request_id}"
    return await arm_job(session, member_id, EXCHANGE_WORKFLOW, key, {"request_id": request_id})


def action_key(member_id: str, request_key: str) -> str:
    return f"{member_id}:action:{request_key}"


def robot_key(member_id: str, token_key: str) -> str:
    return f"{member_id}:robot:{token_key}"


def _rearm_on_conflict(statement: Any) -> Any:
    """An existing job is re-armed: pending again, or marked dirty while a worker runs it.
    Times come from the new row (``excluded``), so the statement is the same for every call.

    A run that starts afresh (the job was finished, or runs and was not yet dirty) takes the
    new row's times. A run already waiting keeps them once it is due, or while it waits out
    a retry backoff; in its quiet period it is put off to the new row's ``run_after``, but
    never past its ``due_by`` (coalescing with a maximum delay)."""
    table, new = Job.__table__, statement.excluded
    # no IN (…): its expanding parameter would rule out the executemany of ``accept_many``
    finished = or_(*(table.c.status == status for status in (DONE, DEAD, "cancelled")))
    afresh = or_(finished, and_(table.c.status == RUNNING, table.c.dirty.is_(False)))
    cap = func.coalesce(table.c.due_by, new.run_after)
    run_after = case(
        (afresh, new.run_after),
        (and_(table.c.status == PENDING, table.c.attempts > 0), table.c.run_after),
        (table.c.run_after <= new.pending_since, table.c.run_after),
        (new.run_after < cap, new.run_after),
        else_=cap,
    )
    return statement.on_conflict_do_update(
        index_elements=["coalesce_key"],
        set_={
            "status": case((table.c.status == RUNNING, RUNNING), else_=PENDING),
            "dirty": case((table.c.status == RUNNING, True), else_=table.c.dirty),
            "attempts": case((finished, 0), else_=table.c.attempts),
            # a running job's re-run is due from this event on: the inbox lag
            # (oldest_pending_age) is the age of the oldest event not yet acted on
            "run_after": run_after,
            "pending_since": case((afresh, new.pending_since), else_=table.c.pending_since),
            "due_by": case((afresh, new.due_by), else_=table.c.due_by),
            "payload": statement.excluded.payload,
            "outcome_kind": "",
            "outcome": "",
            "updated_at": new.updated_at,
        },
    )


async def claim(
    session: AsyncSession,
    *,
    worker_id: str,
    limit: int,
    lease: timedelta,
    exclude_members: frozenset[str] = frozenset(),
    per_portal: int | None = None,
) -> list[Job]:
    """Take up to ``limit`` due jobs (or jobs whose worker's lease ran out) for this worker:
    round robin by portal, and none of a portal that already runs ``per_portal`` jobs."""
    now = utc_now()
    due = _due(now)
    candidates = _fair_candidates(now, due, limit, exclude_members, per_portal)
    if session.get_bind().dialect.name == "postgresql":
        # a window function cannot be locked: lock the chosen rows, skipping taken ones
        candidates = (
            select(Job.id).where(Job.id.in_(candidates), due).with_for_update(skip_locked=True)
        )
    statement = (
        update(Job)
        .where(Job.id.in_(candidates.scalar_subquery()))
        .values(
            status=RUNNING,
            locked_by=worker_id,
            locked_until=now + lease,
            attempts=Job.attempts + 1,
            updated_at=now,
        )
        .returning(Job)
    )
    claimed = list((await session.scalars(statement)).all())
    await _take_turns(session, {job.member_id for job in claimed}, now)
    return claimed


async def _take_turns(session: AsyncSession, member_ids: set[str], now: datetime) -> None:
    if not member_ids:
        return
    statement = insert_for(session, PortalTurn)
    statement = statement.on_conflict_do_update(
        index_elements=["member_id"], set_={"served_at": statement.excluded.served_at}
    )
    rows = [{"member_id": member_id, "served_at": now} for member_id in sorted(member_ids)]
    await session.execute(statement, rows)


def _due(now: datetime) -> Any:
    return or_(
        and_(Job.status == PENDING, Job.run_after <= now),
        and_(Job.status == RUNNING, Job.locked_until < now),
    )


def _fair_candidates(
    now: datetime,
    due: Any,
    limit: int,
    exclude_members: frozenset[str],
    per_portal: int | None,
) -> Any:
    """Ids of the due jobs to take: each portal's jobs ranked oldest first, then every
    portal's rank 1 before any rank 2; a portal's running jobs count against its cap."""
    rank = func.row_number().over(partition_by=Job.member_id, order_by=(Job.run_after, Job.id))
    ranked = select(Job.id, Job.member_id, Job.run_after, rank.label("rank")).where(due)
    if exclude_members:
        ranked = ranked.where(Job.member_id.not_in(exclude_members))
    ranked_jobs = ranked.subquery("ranked")
    chosen = select(ranked_jobs.c.id).outerjoin(
        PortalTurn, PortalTurn.member_id == ranked_jobs.c.member_id
    )
    if per_portal is not None:
        running = (
            select(Job.member_id, func.count().label("running"))
            .where(Job.status == RUNNING, Job.locked_until >= now)
            .group_by(Job.member_id)
            .subquery("running")
        )
        busy = func.coalesce(running.c.running, 0)
        chosen = chosen.outerjoin(running, running.c.member_id == ranked_jobs.c.member_id).where(
            ranked_jobs.c.rank + busy <= per_portal
        )
    turn = PortalTurn.served_at.asc().nulls_first()
    order = (ranked_jobs.c.rank, turn, ranked_jobs.c.run_after, ranked_jobs.c.id)
    return chosen.order_by(*order).limit(limit)


async def finish(
    session: AsyncSession, job: Job, *, worker_id: str, outcome: Outcome | None = None
) -> None:
    """Done with its outcome — unless an event re-armed it while it ran; then it runs once
    more and its outcome waits for that run."""
    kind, message = (outcome.kind.value, outcome.message[:2000]) if outcome else ("", "")
    await session.execute(
        update(Job)
        .where(Job.id == job.id, Job.locked_by == worker_id)
        .values(
            status=case((Job.dirty, PENDING), else_=DONE),
            attempts=case((Job.dirty, 0), else_=Job.attempts),
            outcome_kind=case((Job.dirty, ""), else_=kind),
            outcome=case((Job.dirty, ""), else_=message),
            dirty=False,
            locked_by="",
            locked_until=None,
            last_error="",
            updated_at=utc_now(),
        )
    )


async def fail(
    session: AsyncSession,
    job: Job,
    *,
    worker_id: str,
    error: str,
    retry_at: datetime | None,
    outcome: Outcome | None = None,
) -> None:
    """Back to pending at ``retry_at``, or dead-lettered with ``outcome`` when it is None."""
    status = PENDING if retry_at is not None else DEAD
    final = (
        {"outcome_kind": outcome.kind.value, "outcome": outcome.message[:2000]} if outcome else {}
    )
    await session.execute(
        update(Job)
        .where(Job.id == job.id, Job.locked_by == worker_id)
        .values(
            status=status,
            run_after=retry_at or utc_now(),
            last_error=error[:2000],
            locked_by="",
            locked_until=None,
            updated_at=utc_now(),
            **(final if retry_at is None else {}),
        )
    )


async def extend_lease(
    session: AsyncSession, job: Job, *, worker_id: str, lease: timedelta
) -> bool:
    """Keep a running job ours for another ``lease``: a run longer than one lease is never
    taken over by another worker while it still writes. False: the job is no longer ours."""
    result = await session.execute(
        update(Job)
        .where(Job.id == job.id, Job.locked_by == worker_id, Job.status == RUNNING)
        .values(locked_until=utc_now() + lease)
    )
    return bool(getattr(result, "rowcount", 0))


async def release(session: AsyncSession, *, worker_id: str) -> None:
    """Hand back every job this worker holds (graceful shutdown)."""
    await session.execute(
        update(Job)
        .where(Job.locked_by == worker_id, Job.status == RUNNING)
        .values(
            status=PENDING,
            locked_by="",
            locked_until=None,
            attempts=Job.attempts - 1,
            updated_at=utc_now(),
        )
    )


async def retry_dead(session: AsyncSession, member_id: str | None, job_id: int) -> bool:
    query = update(Job).where(Job.id == job_id, Job.status == DEAD)
    if member_id is not None:
        query = query.where(Job.member_id == member_id)
    result = await session.execute(
        query.values(
            status=PENDING,
            attempts=0,
            run_after=utc_now(),
            pending_since=utc_now(),
            updated_at=utc_now(),
            outcome_kind="",
            outcome="",
        )
    )
    return bool(result.rowcount)


async def list_jobs(session: AsyncSession, *, status: str, limit: int = 100) -> list[Job]:
    rows = await session.scalars(
        select(Job).where(Job.status == status).order_by(Job.updated_at.desc()).limit(limit)
    )
    return list(rows)


async def count_by_status(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(Job.status, func.count()).group_by(Job.status))
    return {status: count for status, count in rows.all()}


async def oldest_pending_age(session: AsyncSession) -> float:
    """Seconds the oldest pending job has waited since its first event (the inbox lag),
    0 when none waits."""
    waiting = func.coalesce(Job.pending_since, Job.run_after)
    oldest = await session.scalar(select(func.min(waiting)).where(Job.status == PENDING))
    if oldest is None:
        return 0.0
    if oldest.tzinfo is None:  # SQLite returns naive UTC
        oldest = oldest.replace(tzinfo=UTC)
    age: float = (utc_now() - oldest).total_seconds()
    return max(0.0, age)


# Manager bonuses (PRODUCT §3.9): a deal's bonus job, beside its procurement sync, and one
# registry writer per portal that packs every pending registry write into batches.
BONUS_DEAL, BONUS_SCAN, BONUS_REGISTRY = "bonus_deal", "bonus_scan", "bonus_registry"


def bonus_deal_key(member_id: str, deal_id: int | str) -> str:
    return f"{member_id}:bonus:{deal_id}"


async def arm_bonus_deal(session: AsyncSession, member_id: str, deal_id: int) -> int:
    return await arm_job(
        session, member_id, BONUS_DEAL, bonus_deal_key(member_id, deal_id), {"deal_id": deal_id}
    )


async def arm_bonus_scan(session: AsyncSession, member_id: str, *, delay_seconds: float) -> int:
    """The portal's bonus reader: it reads every marked deal, many per ``batch``."""
    return await _arm_gathering(session, member_id, BONUS_SCAN, delay_seconds)


async def arm_bonus_registry(
    session: AsyncSession, member_id: str, *, delay_seconds: float = 0.0
) -> int:
    """The portal's registry writer: every unwritten ledger entry, packed into batches."""
    return await _arm_gathering(session, member_id, BONUS_REGISTRY, delay_seconds)


async def _arm_gathering(
    session: AsyncSession, member_id: str, kind: str, delay_seconds: float
) -> int:
    """A per-portal job due ``delay_seconds`` after the first request waiting for it, so the
    requests that come meanwhile share its run (and its batches). A pending run keeps its
    time (arming never postpones it); one armed while it runs follows after the delay."""
    now = utc_now()
    due = now + timedelta(seconds=delay_seconds)
    row = {**_job_row(member_id, kind, f"{member_id}:{kind}", {}, now), "run_after": due}
    # re-armed like any job: a finished or running one is due from ``due``, a pending one
    # keeps its time
    statement = _rearm_on_conflict(insert_for(session, Job).values(row))
    table = Job.__table__
    return int((await session.execute(statement.returning(table.c.id))).scalar_one())
