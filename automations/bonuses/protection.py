"""Only the app writes «Бонус менеджера» (PRODUCT §3.9): a value that differs from the
ledger, once the registry writer has written every entry of the deal, is a manual change.
It is reverted in the same sync, with a timeline comment naming who changed it and from
what to what. The revert is an effect keyed by the deal's modification time, so a repeat
of the same observation (an echo, a retry after a crash) comments once."""

from __future__ import annotations

from typing import Any

from app.core import effects
from app.core.db import unit_of_work
from app.core.models import Portal
from automations.bonuses import repository
from automations.bonuses.deal_reads import DealRead
from automations.bonuses.money_text import as_field, as_rubles, field_kopecks
from automations.ports import Deps
from connectors.bitrix24 import Priority

REVERTED = "bonus field reverted"


def revert_comment(who: str, user_id: int, found: int | None, found_text: str, ledger: int) -> str:
    shown = as_rubles(found) if found is not None else f"«{found_text}»"
    return (
        f"Поле «Бонус менеджера» изменено вручную: {who or 'пользователь'} [ID {user_id}] "
        f"поменял(а) {as_rubles(ledger)} на {shown}. Значение восстановлено: "
        f"{as_rubles(ledger)} — бонус начисляет только приложение по правилам из настроек. "
        "Чтобы изменить бонус, поправьте товары сделки или правила начисления. / "
        f"The manager bonus field was changed by hand and restored to {as_field(ledger)}."
    )


async def guard_bonus_field(
    deps: Deps, portal: Portal, values: dict[str, Any], read: DealRead
) -> str:
    field = str(values.get("bonus_deal_field") or "")
    assert read.deal is not None
    if not field:
        return "no bonus field provisioned"
    deal, member_id = read.deal, portal.member_id
    raw = deal.fields.get(field)
    async with deps.sessions() as session:
        if await repository.deal_entries_unwritten(session, member_id, deal.id):
            return "registry write pending"
        ledger = await repository.active_deal_bonus(session, member_id, deal.id)
        found = field_kopecks(raw)
        key = f"bonus:guard:{deal.id}:{deal.fields.get('DATE_MODIFY') or ''}"
        known = await effects.statuses(session, member_id, [key])
    if found == ledger or key in known:
        return "bonus field intact"
    async with unit_of_work(deps.sessions) as session:
        await effects.start(session, member_id, [(key, "BonusFieldRevert")])
    modifier = int(str(deal.fields.get("MODIFY_BY_ID") or 0) or 0)
    comment = revert_comment(read.modifier_name, modifier, found, str(raw), ledger)
    outcomes = await deps.rest.for_portal(portal).batch(
        {
            "revert": ("crm.deal.update", {"id": deal.id, "fields": {field: as_field(ledger)}}),
            "comment": (
                "crm.timeline.comment.add",
                {"fields": {"ENTITY_ID": deal.id, "ENTITY_TYPE": "deal", "COMMENT": comment}},
            ),
        },
        priority=Priority.BULK,
    )
    async with unit_of_work(deps.sessions) as session:
        if all(outcome.ok for outcome in outcomes.values()):
            await effects.finish(session, member_id, key)
        else:
            await effects.forget(session, member_id, [key])
    for outcome in outcomes.values():
        outcome.unwrap()
    return REVERTED
