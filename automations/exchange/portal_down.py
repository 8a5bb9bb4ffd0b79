"""An order job waits for a portal that is down instead of running out of attempts.

A portal whose front answers 502/503/504, that cannot be reached, or that kept refusing for
rate through the client's whole budget is down, not refusing the order: the ``exchange``
job is retried at most ``PORTAL_RETRY_MAX_SECONDS`` apart for as long as that lasts and is
never dead-lettered for it (a five-minute outage dead-lettered orders before; measured in
``tests/e2e/test_exchange_chaos.py``). Repeating is safe: the job finds a deal it made by
its ``ORIGIN_ID``. Any other failure (a 500, a refusal) keeps the usual attempts.
"""

from typing import Any

from app.core.models import Job
from app.core.queue import UnavailableError
from automations.ports import Deps, JobHandler
from connectors.bitrix24 import RateLimitError, ServerError, TransportError

PORTAL_RETRY_MAX_SECONDS = 300
DOWN_STATUSES = frozenset({502, 503, 504})


class PortalDown(UnavailableError):
    """The portal is down; the order waits for it."""


def is_down(exc: BaseException) -> bool:
    if isinstance(exc, TransportError | RateLimitError):
        return True
    return isinstance(exc, ServerError) and exc.http_status in DOWN_STATUSES


def waits_for_portal(handler: JobHandler) -> JobHandler:
    async def run(deps: Deps, job: Job) -> Any:
        try:
            return await handler(deps, job)
        except Exception as exc:
            if is_down(exc):
                raise PortalDown(
                    f"the portal is down: {exc}", retry_max_seconds=PORTAL_RETRY_MAX_SECONDS
                ) from exc
            raise

    return run
