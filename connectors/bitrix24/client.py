"""``Bitrix24Client``: the one door every REST call of the app goes through.

A call passes, in order: the SSRF allow-list, the rate limiter (operating
gate, priority lane, shared budget), one JSON POST without redirects, the
envelope parser; failures become typed errors, transient ones are retried by
one tenacity policy, ``expired_token`` triggers one refresh and one retry,
and a 302 from a moved portal is re-POSTed to an allow-listed host.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any, Self, Unpack
from urllib.parse import urljoin, urlsplit

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, wait_random_exponential

from connectors.bitrix24.auth import Authenticator, AuthSnapshot, WebhookAuth
from connectors.bitrix24.batch import (
    BATCH_METHOD,
    MAX_COMMANDS,
    Call,
    CommandResult,
    Outcome,
    batch_body,
    chunks,
    command_key,
    parse_batch,
)
from connectors.bitrix24.budget import BucketPolicy
from connectors.bitrix24.envelope import Envelope, parse_envelope
from connectors.bitrix24.errors import (
    Bitrix24Error,
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
from connectors.bitrix24.oauth import OAuthApp, OAuthAuth, TokenStore
from connectors.bitrix24.observer import NullObserver
from connectors.bitrix24.operating import OperatingGate
from connectors.bitrix24.pagination import iter_by_id, iter_pages
from connectors.bitrix24.redaction import install_log_redaction
from connectors.bitrix24.settings import ClientOptions, ClientSettings, OAuthOptions
from connectors.bitrix24.transport import REDIRECT_STATUSES, HttpAnswer, HttpTransport


class _Wiring:
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


class Bitrix24Client:
    """Async Bitrix24 REST client for one portal."""

    def __init__(self, auth: Authenticator, wiring: _Wiring) -> None:
        self._auth = auth
        self._wiring = wiring
        self._settings = wiring.settings
        self._limiter = wiring.limiter
        self._transport = wiring.transport
        self._allowed_hosts = wiring.allowed_hosts
        self._retrying = AsyncRetrying(
            stop=self._should_stop,
            wait=self._wait_before_retry,
            sleep=self._limiter.clock.sleep,
            reraise=True,
        )
        install_log_redaction(*auth.secrets())

    @classmethod
    def from_webhook(cls, url: str, **options: Unpack[ClientOptions]) -> Self:
        """Client authenticated by an incoming webhook URL (``.../rest/{user}/{code}/``)."""
        require_allowed_url(url, options.get("allowed_hosts") or ())
        auth = WebhookAuth(url, portal_key=options.get("portal_key"))
        return cls(auth, _Wiring(options))

    @classmethod
    def from_oauth(
        cls,
        member_id: str,
        token_store: TokenStore,
        *,
        client_id: str,
        client_secret: str,
        **options: Unpack[OAuthOptions],
    ) -> Self:
        """Client authenticated by the OAuth tokens the store holds for ``member_id``."""
        wiring = _Wiring(options)
        app = OAuthApp(
            client_id, client_secret, options.get("oauth_url", "https://oauth.bitrix.info")
        )
        auth = OAuthAuth(
            member_id, token_store, app, wiring.transport, allowed_hosts=wiring.allowed_hosts
        )
        return cls(auth, wiring)

    @property
    def limiter(self) -> RateLimiter:
        return self._limiter

    @property
    def portal_key(self) -> str:
        return self._auth.portal_key

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP client if this client created it."""
        if self._wiring.owns_http:
            await self._wiring.http.aclose()

    async def call(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        *,
        priority: Priority = Priority.BULK,
    ) -> Any:
        """Call one REST method; returns its ``result`` or raises a typed error."""
        envelope = await self.call_envelope(method, params or {}, priority=priority)
        return envelope.result

    async def call_envelope(
        self, method: str, params: Mapping[str, Any], *, priority: Priority = Priority.BULK
    ) -> Envelope:
        """Like ``call`` but returns the whole envelope (``total``, ``next``, ``time``)."""
        return await self._request(method, params, priority, frozenset({method}))

    async def call_many(
        self, calls: Iterable[Call], *, priority: Priority = Priority.BULK
    ) -> list[Outcome[Any]]:
        """Independent calls packed into batches of <= 50; one ``Outcome`` per call, in order."""
        items = list(calls)
        outcomes: list[Outcome[Any]] = [Outcome() for _ in items]
        groups = [(i * MAX_COMMANDS, group) for i, group in enumerate(chunks(items))]
        await asyncio.gather(*(self._run_group(o, g, outcomes, priority) for o, g in groups))
        return outcomes

    async def batch(
        self,
        commands: Mapping[str, Call],
        *,
        halt: bool = False,
        priority: Priority = Priority.BULK,
    ) -> dict[str, Outcome[Any]]:
        """One ``batch`` request of named commands that may use ``$result[name]`` references."""
        results = await self.run_batch(commands, priority=priority, retry_refused=False, halt=halt)
        return {key: results[key].outcome() for key in commands if key in results}

    def iterate(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        *,
        priority: Priority = Priority.BULK,
        fast: bool = False,
    ) -> AsyncIterator[Any]:
        """Every row of a list method; ``fast`` walks the ID cursor (``start=-1``, no total)."""
        if fast:
            return iter_by_id(
                self, method, params or {}, priority=priority,
                pages_per_batch=self._settings.id_pages_per_batch,
            )  # fmt: skip
        return iter_pages(
            self, method, params or {}, priority=priority,
            pages_per_batch=self._settings.pages_per_batch,
        )  # fmt: skip

    async def run_batch(
        self,
        commands: Mapping[str, Call],
        *,
        priority: Priority,
        retry_refused: bool,
        halt: bool = False,
    ) -> dict[str, CommandResult]:
        """Send commands as batch requests; commands refused for rate reasons go again
        when ``retry_refused`` (independent commands only), else come back as errors."""
        results: dict[str, CommandResult] = {}
        pending = dict(commands)
        for _ in range(self._settings.max_rate_refusals):
            parsed = await self._send_batch(pending, priority, halt)
            refused = {key for key, r in parsed.items() if r.error and is_rate_refusal(r.error)}
            results.update(
                {k: r for k, r in parsed.items() if k not in refused or not retry_refused}
            )
            pending = {key: pending[key] for key in refused} if retry_refused else {}
            if not pending:
                return results
        results.update({k: parsed[k] for k in pending})
        return results

    async def _run_group(
        self, offset: int, group: Sequence[Call], outcomes: list[Outcome[Any]], priority: Priority
    ) -> None:
        if len(group) == 1:
            method, params = group[0]
            outcomes[offset] = await self._outcome_of(method, params, priority)
            return
        commands = {command_key(i): call for i, call in enumerate(group)}
        try:
            results = await self.run_batch(commands, priority=priority, retry_refused=True)
        except Bitrix24Error as exc:
            for index in range(len(group)):
                outcomes[offset + index] = Outcome(error=exc)
            return
        for index in range(len(group)):
            outcomes[offset + index] = results[command_key(index)].outcome()

    async def _outcome_of(
        self, method: str, params: Mapping[str, Any], priority: Priority
    ) -> Outcome[Any]:
        try:
            return Outcome(value=await self.call(method, params, priority=priority))
        except Bitrix24Error as exc:
            return Outcome(error=exc)

    async def _send_batch(
        self, commands: Mapping[str, Call], priority: Priority, halt: bool
    ) -> dict[str, CommandResult]:
        methods = frozenset(method for method, _ in commands.values())
        envelope = await self._request(
            BATCH_METHOD, batch_body(commands, halt=halt), priority, methods
        )
        parsed = parse_batch(envelope.result, commands)
        for key, result in parsed.items():
            method = commands[key][0]
            self._limiter.operating.record(self.portal_key, method, result.time)
            if isinstance(result.error, OperatingLimitError):
                result.error.reset_at = self._limiter.refused_operating(self.portal_key, method)
        return parsed

    async def _request(
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
