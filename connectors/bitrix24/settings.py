"""Tunables of the client and the keyword options of its factories."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TypedDict

import httpx

from connectors.bitrix24.budget import BudgetStore
from connectors.bitrix24.clock import Clock
from connectors.bitrix24.limiter import BackoffPolicy, RateLimiter
from connectors.bitrix24.observer import Observer
from connectors.bitrix24.operating import OperatingPolicy


@dataclass(frozen=True, slots=True)
class ClientSettings:
    """Timeouts, retry limits and margins (defaults follow limits.md)."""

    # Bitrix24 cloud interrupts a request after 60 s; give up a little earlier.
    timeout_seconds: float = 55.0
    max_in_flight: int = 8
    pages_per_batch: int = 50
    id_pages_per_batch: int = 10
    max_attempts: int = 5
    max_rate_refusals: int = 500
    retry_wait_max_seconds: float = 10.0
    # Slots kept free below the server's capacity, and seconds of drain kept for requests
    # that reach the portal bunched; benchmarks/rest_throughput.py --margins shows the edge.
    capacity_margin: float = 1.0
    drain_factor: float = 1.0
    jitter_seconds: float = 0.2
    operating: OperatingPolicy = field(default_factory=OperatingPolicy)
    backoff: BackoffPolicy = field(default_factory=BackoffPolicy)


class ClientOptions(TypedDict, total=False):
    """Keyword options shared by ``from_webhook`` and ``from_oauth``."""

    rate_capacity: float
    rate_per_second: float
    allowed_hosts: Collection[str]
    http: httpx.AsyncClient
    limiter_store: BudgetStore
    limiter: RateLimiter
    clock: Clock
    observer: Observer
    settings: ClientSettings
    portal_key: str


class OAuthOptions(ClientOptions, total=False):
    """``from_oauth`` options: the authorization server on top of the shared ones."""

    oauth_url: str
