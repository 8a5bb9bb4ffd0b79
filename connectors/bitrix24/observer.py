"""Observability hooks: the app wires Prometheus (or anything) to this protocol.

The connector never imports a metrics library; it calls an optional observer
once per HTTP request and once per limiter wait.
"""

from __future__ import annotations

from typing import Protocol


class Observer(Protocol):
    """Receives connector measurements; must not raise and must not block."""

    def request_finished(self, method: str, status: str, seconds: float) -> None:
        """One HTTP request ended: ``status`` is the HTTP status ("200") or the
        Bitrix24 error code ("QUERY_LIMIT_EXCEEDED") or "TRANSPORT"."""
        ...

    def limiter_waited(self, portal_key: str, seconds: float) -> None:
        """A caller waited ``seconds`` for a rate slot of ``portal_key``."""
        ...


class NullObserver:
    """The default: measures nothing."""

    def request_finished(self, method: str, status: str, seconds: float) -> None:
        return None

    def limiter_waited(self, portal_key: str, seconds: float) -> None:
        return None
