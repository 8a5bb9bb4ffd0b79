"""The short-link table on a real database: one code per (portal, URL), never shared across
portals, and a click counted by the same statement that reads the target."""

from collections.abc import AsyncIterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.db import create_engine, create_session_factory, unit_of_work
from app.core.models import ShortLink
from automations.proposals import repository
from automations.proposals.link_rules import looks_like_code

MEMBERS = st.sampled_from(["portal-a", "portal-b", "portal-c"])
PATHS = st.text(alphabet="abcxyz0189/-", min_size=1, max_size=12)
PAIRS = st.lists(st.tuples(MEMBERS, PATHS.map(lambda p: f"https://shop.example.cn/{p}")))


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    yield create_session_factory(engine)
    await engine.dispose()


class TestShortLinkStore:
    @settings(
        max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(pairs=PAIRS)
    async def test_the_same_url_in_one_portal_keeps_its_code_and_codes_never_collide(
        self, sessions: async_sessionmaker[AsyncSession], pairs: list[tuple[str, str]]
    ) -> None:
        codes: dict[tuple[str, str], str] = {}
        for member_id, url in pairs:
            async with unit_of_work(sessions) as session:
                code = await repository.shorten(session, member_id, url)
            assert looks_like_code(code)
            assert codes.setdefault((member_id, url), code) == code
        async with sessions() as session:
            stored = list(await session.execute(select(ShortLink.member_id, ShortLink.url_hash)))
            total = await session.scalar(select(func.count()).select_from(ShortLink))
            distinct = await session.scalar(select(func.count(func.distinct(ShortLink.code))))
        assert total == distinct == len(set(stored))
        assert len(set(codes.values())) == len(codes)

    async def test_many_urls_are_shortened_in_one_call_and_again_to_the_same_codes(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        urls = [f"https://detail.1688.com/offer/{n}.html" for n in range(120)]
        async with unit_of_work(sessions) as session:
            first = await repository.shorten_many(session, "portal-a", urls)
        async with unit_of_work(sessions) as session:
            again = await repository.shorten_many(session, "portal-a", [*reversed(urls), urls[0]])
            other = await repository.shorten_many(session, "portal-b", urls[:3])
        assert first == again
        assert len(set(first.values())) == 120
        assert not set(other.values()) & set(first.values())

    async def test_following_counts_the_click_and_an_unknown_code_counts_nothing(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        url = "https://shop.example.cn/item/1"
        async with unit_of_work(sessions) as session:
            code = await repository.shorten(session, "portal-a", url)
        for _ in range(3):
            async with unit_of_work(sessions) as session:
                assert await repository.follow(session, code) == url
        async with unit_of_work(sessions) as session:
            assert await repository.follow(session, "Zz" + code[2:] + "x") is None
            assert await repository.clicks_by_url(session, "portal-a", [url, "https://x.cn/"]) == {
                url: 3
            }
