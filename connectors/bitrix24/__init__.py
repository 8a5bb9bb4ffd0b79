"""The Bitrix24 REST connector: the one client every REST call of the app goes through.

It owns the transport (an injected ``httpx.AsyncClient``, JSON bodies, no
redirects, timeouts under the 60 s cap), authentication (incoming webhook or
OAuth tokens refreshed once per portal on ``expired_token``), the SSRF
allow-list, the per-portal leaky-bucket limiter mirroring Bitrix24's request
counter (in-process, Redis or PostgreSQL state), the per-method operating-time
gate, priority lanes, batch packing with per-command outcomes, pagination, the
typed error tree and log redaction. It knows nothing of the app.
"""

from connectors.bitrix24.auth import AuthSnapshot, WebhookAuth
from connectors.bitrix24.batch import Call, Outcome
from connectors.bitrix24.budget import (
    BucketPolicy,
    BucketState,
    BudgetStore,
    Decision,
    InMemoryBudgetStore,
    decide,
)
from connectors.bitrix24.client import Bitrix24Client
from connectors.bitrix24.clock import Clock, SystemClock
from connectors.bitrix24.envelope import CallTime, Envelope, as_mapping
from connectors.bitrix24.errors import (
    ApiError,
    AuthError,
    BadRequestError,
    Bitrix24Error,
    HostNotAllowedError,
    NotFoundError,
    OperatingLimitError,
    OverloadError,
    PermissionDeniedError,
    ProtocolError,
    RateLimitError,
    ServerError,
    TokenExpiredError,
    TransportError,
)
from connectors.bitrix24.hosts import is_allowed_url
from connectors.bitrix24.limiter import BackoffPolicy, Grant, Priority, RateLimiter
from connectors.bitrix24.limiter_stores import PostgresBudgetStore, RedisBudgetStore
from connectors.bitrix24.oauth import InMemoryTokenStore, OAuthApp, OAuthTokens, TokenStore
from connectors.bitrix24.observer import NullObserver, Observer
from connectors.bitrix24.operating import OperatingGate, OperatingPolicy
from connectors.bitrix24.redaction import install_log_redaction, log_redactor, redact
from connectors.bitrix24.settings import ClientOptions, ClientSettings, OAuthOptions

__all__ = [
    "ApiError",
    "AuthError",
    "AuthSnapshot",
    "BackoffPolicy",
    "BadRequestError",
    "Bitrix24Client",
    "Bitrix24Error",
    "BucketPolicy",
    "BucketState",
    "BudgetStore",
    "Call",
    "CallTime",
    "ClientOptions",
    "ClientSettings",
    "Clock",
    "Decision",
    "Envelope",
    "Grant",
    "HostNotAllowedError",
    "InMemoryBudgetStore",
    "InMemoryTokenStore",
    "NotFoundError",
    "NullObserver",
    "OAuthApp",
    "OAuthOptions",
    "OAuthTokens",
    "Observer",
    "OperatingGate",
    "OperatingLimitError",
    "OperatingPolicy",
    "Outcome",
    "OverloadError",
    "PermissionDeniedError",
    "PostgresBudgetStore",
    "Priority",
    "ProtocolError",
    "RateLimitError",
    "RateLimiter",
    "RedisBudgetStore",
    "ServerError",
    "SystemClock",
    "TokenExpiredError",
    "TokenStore",
    "TransportError",
    "WebhookAuth",
    "as_mapping",
    "decide",
    "install_log_redaction",
    "is_allowed_url",
    "log_redactor",
    "redact",
]
