"""Shared rate-budget stores: several processes, one budget per portal.

Bitrix24 counts requests per portal and source IP, so every worker and web
process on one server must draw from the same bucket (limits.md: "do not run
several parallel request streams from one IP"). Both stores apply the rule of
``budget.decide`` atomically; the time comes from the caller's clock (wall
clock in production, so all processes agree; a virtual clock in tests).

* ``RedisBudgetStore``: one hash per portal, updated by a Lua script.
* ``PostgresBudgetStore``: table ``rate_budgets`` (created by the app's
  Alembic migration), the rule as the SET clause of one
  ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``. Works on SQLite too.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    MetaData,
    String,
    Table,
    and_,
    bindparam,
    case,
    not_,
    or_,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from connectors.bitrix24.budget import EPSILON, MIN_WAIT, BucketPolicy, Decision

# Same rule as budget.decide; numbers travel as strings because Redis would
# truncate Lua numbers to integers, written with all 17 digits.
_ACQUIRE_LUA = """
-- tostring keeps 14 digits: 0.1 ms of a Unix time; %.17g keeps every bit of the double
local function exact(x) return string.format('%.17g', x) end
local now = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local drain = tonumber(ARGV[3])
local hold = tonumber(ARGV[4])
local saved = redis.call('HMGET', KEYS[1], 'level', 'updated_at', 'paused_until')
local level = tonumber(saved[1]) or 0
local updated = tonumber(saved[2]) or now
local paused = tonumber(saved[3]) or 0
local elapsed = math.max(0, now - updated)
level = math.max(0, level - drain * elapsed)
updated = math.max(now, updated)
local wait = 0
local probe = 0
if paused > now then
  wait = paused - now
elseif level + 1 - capacity > 1e-6 then
  wait = math.max(0.001, (level + 1 - capacity) / drain)
else
  level = level + 1
  if paused > 0 then
    probe = 1
    paused = now + hold
  end
end
redis.call('HSET', KEYS[1], 'level', exact(level), 'updated_at', exact(updated),
           'paused_until', exact(paused))
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[5]))
return {exact(wait), probe}
"""

_PAUSE_LUA = """
local paused = tonumber(redis.call('HGET', KEYS[1], 'paused_until')) or 0
if tonumber(ARGV[1]) > paused then
  redis.call('HSET', KEYS[1], 'paused_until', ARGV[1])
end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1
"""


class RedisBudgetStore:
    """Budget shared through Redis (``redis.asyncio.Redis``)."""

    def __init__(self, redis: Any, *, prefix: str = "b24:budget:", ttl_seconds: int = 3600) -> None:
        self._redis = redis
        self._prefix = prefix
        self._ttl = ttl_seconds
        self._acquire = redis.register_script(_ACQUIRE_LUA)
        self._pause = redis.register_script(_PAUSE_LUA)

    async def acquire(self, key: str, policy: BucketPolicy, now: float) -> Decision:
        args = [now, policy.usable_capacity, policy.usable_drain, policy.probe_hold, self._ttl]
        wait, probe = await self._acquire(keys=[self._prefix + key], args=[repr(a) for a in args])
        return Decision(wait=float(wait), probe=int(probe) == 1)

    async def pause(self, key: str, until: float) -> None:
        await self._pause(keys=[self._prefix + key], args=[repr(until), str(self._ttl)])

    async def resume(self, key: str) -> None:
        await self._redis.hset(self._prefix + key, "paused_until", "0")


_METADATA = MetaData()

rate_budgets = Table(
    "rate_budgets",
    _METADATA,
    Column("portal_key", String(255), primary_key=True),
    Column("level", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("paused_until", Float, nullable=False),
    # The latest acquire's decision, so that one upsert can both apply and return it.
    Column("last_wait", Float, nullable=False),
    Column("last_probe", Boolean, nullable=False),
)


class greatest(FunctionElement[float]):
    """``GREATEST(a, b)``; SQLite spells it ``max(a, b)``."""

    name = "greatest"
    inherit_cache = True


@compiles(greatest)
def _greatest(element: greatest, compiler: Any, **kw: Any) -> str:
    return f"greatest({compiler.process(element.clauses, **kw)})"


@compiles(greatest, "sqlite")
def _greatest_on_sqlite(element: greatest, compiler: Any, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"


def _decide_in_sql(now: Any, capacity: Any, drain: Any, hold: Any) -> dict[str, Any]:
    """``budget.decide`` as the SET clause of an upsert: each value from the stored row."""
    row = rate_budgets.c
    level = greatest(0.0, row.level - drain * greatest(0.0, now - row.updated_at))
    excess = level + 1.0 - capacity
    paused = row.paused_until > now
    full = excess > EPSILON
    granted = and_(not_(paused), not_(full))
    return {
        "level": case((granted, level + 1.0), else_=level),
        "updated_at": greatest(now, row.updated_at),
        "paused_until": case(
            (or_(paused, full), row.paused_until),
            (row.paused_until > 0.0, now + hold),
            else_=0.0,
        ),
        "last_wait": case(
            (paused, row.paused_until - now),
            (full, greatest(MIN_WAIT, excess / drain)),
            else_=0.0,
        ),
        "last_probe": and_(granted, row.paused_until > 0.0),
    }


def _acquire_statement(dialect: str) -> Any:
    """One atomic statement per acquire: a new portal's first request is granted outright."""
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    params = {name: bindparam(name, type_=Float) for name in ("now", "capacity", "drain", "hold")}
    fresh = insert(rate_budgets).values(
        portal_key=bindparam("key"),
        level=1.0,
        updated_at=params["now"],
        paused_until=0.0,
        last_wait=0.0,
        last_probe=False,
    )
    return fresh.on_conflict_do_update(
        index_elements=[rate_budgets.c.portal_key], set_=_decide_in_sql(**params)
    ).returning(rate_budgets.c.last_wait, rate_budgets.c.last_probe)


_UPSERT_PAUSE = text(
    "INSERT INTO rate_budgets (portal_key, level, updated_at, paused_until, last_wait, last_probe) "
    "VALUES (:key, 0, 0, :until, 0, false) ON CONFLICT (portal_key) DO UPDATE SET paused_until = "
    "CASE WHEN rate_budgets.paused_until < excluded.paused_until "
    "THEN excluded.paused_until ELSE rate_budgets.paused_until END"
)


class PostgresBudgetStore:
    """Budget shared through the app's database (SQLAlchemy ``AsyncEngine``).

    An acquire is one autocommitted ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``: one
    round trip, and the portal's row is locked only while that statement runs.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._acquire = _acquire_statement(engine.dialect.name)

    async def acquire(self, key: str, policy: BucketPolicy, now: float) -> Decision:
        values = {
            "key": key,
            "now": now,
            "capacity": policy.usable_capacity,
            "drain": policy.usable_drain,
            "hold": policy.probe_hold,
        }
        async with self._autocommit.connect() as conn:
            wait, probe = (await conn.execute(self._acquire, values)).one()
        return Decision(wait=float(wait), probe=bool(probe))

    async def pause(self, key: str, until: float) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(_UPSERT_PAUSE, {"key": key, "until": until})

    async def resume(self, key: str) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(rate_budgets)
                .where(rate_budgets.c.portal_key == key)
                .values(paused_until=0.0)
            )
