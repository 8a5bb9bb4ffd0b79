"""Operator views: failed jobs (dead letters) with retry, inbox depth, Prometheus metrics.

Protected by ``ADMIN_TOKEN`` (a bearer token); with no token configured the admin
routes are closed.
"""

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Response
from prometheus_client import generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from app.api.deps import ContextDep, SettingsDep
from app.errors import NotFound, Unauthorized
from app.metrics import INBOX_DEPTH, INBOX_LAG, REGISTRY
from app.repositories import jobs
from app.uow import in_transaction

router = APIRouter(tags=["operations"])


def require_admin(settings: SettingsDep, authorization: Annotated[str, Header()] = "") -> None:
    expected = settings.admin_token.get_secret_value()
    given = authorization.removeprefix("Bearer ").strip()
    if not expected or not hmac.compare_digest(expected.encode(), given.encode()):
        raise Unauthorized("admin token required (Authorization: Bearer …)")


AdminDep = Annotated[None, Depends(require_admin)]


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
    found = await in_transaction(context, lambda session: jobs.list_jobs(session, status=status))
    return {"jobs": [job_view(job) for job in found]}


@router.post("/admin/jobs/{job_id}/retry")
async def retry_job(job_id: int, context: ContextDep, _: AdminDep) -> dict[str, Any]:
    """Put a dead-lettered job back in the queue."""
    retried = await in_transaction(context, lambda session: jobs.retry_dead(session, None, job_id))
    if not retried:
        raise NotFound(f"no dead-lettered job {job_id}")
    return {"status": "queued", "job_id": job_id}


@router.get("/metrics", include_in_schema=False)
async def metrics(context: ContextDep) -> Response:
    """Prometheus metrics (REST calls, limiter wait, inbox depth and lag, dead letters)."""
    counts = await in_transaction(context, jobs.count_by_status)
    for status in ("pending", "running", "done", "dead"):
        INBOX_DEPTH.labels(status=status).set(counts.get(status, 0))
    INBOX_LAG.set(await in_transaction(context, jobs.oldest_pending_age))
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
