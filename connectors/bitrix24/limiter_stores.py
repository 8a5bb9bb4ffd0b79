"""Shared rate-budget stores: several processes, one budget per portal.

Bitrix24 counts requests per portal and source IP, so every worker and web
process on one server must draw from the same bucket (limits.md: "do not run
several parallel request streams from one IP"). Both stores apply the rule of
``budget.decide`` atomically; the time comes from the caller's clock (wall
clock in production, so all processes agree; a virtual clock in tests).

* ``RedisBudgetStore``: one hash per portal, updated by a Lua script.
* ``PostgresBudgetStore``: table ``rate_budgets`` (created by the app's
  Alembic migration), row locked with ``SELECT ... FOR UPDATE``, created with
  ``INSERT ... ON CONFLICT``. Works on SQLite too (which has no row locks but
  serialises writers).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Float, MetaData, String, Table, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.bitrix24.budget import BucketPolicy, BucketState, Decision, decide

# Same rule as budget.decide; numbers travel as strings because Redis would
# truncate Lua numbers to integers.
_ACQUIRE_LUA = """
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
redis.call('HSET', KEYS[1], 'level', tostring(level), 'updated_at', tostring(updated),
           'paused_until', tostring(paused))
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[5]))
return {tostring(wait), probe}
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
)

_INSERT_IF_MISSING = text(
    "INSERT INTO rate_budgets (portal_key, level, updated_at, paused_until) "
    "VALUES (:key, 0, :now, 0) ON CONFLICT (portal_key) DO NOTHING"
)

_UPSERT_PAUSE = text(
    "INSERT INTO rate_budgets (portal_key, level, updated_at, paused_until) "
    "VALUES (:key, 0, 0, :until) ON CONFLICT (portal_key) DO UPDATE SET paused_until = "
    "CASE WHEN rate_budgets.paused_until < excluded.paused_until "
    "THEN excluded.paused_until ELSE rate_budgets.paused_until END"
)


class PostgresBudgetStore:
    """Budget shared through the app's database (SQLAlchemy ``AsyncEngine``)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def acquire(self, key: str, policy: BucketPolicy, now: float) -> Decision:
        async with self._engine.begin() as conn:
            await conn.execute(_INSERT_IF_MISSING, {"key": key, "now": now})
            query = (
                select(rate_budgets.c.level, rate_budgets.c.updated_at, rate_budgets.c.paused_until)
                .where(rate_budgets.c.portal_key == key)
                .with_for_update()
            )
            row = (await conn.execute(query)).one()
            state, decision = decide(BucketState(*map(float, row)), policy, now)
            await conn.execute(
                update(rate_budgets)
                .where(rate_budgets.c.portal_key == key)
                .values(
                    level=state.level, updated_at=state.updated_at, paused_until=state.paused_until
                )
            )
        return decision

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
