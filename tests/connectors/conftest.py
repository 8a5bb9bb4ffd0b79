"""Fixtures of the connector tests: a virtual clock and a fake portal behind respx."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import respx

from tests.connectors.bitrix24.support import PORTAL, FakePortal, VirtualClock


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
async def router() -> AsyncIterator[respx.MockRouter]:
    """respx intercepts every httpx request; an unmatched one fails the test."""
    async with respx.mock(assert_all_called=False, assert_all_mocked=True) as mock:
        yield mock


@pytest.fixture
def portal(clock: VirtualClock, router: respx.MockRouter) -> FakePortal:
    fake = FakePortal(clock)
    router.post(url__startswith=f"{PORTAL}/rest/").mock(side_effect=fake)
    return fake


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client
