"""The ``bonus_registry`` job (one per portal): every ledger entry not yet in the portal's
registries is written there, packed into ``batch`` requests of 50 by the connector.

An accrual becomes an item of «Начисления» (stage «Начислено», its breakdown per row); a
reversal moves that item to «Аннулировано»; each deal touched gets «Бонус менеджера» set to
its ledger value. Idempotency: an item's effect is ``started`` before the write and
``done`` with the item id after it; one left ``started`` by a crash is looked up by its
``xmlId`` before it is created again (DR3). Stage moves and field writes are repeatable.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from app.core import effects, portal_store, queue
from app.core.db import unit_of_work
from app.core.models import BonusAccrual, BonusReversal, Job, MoneyOperation
from app.core.portal_settings import load_portal_settings
from automations.bonuses import repository
from automations.bonuses.money_rules import KIND_TITLES
from automations.bonuses.money_text import as_field, as_rubles
from automations.ports import Deps
from connectors.bitrix24 import Bitrix24Client, Call, Priority
from connectors.crm.gateway import CrmGateway

RUN_LIMIT = 1000
ITEM_WRITTEN = "item"  # the item is written; the deal field not yet


class RegistryWriteFailed(Exception):
    """Some registry writes failed; the job retries, done writes are skipped."""


def op_id(key: str) -> str:
    return "b24b-" + hashlib.sha256(key.encode()).hexdigest()[:32]


def basis_text(breakdown: Sequence[dict[str, Any]]) -> str:
    parts = []
    for line in breakdown:
        rate = f"{line['rate']} ₽/шт" if "fixed" in str(line["basis"]) else f"{line['rate']} %"
        parts.append(
            f"{line['name']}: {as_rubles(int(line['row_total_kopecks']))} → {rate}"
            f" = {as_rubles(int(line['amount_kopecks']))}"
        )
    return "; ".join(parts)


def accrual_item(values: dict[str, Any], accrual: BonusAccrual) -> Call:
    fields = values["accrual_fields"]
    return (
        "crm.item.add",
        {
            "entityTypeId": int(values["accrual_entity_type_id"]),
            "fields": {
                "title": f"Бонус по сделке №{accrual.deal_id}",
                "assignedById": accrual.manager_id,
                "stageId": values["accrual_stages"]["DONE"],
                "xmlId": op_id(repository.accrual_item_key(int(accrual.id or 0))),
                fields["deal"]: accrual.deal_id,
                fields["amount"]: as_field(accrual.amount_kopecks),
                fields["basis"]: basis_text(accrual.breakdown),
                fields["office"]: accrual.office,
            },
        },
    )


def operation_item(values: dict[str, Any], operation: MoneyOperation) -> Call:
    fields = values["operation_fields"]
    title = f"{KIND_TITLES[operation.kind]} {as_rubles(operation.amount_kopecks)}"
    if operation.deal_id:
        title += f" · сделка №{operation.deal_id}"
    return (
        "crm.item.add",
        {
            "entityTypeId": int(values["operation_entity_type_id"]),
            "fields": {
                "title": title,
                "stageId": values["operation_stages"]["DONE"],
                "xmlId": op_id(repository.operation_item_key(int(operation.id or 0))),
                fields["kind"]: KIND_TITLES[operation.kind],
                fields["amount"]: as_field(operation.amount_kopecks),
                fields["deal"]: operation.deal_id or 0,
                fields["account"]: operation.account_code,
                fields["manager"]: operation.manager_id or 0,
                fields["comment"]: operation.comment,
            },
        },
    )


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
        operations = await repository.unwritten_operations(session, job.member_id, RUN_LIMIT + 1)
    await writer.write(pending, operations[:RUN_LIMIT])
    if pending.more or len(operations) > RUN_LIMIT:
        async with unit_of_work(deps.sessions) as session:
            await queue.arm_bonus_registry(session, job.member_id)
    return (
        f"{len(pending.accruals)} accrual(s), {len(pending.reversals)} reversal(s), "
        f"{len(operations[:RUN_LIMIT])} operation(s) written"
    )


class RegistryWriter:
    """Items first (their effects ``item``), then the deals' field, then every effect of the
    run ``done``: protection treats a deal as settled only when all of it is done."""

    def __init__(
        self, deps: Deps, client: Bitrix24Client, member_id: str, values: dict[str, Any]
    ) -> None:
        self.deps, self.client, self.member_id, self.values = deps, client, member_id, values
        self.type_id = int(values["accrual_entity_type_id"])

    async def write(
        self, pending: repository.Unwritten, operations: Sequence[MoneyOperation]
    ) -> None:
        keys = [repository.accrual_item_key(int(a.id or 0)) for a in pending.accruals]
        keys += [repository.reversal_item_key(int(r.id or 0)) for r in pending.reversals]
        async with self.deps.sessions() as session:
            known = await effects.statuses(session, self.member_id, keys)
            accrual_ids = [r.accrual_id for r in pending.reversals]
            deals = await repository.deals_of_accruals(session, accrual_ids)
        item_ids = await self._accrual_items(pending.accruals, known)
        moved = await self._annul_items(pending.reversals, known, item_ids)
        operation_items = await self._operation_items(operations)
        deal_ids = {a.deal_id for a in pending.accruals} | {deals[r.accrual_id] for r in moved}
        deal_ids |= {o.deal_id for o in operations if o.deal_id and o.paid_delta_kopecks}
        await self._deal_fields(sorted(deal_ids))
        async with unit_of_work(self.deps.sessions) as session:
            for accrual in pending.accruals:
                key = repository.accrual_item_key(int(accrual.id or 0))
                item = {"item_id": item_ids[int(accrual.id or 0)]}
                await effects.finish(session, self.member_id, key, result=item)
            for reversal in moved:
                key = repository.reversal_item_key(int(reversal.id or 0))
                await effects.finish(session, self.member_id, key)
            for operation_id, item_id in operation_items.items():
                key = repository.operation_item_key(operation_id)
                await effects.finish(session, self.member_id, key, result={"item_id": item_id})

    async def _accrual_items(
        self, accruals: Sequence[BonusAccrual], known: dict[str, Any]
    ) -> dict[int, int]:
        """Create the missing items; the item id of every accrual given."""
        wanted = {
            int(a.id or 0): (
                repository.accrual_item_key(int(a.id or 0)),
                accrual_item(self.values, a),
            )
            for a in accruals
        }
        return await self._items(self.type_id, wanted, known)

    async def _operation_items(self, operations: Sequence[MoneyOperation]) -> dict[int, int]:
        if not operations:
            return {}
        if not self.values.get("operation_entity_type_id"):
            raise RegistryWriteFailed("the registry «Операции с деньгами» is not provisioned")
        wanted = {
            int(o.id or 0): (
                repository.operation_item_key(int(o.id or 0)),
                operation_item(self.values, o),
            )
            for o in operations
        }
        async with self.deps.sessions() as session:
            known = await effects.statuses(
                session, self.member_id, [key for key, _call in wanted.values()]
            )
        return await self._items(int(self.values["operation_entity_type_id"]), wanted, known)

    async def _items(
        self, type_id: int, wanted: dict[int, tuple[str, Call]], known: dict[str, Any]
    ) -> dict[int, int]:
        """Create the items not made yet (looked up first after a crash), packed into
        batches; their effects end ``item`` with the item id. The id of every entry."""
        item_ids: dict[int, int] = {}
        todo = []
        for entry_id, (key, call) in wanted.items():
            found = await self._existing_item(type_id, key, known.get(key))
            if found:
                item_ids[entry_id] = found
            else:
                todo.append((entry_id, key, call))
        async with unit_of_work(self.deps.sessions) as session:
            await effects.start(
                session, self.member_id, [(key, "RegistryItem") for _i, key, _c in todo]
            )
        outcomes = await self.client.call_many([c for _i, _k, c in todo], priority=Priority.BULK)
        failed = []
        async with unit_of_work(self.deps.sessions) as session:
            for (entry_id, key, _call), outcome in zip(todo, outcomes, strict=True):
                if not outcome.ok:
                    failed.append(key)
                    continue
                item_id = int(((outcome.value or {}).get("item") or {}).get("id") or 0)
                item_ids[entry_id] = item_id
                await effects.finish(
                    session, self.member_id, key, status=ITEM_WRITTEN, result={"item_id": item_id}
                )
            await effects.forget(session, self.member_id, failed)
        if failed:
            raise RegistryWriteFailed(f"{len(failed)} registry item(s) not created")
        return item_ids

    async def _existing_item(self, type_id: int, key: str, record: Any) -> int | None:
        """The item an earlier run made: recorded, or found by its ``xmlId`` after a crash."""
        if record is None:
            return None
        if record.status in (effects.DONE, ITEM_WRITTEN) and record.result.get("item_id"):
            return int(record.result["item_id"])
        found = await CrmGateway(self.client).find_item_by_xml_id(type_id, op_id(key))
        return found.id if found else None

    async def _annul_items(
        self, reversals: Sequence[BonusReversal], known: dict[str, Any], item_ids: dict[int, int]
    ) -> list[BonusReversal]:
        """Move the items of annulled accruals to «Аннулировано» (a repeatable write)."""
        missing = [r.accrual_id for r in reversals if r.accrual_id not in item_ids]
        async with self.deps.sessions() as session:
            records = await effects.statuses(
                session, self.member_id, [repository.accrual_item_key(i) for i in missing]
            )
        for accrual_id in missing:
            record = records.get(repository.accrual_item_key(accrual_id))
            if record is not None and record.result.get("item_id"):
                item_ids[accrual_id] = int(record.result["item_id"])
        ready = [r for r in reversals if r.accrual_id in item_ids]  # others: the next run
        stage = self.values["accrual_stages"]["CANCELLED"]
        calls: list[Call] = [
            (
                "crm.item.update",
                {
                    "entityTypeId": self.type_id,
                    "id": item_ids[r.accrual_id],
                    "fields": {"stageId": stage},
                },
            )
            for r in ready
        ]
        outcomes = await self.client.call_many(calls, priority=Priority.BULK)
        if not all(outcome.ok for outcome in outcomes):
            raise RegistryWriteFailed("some accrual items not moved to «Аннулировано»")
        async with unit_of_work(self.deps.sessions) as session:
            keyed = [(repository.reversal_item_key(int(r.id or 0)), "AnnulItem") for r in ready]
            await effects.start(session, self.member_id, keyed)
        return ready

    async def _deal_fields(self, deal_ids: Sequence[int]) -> None:
        """«Бонус менеджера» := the deal's active accrual, «Оплачено» := payments − change −
        refunds, both from the ledger."""
        bonus_field = str(self.values.get("bonus_deal_field") or "")
        paid_field = str(self.values.get("paid_deal_field") or "")
        if not bonus_field or not deal_ids:
            return
        calls: list[Call] = []
        async with self.deps.sessions() as session:
            for deal_id in deal_ids:
                bonus = await repository.active_deal_bonus(session, self.member_id, deal_id)
                paid = await repository.deal_payments(session, self.member_id, deal_id)
                fields = {bonus_field: as_field(bonus)}
                if paid_field:
                    fields[paid_field] = as_field(paid.paid_kopecks)
                calls.append(("crm.deal.update", {"id": deal_id, "fields": fields}))
        for outcome in await self.client.call_many(calls, priority=Priority.BULK):
            outcome.unwrap()
