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


@dataclass(frozen=True)
class ActionReply:
    """An action's answer with named values for a robot's return properties."""

    message: str
    values: dict[str, str]

    def __str__(self) -> str:
        return self.message


JobHandler = Callable[[Deps, Job], Awaitable[str]]
ActionHandler = Callable[[Deps, Portal, int, dict[str, Any]], Awaitable[str | ActionReply]]
