"""Which portal failures make an order job wait for the portal (never dead-lettered) and
which keep the usual attempts."""

import pytest

from automations.exchange.portal_down import is_down
from connectors.bitrix24 import (
    BadRequestError,
    OverloadError,
    RateLimitError,
    ServerError,
    TransportError,
)


@pytest.mark.parametrize(
    ("error", "down"),
    [
        (ServerError("Service Unavailable", method="batch", http_status=503), True),
        (ServerError("Bad Gateway", method="batch", http_status=502), True),
        (ServerError("Gateway Timeout", method="batch", http_status=504), True),
        (TransportError("connect failed", method="batch"), True),
        (RateLimitError("Too many requests", method="batch", http_status=503), True),
        (ServerError("Internal server error", method="batch", http_status=500), False),
        (OverloadError("blocked", method="batch", http_status=503), False),
        (BadRequestError("wrong field", method="batch", http_status=400), False),
        (ValueError("a bug"), False),
    ],
)
def test_down_is_only_a_front_that_is_unavailable(error: Exception, down: bool) -> None:
    assert is_down(error) is down
