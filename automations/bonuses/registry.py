"""The ``bonus_registry`` job (one per portal): every ledger entry not yet in the portal's
registries is written there, packed into ``batch`` requests of 50 by the connector.

An accrual becomes an item of «Начисления» (stage «Начислено», its breakdown per row); a
reversal moves that item to «Аннулировано»; each deal touched gets «Бонус менеджера» set to
its ledger value. Idempotency: an item's effect is ``started`` before the write and
``done`` with the item id after it; one left ``started`` by a crash is looked up by its
``xmlId`` before it is created again (DR3). Stage moves and field writes are repeatable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from app.core import effects, portal_store, queue
from app.core.db import unit_of_work
from app.core.models import BonusReversal, Job, MoneyOperation
from app.core.portal_settings import load_portal_settings
from automations.bonuses import money_repository, repository
from automations.bonuses.money_text import as_field
from automations.bonuses.registry_items import accrual_item, op_id, operation_item
from automations.ports import Deps
from connectors.bitrix24 import Bitrix24Client, Bitrix24Error, Call, NotFoundError, Priority
from connectors.crm.gateway import CrmGateway

RUN_LIMIT = 1000
ITEM_WRITTEN = "item"  # the item is written; the deal field not yet


class RegistryWriteFailed(Exception):
    """Some registry writes failed; the job retries, done writes are skipped."""


def _gone(error: Bitrix24Error) -> bool:
    """A deal or item deleted in the portal: nothing to write there, not a failure."""
    return isinstance(error, NotFoundError) or "not found" in str(error).lower()


async def write_registries(deps: Deps, job: Job) -> str:
    async with deps.sessions() as session:
        portal = await portal_store.find_active_portal(session, job.member_id)
        values = await load_portal_settings(session, job.member_id)
    if portal is None:
        return "portal not active"
    if not values.get("accrual_entity_type_id"):
        return "registries not provisioned"
    writer = RegistryWriter(deps, deps.rest.for_portal(portal), job.member_id, values)
    async with deps.sessions() as session:
        pending = await repository.unwritten_entries(session, job.member_id, RUN_LIMIT)
        operations = await money_repository.unwritten_operations(
            session, job.member_id, RUN_LIMIT + 1
        )
    await writer.write(pending, operations[:RUN_LIMIT])
    if pending.more or len(operations) > RUN_LIMIT:
        async with unit_of_work(deps.sessions) as session:
            await queue.arm_bonus_registry(session, job.member_id)
    return (
        f"{len(pending.accruals)} accrual(s), {len(pending.reversals)} reversal(s), "
        f"{len(operations[:RUN_LIMIT])} operation(s) written"
    )


@dataclass
class RunPlan:
    """One run's writes: items to create (effect key, entry id, call), stage moves of items
    already known, moves waiting for an item created in this run, and the deal fields."""

    creates: list[tuple[str, tuple[str, int], Call]] = field(default_factory=list)
    moves: list[tuple[BonusReversal, Call]] = field(default_factory=list)
    deferred: list[BonusReversal] = field(default_factory=list)
    deal_ids: set[int] = field(default_factory=set)
    item_ids: dict[tuple[str, int], int] = field(default_factory=dict)  # (kind, entry id)


class RegistryWriter:
    """Everything pending goes out in one ``call_many`` (packed 50 per batch): the items to
    create (their effects end ``item``), the known items' stage moves and the deals' fields;
    a move of an item created in the same run follows in a second one. Then every effect of
    the run is ``done``: protection treats a deal as settled only when all of it is."""

    def __init__(
        self, deps: Deps, client: Bitrix24Client, member_id: str, values: dict[str, Any]
    ) -> None:
        self.deps, self.client, self.member_id, self.values = deps, client, member_id, values
        self.type_id = int(values["accrual_entity_type_id"])

    async def write(
        self, pending: repository.Unwritten, operations: Sequence[MoneyOperation]
    ) -> None:
        if operations and not self.values.get("operation_entity_type_id"):
            raise RegistryWriteFailed("the registry «Операции с деньгами» is not provisioned")
        plan = await self._plan(pending, operations)
        deal_calls = await self._deal_field_calls(sorted(plan.deal_ids))
        await self._send(plan, [call for _r, call in plan.moves] + deal_calls)
        if plan.deferred:
            later = [self._move(r, plan.item_ids[("accrual", r.accrual_id)]) for r in plan.deferred]
            await self._send(RunPlan(), later)
            plan.moves += list(zip(plan.deferred, later, strict=True))
        await self._finish(plan, pending, operations)

    async def _plan(
        self, pending: repository.Unwritten, operations: Sequence[MoneyOperation]
    ) -> RunPlan:
        plan = RunPlan()
        wanted: list[tuple[str, tuple[str, int], int, Call]] = [
            (repository.accrual_item_key(int(a.id or 0)), ("accrual", int(a.id or 0)), self.type_id,
             accrual_item(self.values, a))
            for a in pending.accruals
        ] + [
            (money_repository.operation_item_key(int(o.id or 0)), ("operation", int(o.id or 0)),
             int(self.values["operation_entity_type_id"]), operation_item(self.values, o))
            for o in operations
        ]  # fmt: skip
        async with self.deps.sessions() as session:
            keys = [key for key, *_rest in wanted]
            keys += [repository.accrual_item_key(r.accrual_id) for r in pending.reversals]
            known = await effects.statuses(session, self.member_id, keys)
            deals = await repository.deals_of_accruals(
                session, [r.accrual_id for r in pending.reversals]
            )
        for key, entry, type_id, call in wanted:
            found = await self._existing_item(type_id, key, known.get(key))
            if found:
                plan.item_ids[entry] = found
            else:
                plan.creates.append((key, entry, call))
        creating = {entry for _key, entry, _call in plan.creates}
        for reversal in pending.reversals:
            entry = ("accrual", reversal.accrual_id)
            record = known.get(repository.accrual_item_key(reversal.accrual_id))
            known_id = plan.item_ids.get(entry) or (record.result.get("item_id") if record else 0)
            if entry in creating:
                plan.deferred.append(reversal)
            elif known_id:
                plan.moves.append((reversal, self._move(reversal, int(known_id))))
            else:
                continue  # its accrual's item is written by a later run first
            plan.deal_ids.add(deals[reversal.accrual_id])
        plan.deal_ids |= {a.deal_id for a in pending.accruals}
        plan.deal_ids |= {o.deal_id for o in operations if o.deal_id and o.paid_delta_kopecks}
        return plan

    def _move(self, reversal: BonusReversal, item_id: int) -> Call:
        stage = self.values["accrual_stages"]["CANCELLED"]
        params = {"entityTypeId": self.type_id, "id": item_id, "fields": {"stageId": stage}}
        return ("crm.item.update", params)

    async def _send(self, plan: RunPlan, others: list[Call]) -> None:
        """The creates of ``plan`` and the repeatable ``others`` in one ``call_many``."""
        async with unit_of_work(self.deps.sessions) as session:
            await effects.start(
                session, self.member_id, [(k, "RegistryItem") for k, _e, _c in plan.creates]
            )
        calls = [call for _k, _e, call in plan.creates] + others
        outcomes = await self.client.call_many(calls, priority=Priority.BULK)
        created, rest = outcomes[: len(plan.creates)], outcomes[len(plan.creates) :]
        failed = []
        async with unit_of_work(self.deps.sessions) as session:
            for (key, entry, _call), outcome in zip(plan.creates, created, strict=True):
                if not outcome.ok:
                    failed.append(key)
                    continue
                item_id = int(((outcome.value or {}).get("item") or {}).get("id") or 0)
                plan.item_ids[entry] = item_id
                await effects.finish(
                    session, self.member_id, key, status=ITEM_WRITTEN, result={"item_id": item_id}
                )
            await effects.forget(session, self.member_id, failed)
        errors = len(failed) + sum(1 for o in rest if o.error and not _gone(o.error))
        if errors:
            raise RegistryWriteFailed(f"{errors} registry write(s) failed; the job retries")

    async def _finish(
        self, plan: RunPlan, pending: repository.Unwritten, operations: Sequence[MoneyOperation]
    ) -> None:
        async with unit_of_work(self.deps.sessions) as session:
            for kind, entries in (("accrual", pending.accruals), ("operation", operations)):
                for entry in entries:
                    entry_id = int(entry.id or 0)
                    key = (
                        repository.accrual_item_key(entry_id)
                        if kind == "accrual"
                        else money_repository.operation_item_key(entry_id)
                    )
                    item = {"item_id": plan.item_ids[(kind, entry_id)]}
                    await effects.start(session, self.member_id, [(key, "RegistryItem")])
                    await effects.finish(session, self.member_id, key, result=item)
            for reversal, _call in plan.moves:
                key = repository.reversal_item_key(int(reversal.id or 0))
                await effects.start(session, self.member_id, [(key, "AnnulItem")])
                await effects.finish(session, self.member_id, key)

    async def _existing_item(self, type_id: int, key: str, record: Any) -> int | None:
        """The item an earlier run made: recorded, or found by its ``xmlId`` after a crash."""
        if record is None:
            return None
        if record.status in (effects.DONE, ITEM_WRITTEN) and record.result.get("item_id"):
            return int(record.result["item_id"])
        found = await CrmGateway(self.client).find_item_by_xml_id(type_id, op_id(key))
        return found.id if found else None

    async def _deal_field_calls(self, deal_ids: Sequence[int]) -> list[Call]:
        """«Бонус менеджера» := the deal's active accrual, «Оплачено» := payments − change −
        refunds, both from the ledger (repeatable writes)."""
        bonus_field = str(self.values.get("bonus_deal_field") or "")
        paid_field = str(self.values.get("paid_deal_field") or "")
        if not bonus_field:
            return []
        calls: list[Call] = []
        async with self.deps.sessions() as session:
            for deal_id in deal_ids:
                bonus = await repository.active_deal_bonus(session, self.member_id, deal_id)
                paid = await money_repository.deal_payments(session, self.member_id, deal_id)
                fields = {bonus_field: as_field(bonus)}
                if paid_field:
                    fields[paid_field] = as_field(paid.paid_kopecks)
                calls.append(("crm.deal.update", {"id": deal_id, "fields": fields}))
        return calls
