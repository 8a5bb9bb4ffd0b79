"""``Bitrix24Client``: the one door every REST call of the app goes through.

Public surface: ``call`` / ``call_envelope`` for one method, ``call_many`` for
independent calls packed into batches with one ``Outcome`` per call,
``batch`` for named commands with ``$result[...]`` references, ``iterate``
for list methods. Each HTTP request goes through ``requester.Requester``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any, Self, Unpack

from connectors.bitrix24.auth import Authenticator, WebhookAuth
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
from connectors.bitrix24.envelope import Envelope
from connectors.bitrix24.errors import (
    AuthError,
    Bitrix24Error,
    OperatingLimitError,
    is_rate_refusal,
)
from connectors.bitrix24.hosts import require_allowed_url
from connectors.bitrix24.limiter import Priority, RateLimiter
from connectors.bitrix24.oauth import OAuthApp, OAuthAuth, OAuthTokens, TokenStore
from connectors.bitrix24.pagination import iter_by_id, iter_pages
from connectors.bitrix24.requester import Requester, Wiring
from connectors.bitrix24.settings import ClientOptions, OAuthOptions


class Bitrix24Client:
    """Async Bitrix24 REST client for one portal."""

    def __init__(self, auth: Authenticator, wiring: Wiring) -> None:
        self._auth = auth
        self._wiring = wiring
        self._settings = wiring.settings
        self._limiter = wiring.limiter
        self._requester = Requester(auth, wiring)

    @classmethod
    def from_webhook(cls, url: str, **options: Unpack[ClientOptions]) -> Self:
        """Client authenticated by an incoming webhook URL (``.../rest/{user}/{code}/``)."""
        require_allowed_url(url, options.get("allowed_hosts") or ())
        auth = WebhookAuth(url, portal_key=options.get("portal_key"))
        return cls(auth, Wiring(options))

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
        wiring = Wiring(options)
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

    async def refresh_tokens(self) -> OAuthTokens:
        """Refresh the OAuth pair now and return it (install-time identity proof only)."""
        if not isinstance(self._auth, OAuthAuth):
            raise AuthError(
                "a webhook client has no OAuth tokens to refresh", code="WRONG_AUTH_TYPE"
            )
        return await self._auth.refresh_now()

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
        return await self._requester.request(method, params, priority, frozenset({method}))

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
        envelope = await self._requester.request(
            BATCH_METHOD, batch_body(commands, halt=halt), priority, methods
        )
        parsed = parse_batch(envelope.result, commands)
        for key, result in parsed.items():
            method = commands[key][0]
            self._limiter.operating.record(self.portal_key, method, result.time)
            if isinstance(result.error, OperatingLimitError):
                result.error.reset_at = self._limiter.refused_operating(self.portal_key, method)
        return parsed
