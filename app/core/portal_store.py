"""The portal registry."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from app.core.models import Job
from app.core.models.base import utc_now
from app.core.models.portal import Portal

ACTIVE = "active"
UNINSTALLED = "uninstalled"


@dataclass(frozen=True)
class PortalRegistration:
    member_id: str
    domain: str
    client_endpoint: str
    application_token: str
    access_token: str = ""
    refresh_token: str = ""
    access_expires_at: datetime | None = None
    language: str = "ru"
    auth_mode: str = "oauth"
    webhook_url: str = ""


async def find_portal(session: AsyncSession, member_id: str) -> Portal | None:
    return await session.get(Portal, member_id)


async def find_active_portal(session: AsyncSession, member_id: str) -> Portal | None:
    portal = await session.get(Portal, member_id)
    return portal if portal is not None and portal.status != UNINSTALLED else None


async def find_sender_tokens(session: AsyncSession, member_ids: set[str]) -> dict[str, str]:
    """The application tokens of these portals that are not uninstalled, in one statement
    (the event intake verifies a whole burst with it, inside its unit of work)."""
    rows = await session.execute(_SENDER_TOKENS, {"member_ids": sorted(member_ids)})
    return {member_id: token for member_id, token in rows.all()}


_PORTALS = Portal.__table__
_SENDER_TOKENS = select(_PORTALS.c.member_id, _PORTALS.c.application_token).where(
    _PORTALS.c.member_id.in_(bindparam("member_ids", expanding=True)),
    _PORTALS.c.status != UNINSTALLED,
)  # built once: the intake runs it for every burst


async def list_active_portals(session: AsyncSession) -> list[Portal]:
    rows = await session.scalars(select(Portal).where(Portal.status == ACTIVE))
    return list(rows)


async def rotate_action_secret(session: AsyncSession, portal: Portal, secret: str) -> None:
    """The portal's new action secret; the old one is refused from the commit on."""
    portal.action_secret = secret
    portal.updated_at = utc_now()
    await session.flush()


async def register_portal(
    session: AsyncSession, registration: PortalRegistration, *, action_secret: str
) -> Portal:
    portal = await session.get(Portal, registration.member_id, with_for_update=True)
    if portal is None:
        portal = Portal(
            member_id=registration.member_id,
            domain=registration.domain,
            client_endpoint=registration.client_endpoint,
            action_secret=action_secret,
        )
        session.add(portal)
    for name, value in vars(registration).items():
        setattr(portal, name, value)
    portal.status = ACTIVE
    portal.installed_at = portal.updated_at = (
        utc_now()
    )  # a new install: clients built before are stale
    await session.flush()
    return portal


async def save_tokens(
    session: AsyncSession, member_id: str, tokens: dict[str, Any]
) -> Portal | None:
    portal = await session.get(Portal, member_id, with_for_update=True)
    if portal is None:
        return None
    for name in ("access_token", "refresh_token", "access_expires_at", "client_endpoint"):
        if tokens.get(name):
            setattr(portal, name, tokens[name])
    portal.updated_at = utc_now()
    await session.flush()
    return portal


async def mark_uninstalled(session: AsyncSession, portal: Portal, *, purge: bool) -> None:
    portal.status = UNINSTALLED
    portal.access_token = portal.refresh_token = portal.application_token = ""
    portal.updated_at = utc_now()
    await session.execute(
        Job.__table__.update()
        .where(Job.member_id == portal.member_id, Job.status.in_(("pending", "running")))
        .values(status="cancelled", updated_at=utc_now())
    )
    if purge:
        await purge_portal_data(session, portal.member_id)
    await session.flush()


async def purge_portal_data(session: AsyncSession, member_id: str) -> None:
    """Delete everything the app keeps for the portal (uninstall with «удалить данные»): every
    table with a ``member_id`` column but the portal's own row, children before parents, so
    a table a capability adds later is purged too."""
    for table in reversed(SQLModel.metadata.sorted_tables):
        if table.name != Portal.__tablename__ and "member_id" in table.columns:
            await session.execute(delete(table).where(table.columns["member_id"] == member_id))
