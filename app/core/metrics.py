"""Prometheus metrics. Labels carry method names and outcomes — never tokens or URLs."""

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

REST_CALLS = Counter(
    "b24bridge_rest_calls_total",
    "REST requests sent to portals",
    ["method", "status"],
    registry=REGISTRY,
)
REST_SECONDS = Histogram(
    "b24bridge_rest_seconds", "REST request duration", ["method"], registry=REGISTRY
)
LIMITER_WAIT = Histogram(
    "b24bridge_limiter_wait_seconds",
    "Time a call waited for the portal's rate budget",
    registry=REGISTRY,
)
JOB_RESULTS = Counter(
    "b24bridge_jobs_total",
    "Jobs finished by kind and result",
    ["kind", "result"],
    registry=REGISTRY,
)
DEAD_LETTERS = Counter(
    "b24bridge_dead_letter_total", "Jobs dead-lettered after their last attempt", registry=REGISTRY
)
INBOX_DEPTH = Gauge("b24bridge_inbox_depth", "Jobs by status", ["status"], registry=REGISTRY)
INBOX_LAG = Gauge("b24bridge_inbox_lag_seconds", "Age of the oldest pending job", registry=REGISTRY)
EVENTS_RECEIVED = Counter(
    "b24bridge_events_total", "Event deliveries by outcome", ["outcome"], registry=REGISTRY
)
UNKNOWN_OUTCOME_EFFECTS = Counter(
    "b24bridge_unknown_outcome_effects_total",
    "Side effects whose outcome is unknown after a crash (not retried blindly)",
    ["kind"],
    registry=REGISTRY,
)
