"""Operator views: failed jobs (dead letters) with retry, inbox depth, Prometheus metrics.

Protected by ``ADMIN_TOKEN`` (a bearer token); with no token configured the admin
routes are closed.
"""

from typing import Any

from fastapi import APIRouter, Response
from prometheus_client import generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from app.core import queue
from app.core.errors import NotFound
from app.core.http_deps import AdminDep, ContextDep
from app.core.metrics import INBOX_DEPTH, INBOX_LAG, REGISTRY
from app.core.uow import in_transaction

router = APIRouter(tags=["operations"])


SECRET_PAYLOAD_KEYS = frozenset({"event_token", "auth", "access_token", "refresh_token", "secret"})


def job_view(job: Any) -> dict[str, Any]:
    payload = {
        k: ("***" if k in SECRET_PAYLOAD_KEYS else v) for k, v in (job.payload or {}).items()
    }
    return {
        "id": job.id,
        "member_id": job.member_id,
        "kind": job.kind,
        "status": job.status,
        "attempts": job.attempts,
        "last_error": job.last_error,
        "payload": payload,
        "updated_at": job.updated_at.isoformat() if job.updated_at else None,
    }


@router.get("/admin/jobs")
async def list_failed_jobs(
    context: ContextDep, _: AdminDep, status: str = "dead"
) -> dict[str, Any]:
    """Jobs by status (default: dead letters), newest first, with their last error."""
    found = await in_transaction(context, lambda session: queue.list_jobs(session, status=status))
    return {"jobs": [job_view(job) for job in found]}


@router.post("/admin/jobs/{job_id}/retry")
async def retry_job(job_id: int, context: ContextDep, _: AdminDep) -> dict[str, Any]:
    """Put a dead-lettered job back in the queue."""
    retried = await in_transaction(context, lambda session: queue.retry_dead(session, None, job_id))
    if not retried:
        raise NotFound(f"no dead-lettered job {job_id}")
    return {"status": "queued", "job_id": job_id}


@router.get("/metrics", include_in_schema=False)
async def metrics(context: ContextDep) -> Response:
    """Prometheus metrics (REST calls, limiter wait, inbox depth and lag, dead letters)."""
    counts = await in_transaction(context, queue.count_by_status)
    for status in ("pending", "running", "done", "dead"):
        INBOX_DEPTH.labels(status=status).set(counts.get(status, 0))
    INBOX_LAG.set(await in_transaction(context, queue.oldest_pending_age))
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
