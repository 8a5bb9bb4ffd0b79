"""Fixtures for the procurement rules' tests."""

import pytest

from automations.procurement import DealStage
from tests.automations.procurement.world import World, deal, row


@pytest.fixture
def world() -> World:
    return World(deal=deal(DealStage.NEW, row(1, 10, "Рюкзак"), row(2, 20, "Сумка")))
