"""The ports a capability is handed: what its handlers need from outside, and nothing of
how it is built.

A job handler receives one ``Deps`` (the settings, a session factory for its units of
work, the per-portal REST clients and the SMS sender), built by the composition root
``app.worker.deps`` where the job runs; tests build the same over the sandbox portal.
Handlers never look up concrete wiring themselves.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.core.models import Job, Portal
from app.core.outcome import Outcome
from connectors.bitrix24 import Bitrix24Client
from connectors.sms import SmsSender


class PortalRest(Protocol):
    """The REST client of a portal, limited and batched per portal."""

    def for_portal(self, portal: Portal) -> Bitrix24Client: ...


@dataclass(frozen=True)
class Deps:
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    rest: PortalRest
    sms: SmsSender


# A job handler's note of what it did, or its outcome for the person who asked (the worker
# stores it on the job); a product action always answers with an outcome: done or refused.
JobHandler = Callable[[Deps, Job], Awaitable[str | Outcome]]
ActionHandler = Callable[[Deps, Portal, int, dict[str, Any]], Awaitable[Outcome]]
