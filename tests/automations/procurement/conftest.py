"""Fixtures for the procurement rules' tests."""

import pytest
from procurement_world import World, deal, row

from automations.procurement import DealStage


@pytest.fixture
def world() -> World:
    return World(deal=deal(DealStage.NEW, row(1, 10, "Рюкзак"), row(2, 20, "Сумка")))
