"""Refuse a forged callback before any database work: the active portals' application
tokens, kept in this process and re-read at most once per ``refresh_seconds``.

The cache only ever refuses early; acceptance stays with ``verify_sender`` inside the
unit of work, so a stale entry can never let a forged or revoked token in. A token the
cache does not know (a re-install elsewhere, a new portal) is refused only after a read of
the table that began after the request arrived — single-flight, at most one read per
interval whatever the flood (forgeries wait for it) — so a legitimate sender is refused
only while it is unknown to the database too, and no real event is lost to a stale cache. Refusals are logged once
per interval per portal with their count, so a flood does not flood the log either.
"""

import asyncio
import time
from collections import Counter

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.context import AppContext
from app.core.errors import AppError, Forbidden, Unauthorized
from app.core.portal_store import list_active_portals
from app.core.security import fingerprint, tokens_match
from webhooks.bitrix24.verify import security_log

REFRESH_SECONDS = 1.0


class KnownSenders:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        refresh_seconds: float = REFRESH_SECONDS,
    ) -> None:
        self._sessions = sessions
        self._refresh_seconds = refresh_seconds
        self._tokens: dict[str, str] = {}
        self._read_at = float("-inf")
        self._lock = asyncio.Lock()
        self._refused: Counter[str] = Counter()
        self._logged_at: dict[str, float] = {}

    async def refusal(self, member_id: str, token: str) -> AppError | None:
        """Why this sender is refused, or None when it may go on to the unit of work."""
        if self._matches(member_id, token):
            return None
        arrived = time.monotonic()
        try:
            await self._read_since(arrived)
        except (SQLAlchemyError, OSError):  # the unit of work will answer the outage with a 503
            return None
        if self._matches(member_id, token):
            return None
        return self._refuse(member_id, token)

    def _matches(self, member_id: str, token: str) -> bool:
        return tokens_match(self._tokens.get(member_id, ""), token)

    async def _read_since(self, arrived: float) -> None:
        """Make sure the tokens were read after ``arrived``: a refusal is never based on a read
        older than the request (a portal installed a moment ago in another process is not
        refused), yet the table is read at most once per interval — the waiters of one
        interval share the next read."""
        async with self._lock:  # single flight: the waiters use what the first one read
            if self._read_at >= arrived:
                return
            await asyncio.sleep(max(0.0, self._read_at + self._refresh_seconds - time.monotonic()))
            started = time.monotonic()
            async with self._sessions() as session:
                portals = await list_active_portals(session)
            self._tokens = {p.member_id: p.application_token for p in portals}
            self._read_at = started

    def _refuse(self, member_id: str, token: str) -> AppError:
        known = member_id in self._tokens
        self._log(member_id, token, known=known)
        if not known:
            return Unauthorized("unknown or uninstalled portal")
        return Forbidden("application token does not match this portal")

    def _log(self, member_id: str, token: str, *, known: bool) -> None:
        key = member_id[:64]
        self._refused[key] += 1
        now = time.monotonic()
        if now - self._logged_at.get(key, float("-inf")) < self._refresh_seconds:
            return
        self._logged_at[key] = now
        reason = "application token mismatch" if known else "unknown portal"
        security_log.warning(
            f"rejected: {reason}",
            route="events",
            member_id=key,
            token_fingerprint=fingerprint(token),
            refused_since_last_line=self._refused.pop(key),
        )


def known_senders(context: AppContext) -> KnownSenders:
    return context.service("known_senders", lambda: KnownSenders(context.sessions))
