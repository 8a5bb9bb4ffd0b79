"""Provision the registries (PRODUCT §3.9): the smart processes «Начисления» and «Операции
с деньгами» with their stages and fields, and the deal fields «Бонус менеджера» and
«Оплачено». Run by the same command and settings button as «Закупка»; idempotent (a re-run
finds everything by title or field name and creates nothing); a funnel the admin remapped
by hand keeps its stages (``keep_manual_registry_stages``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from automations.provisioning.handler import Provisioner

ACCRUALS, OPERATIONS = "Начисления", "Операции с деньгами"
BONUS_FIELD, PAID_FIELD = "UF_CRM_B24B_BONUS", "UF_CRM_B24B_PAID"
ACCRUAL_STAGES = {"DONE": "Начислено", "CANCELLED": "Аннулировано"}
OPERATION_STAGES = {"DONE": "Проведена"}


@dataclass(frozen=True)
class RegistryField:
    key: str
    name: str
    type: str
    ru: str
    en: str


ACCRUAL_FIELDS = (
    RegistryField("deal", "DEAL", "integer", "Сделка (ID)", "Deal ID"),
    RegistryField("amount", "AMOUNT", "double", "Сумма бонуса, ₽", "Bonus, RUB"),
    RegistryField("basis", "BASIS", "string", "Расчёт по товарам", "Breakdown"),
    RegistryField("office", "OFFICE", "string", "Офис", "Office"),
)
OPERATION_FIELDS = (
    RegistryField("kind", "KIND", "string", "Тип операции", "Operation"),
    RegistryField("amount", "AMOUNT", "double", "Сумма, ₽", "Amount, RUB"),
    RegistryField("deal", "DEAL", "integer", "Сделка (ID)", "Deal ID"),
    RegistryField("account", "ACCOUNT", "string", "Счёт (касса/терминал/карта)", "Account"),
    RegistryField("manager", "MANAGER", "integer", "Менеджер (ID)", "Manager ID"),
    RegistryField("comment", "COMMENT", "string", "Комментарий", "Comment"),
)


class RegistryProvisioner(Provisioner):
    async def run_registries(self, owned: dict[str, int | None]) -> dict[str, Any]:
        """``owned``: the registry type ids an earlier run created (their funnels are ours)."""
        found: dict[str, Any] = {}
        for prefix, title, stages, fields in (
            ("accrual", ACCRUALS, ACCRUAL_STAGES, ACCRUAL_FIELDS),
            ("operation", OPERATIONS, OPERATION_STAGES, OPERATION_FIELDS),
        ):
            found |= await self._registry(prefix, title, stages, fields, owned.get(prefix))
        found["bonus_deal_field"] = await self._deal_field(BONUS_FIELD, "Бонус менеджера", "Bonus")
        found["paid_deal_field"] = await self._deal_field(PAID_FIELD, "Оплачено", "Paid")
        return found

    async def _registry(
        self,
        prefix: str,
        title: str,
        stages: dict[str, str],
        fields: tuple[RegistryField, ...],
        owned_type_id: int | None,
    ) -> dict[str, Any]:
        kind, created = await self._type(title)
        entity_type_id = int(kind["entityTypeId"])
        category_id = await self._default_category(entity_type_id)
        reference = f"DYNAMIC_{entity_type_id}_STAGE_{category_id}"
        owned = created or entity_type_id == owned_type_id
        mapped = await self._stages(reference, tuple(stages), stages, "", owned)
        return {
            f"{prefix}_entity_type_id": entity_type_id,
            f"{prefix}_type_id": int(kind["id"]),
            f"{prefix}_category_id": category_id,
            f"{prefix}_funnel_owned": owned,
            f"{prefix}_stages": mapped,
            f"{prefix}_fields": await self._item_fields(int(kind["id"]), fields),
        }

    async def _type(self, title: str) -> tuple[dict[str, Any], bool]:
        listed = await self.call("crm.type.list", {"filter": {"title": title}})
        types = [t for t in (listed or {}).get("types", []) if t.get("title") == title]
        if types:
            return dict(types[0]), False
        flags = ("isStagesEnabled", "isAutomationEnabled", "isUseInUserfieldEnabled")
        added = await self.call(
            "crm.type.add", {"fields": {"title": title, **dict.fromkeys(flags, "Y")}}
        )
        self.created.append(f"smart process {title}")
        return dict(added["type"]), True

    async def _item_fields(self, type_id: int, fields: tuple[RegistryField, ...]) -> dict[str, str]:
        entity = f"CRM_{type_id}"
        listed = await self.call(
            "userfieldconfig.list", {"moduleId": "crm", "filter": {"entityId": entity}}
        )
        existing = {f.get("fieldName") for f in (listed or {}).get("fields", [])}
        for field in fields:
            name = f"UF_CRM_{type_id}_{field.name}"
            if name not in existing:
                await self._add_field(entity, name, field.type, field.ru, field.en)
        return {field.key: f"ufCrm{type_id}_{field.name}" for field in fields}

    async def _deal_field(self, name: str, ru: str, en: str) -> str:
        listed = await self.call(
            "userfieldconfig.list", {"moduleId": "crm", "filter": {"entityId": "CRM_DEAL"}}
        )
        if not any(f.get("fieldName") == name for f in (listed or {}).get("fields", [])):
            await self._add_field("CRM_DEAL", name, "double", ru, en)
        return name

    async def _add_field(self, entity: str, name: str, kind: str, ru: str, en: str) -> None:
        field = {"entityId": entity, "fieldName": name, "userTypeId": kind}
        label = {"ru": ru, "en": en}
        await self.call(
            "userfieldconfig.add", {"moduleId": "crm", "field": {**field, "editFormLabel": label}}
        )
        self.created.append(f"field {ru}")


def owned_registries(stored: dict[str, Any]) -> dict[str, int | None]:
    return {
        prefix: stored.get(f"{prefix}_entity_type_id")
        if stored.get(f"{prefix}_funnel_owned")
        else None
        for prefix in ("accrual", "operation")
    }


def keep_manual_registry_stages(found: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    """An admin's own stage choices for a registry survive a re-run, as for «Закупка»."""
    for prefix in ("accrual", "operation"):
        key, type_key = f"{prefix}_stages", f"{prefix}_entity_type_id"
        if stored.get(type_key) == found.get(type_key) and isinstance(stored.get(key), dict):
            found[key] = {**found.get(key, {}), **stored[key]}
    return found
