"""Sending one REST request: allow-list, limiter, auth refresh, retries, redirects.

``Requester.request`` is the path every HTTP request of the client takes:
the SSRF allow-list, the rate limiter (operating gate, priority lane, shared
budget), one JSON POST without redirects and the envelope parser. Failures
become typed errors; transient ones are retried by one tenacity policy;
``expired_token`` triggers one refresh and one retry; a 302 from a moved
portal is re-POSTed to an allow-listed host (change-domen.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, wait_random_exponential

from connectors.bitrix24.auth import Authenticator, AuthSnapshot
from connectors.bitrix24.budget import BucketPolicy
from connectors.bitrix24.envelope import Envelope, parse_envelope
from connectors.bitrix24.errors import (
    OperatingLimitError,
    ProtocolError,
    RateLimitError,
    TokenExpiredError,
    is_idempotent_method,
    is_rate_refusal,
    is_retryable,
)
from connectors.bitrix24.hosts import require_allowed_url
from connectors.bitrix24.limiter import Priority, RateLimiter
from connectors.bitrix24.observer import NullObserver
from connectors.bitrix24.operating import OperatingGate
from connectors.bitrix24.redaction import install_log_redaction
from connectors.bitrix24.settings import ClientOptions, ClientSettings
from connectors.bitrix24.transport import REDIRECT_STATUSES, HttpAnswer, HttpTransport


class Wiring:
    """The collaborators a client is built from (shared by both factories)."""

    def __init__(self, options: ClientOptions) -> None:
        self.settings = options.get("settings") or ClientSettings()
        self.allowed_hosts = tuple(options.get("allowed_hosts") or ())
        self.owns_http = "http" not in options
        self.http = options.get("http") or httpx.AsyncClient()
        self.observer = options.get("observer") or NullObserver()
        self.transport = HttpTransport(
            self.http, self.observer, timeout_seconds=self.settings.timeout_seconds
        )
        self.limiter = options.get("limiter") or self._limiter(options)

    def _limiter(self, options: ClientOptions) -> RateLimiter:
        policy = BucketPolicy(
            capacity=float(options.get("rate_capacity", 50.0)),
            drain_per_second=float(options.get("rate_per_second", 2.0)),
            capacity_margin=self.settings.capacity_margin,
            drain_factor=self.settings.drain_factor,
            jitter_seconds=self.settings.jitter_seconds,
        )
        return RateLimiter(
            options.get("limiter_store"),
            policy,
            clock=options.get("clock"),
            operating=OperatingGate(self.settings.operating),
            backoff=self.settings.backoff,
            max_in_flight=self.settings.max_in_flight,
            observer=self.observer,
        )


class Requester:
    """Sends requests for one portal; see the module docstring."""

    def __init__(self, auth: Authenticator, wiring: Wiring) -> None:
        self._auth = auth
        self._settings = wiring.settings
        self._limiter = wiring.limiter
        self._transport = wiring.transport
        self._allowed_hosts = wiring.allowed_hosts
        self.portal_key = auth.portal_key
        self._retrying = AsyncRetrying(
            stop=self._should_stop,
            wait=self._wait_before_retry,
            sleep=self._limiter.clock.sleep,
            reraise=True,
        )
        install_log_redaction(*auth.secrets())

    async def request(
        self, method: str, params: Mapping[str, Any], priority: Priority, methods: frozenset[str]
    ) -> Envelope:
        idempotent = all(is_idempotent_method(m) for m in methods)
        retrying = self._retrying.copy(
            retry=retry_if_exception(lambda exc: is_retryable(exc, idempotent=idempotent))
        )
        async for attempt in retrying:
            with attempt:
                return await self._attempt(method, params, priority, methods)
        raise AssertionError("tenacity re-raises the last error")  # pragma: no cover

    async def _attempt(
        self, method: str, params: Mapping[str, Any], priority: Priority, methods: frozenset[str]
    ) -> Envelope:
        snapshot = await self._auth.snapshot()
        try:
            return await self._send(method, params, snapshot, priority, methods)
        except TokenExpiredError:
            # oauth/index.md: on expired_token refresh once and repeat the call.
            await self._auth.refresh(snapshot)
            install_log_redaction(*self._auth.secrets())
            snapshot = await self._auth.snapshot()
            return await self._send(method, params, snapshot, priority, methods)

    async def _send(
        self,
        method: str,
        params: Mapping[str, Any],
        snapshot: AuthSnapshot,
        priority: Priority,
        methods: frozenset[str],
    ) -> Envelope:
        url = snapshot.url(method)
        require_allowed_url(url, self._allowed_hosts, method=method)
        grant = await self._limiter.acquire(self.portal_key, methods, priority)
        try:
            envelope = await self._post(url, snapshot.body(params), method)
        except RateLimitError:
            await self._limiter.refused_rate(grant)
            raise
        except OperatingLimitError as exc:
            for blocked in methods:
                exc.reset_at = self._limiter.refused_operating(self.portal_key, blocked)
            raise
        finally:
            self._limiter.release(grant)
        await self._limiter.succeeded(grant, [(method, envelope.time)])
        return envelope

    async def _post(self, url: str, body: Mapping[str, Any], method: str) -> Envelope:
        answer = await self._transport.post_json(url, body, method=method)
        if answer.status in REDIRECT_STATUSES:
            answer = await self._follow_move(url, answer.location, body, method)
        return parse_envelope(answer.payload, method=method, http_status=answer.status)

    async def _follow_move(
        self, url: str, location: str | None, body: Mapping[str, Any], method: str
    ) -> HttpAnswer:
        """The portal changed its domain (change-domen.md): re-POST, never follow as GET."""
        if not location:
            raise ProtocolError("redirect without Location", method=method)
        target = urljoin(url, location)
        require_allowed_url(target, self._allowed_hosts, method=method)
        await self._auth.moved(_endpoint_of(target, url, method))
        answer = await self._transport.post_json(target, body, method=method)
        if answer.status in REDIRECT_STATUSES:
            raise ProtocolError("redirected twice", method=method)
        return answer

    def _should_stop(self, state: RetryCallState) -> bool:
        error = state.outcome.exception() if state.outcome else None
        if error is not None and is_rate_refusal(error):
            return state.attempt_number >= self._settings.max_rate_refusals
        return state.attempt_number >= self._settings.max_attempts

    def _wait_before_retry(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if error is not None and is_rate_refusal(error):
            return 0.0  # the limiter holds the next attempt until the pause ends
        backoff = wait_random_exponential(multiplier=0.5, max=self._settings.retry_wait_max_seconds)
        return float(backoff(state))


def _endpoint_of(target: str, old_url: str, method: str) -> str:
    """The REST base of a redirect target: strip the method, or keep the old path."""
    path = urlsplit(target).path
    for suffix in (method, method + ".json"):
        if path.endswith("/" + suffix):
            return target[: target.rindex(suffix)].split("?", 1)[0]
    parts = urlsplit(target)
    old_path = urlsplit(old_url).path
    return f"{parts.scheme}://{parts.netloc}{old_path[: len(old_path) - len(method)]}"
