"""Uninstall with «удалить данные»: everything the app keeps for that portal is deleted — in
every table that has a ``member_id``, including proposals, short links and kits — and
nothing of another portal."""

from datetime import date

from sqlalchemy import func, select
from sqlmodel import SQLModel

from app.core import portal_store, queue
from app.core.db import create_engine, create_session_factory, unit_of_work
from app.core.models import Kit, Portal, PortalSettings, Proposal, ShortLink
from app.core.portal_store import PortalRegistration

GONE, KEPT = "a" * 32, "b" * 32


def registration(member_id: str) -> PortalRegistration:
    return PortalRegistration(
        member_id=member_id,
        domain=f"{member_id[:6]}.bitrix24.ru",
        client_endpoint=f"https://{member_id[:6]}.bitrix24.ru/rest/",
        application_token=f"token-{member_id}",
    )


def portal_rows(member_id: str, n: int) -> list[SQLModel]:
    return [
        PortalSettings(member_id=member_id, values={"validity_days": 3}),
        Kit(member_id=member_id, product_id=n, definition={"components": []}),
        ShortLink(
            code=f"code{n}{member_id[:4]}", member_id=member_id, url_hash="h", url="https://x.ru"
        ),
        Proposal(
            member_id=member_id,
            deal_id=n,
            version=1,
            code=f"prop{n}{member_id[:4]}",
            content_hash="c",
            template="new",
            valid_until=date(2027, 1, 1),
            html="<p>КП</p>",
            pdf=b"%PDF",
        ),
    ]


def member_tables() -> list[str]:
    return [t.name for t in SQLModel.metadata.sorted_tables if "member_id" in t.columns]


async def rows_of(session, member_id: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    counts = {}
    for table in SQLModel.metadata.sorted_tables:
        if "member_id" in table.columns and table.name != Portal.__tablename__:
            query = select(func.count()).select_from(table)
            counts[table.name] = int(
                await session.scalar(query.where(table.columns["member_id"] == member_id)) or 0
            )
    return counts


class TestPurge:
    async def test_every_table_of_the_portal_is_emptied_and_no_other(
        self, database_url: str
    ) -> None:
        engine = create_engine(database_url)
        sessions = create_session_factory(engine)
        try:
            async with unit_of_work(sessions) as session:
                for n, member_id in enumerate((GONE, KEPT), start=1):
                    await portal_store.register_portal(
                        session, registration(member_id), action_secret="s"
                    )
                    session.add_all(portal_rows(member_id, n))
                    await queue.arm_deal_sync(session, member_id, n)
            async with unit_of_work(sessions) as session:
                portal = await session.get(Portal, GONE)
                assert portal is not None
                await portal_store.mark_uninstalled(session, portal, purge=True)
            async with sessions() as session:
                gone, kept = await rows_of(session, GONE), await rows_of(session, KEPT)
                portal = await session.get(Portal, GONE)
        finally:
            await engine.dispose()
        assert {"kits", "short_links", "proposals", "jobs"} <= set(member_tables())
        assert set(gone.values()) == {0}, gone
        assert all(kept[name] >= 1 for name in ("kits", "short_links", "proposals", "jobs")), kept
        assert portal is not None and portal.status == portal_store.UNINSTALLED
