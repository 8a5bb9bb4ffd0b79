"""Provision the procurement smart process and the workflow's stages through REST."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from automations.provisioning.stages import (
    CARD_SEMANTICS,
    CARD_TITLES,
    CARD_TYPE_TITLE,
    DEAL_SEMANTICS,
    DEAL_TITLES,
    ETA_FIELD,
    StageRow,
    plan_stages,
)
from connectors.bitrix24 import Bitrix24Client, Bitrix24Error, Priority

SERVICE_PRODUCT_TYPE = 7
PROPOSAL_LINK_FIELD = "UF_CRM_B24B_PROPOSAL_URL"


@dataclass(frozen=True)
class ProvisionReport:
    stage_map: dict[str, Any]
    created: tuple[str, ...]
    changed: tuple[str, ...] = ()  # stages moved, renamed or deleted


class Provisioner:
    def __init__(self, client: Bitrix24Client) -> None:
        self.client = client
        self.created: list[str] = []
        self.changed: list[str] = []

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        return await self.client.call(method, params, priority=Priority.INTERACTIVE)

    async def run(
        self, *, deal_category_id: int = 0, owned_type_id: int | None = None
    ) -> ProvisionReport:
        """``owned_type_id``: the smart process an earlier run created, whose funnel is ours."""
        card_type, created = await self._card_type()
        entity_type_id = int(card_type["entityTypeId"])
        owned = created or entity_type_id == owned_type_id
        card_category_id = await self._default_category(entity_type_id)
        card_reference = f"DYNAMIC_{entity_type_id}_STAGE_{card_category_id}"
        card_stages = await self._stages(card_reference, CARD_SEMANTICS, CARD_TITLES, "", owned)
        deal_reference = "DEAL_STAGE" if deal_category_id == 0 else f"DEAL_STAGE_{deal_category_id}"
        deal_stages = await self._stages(deal_reference, DEAL_SEMANTICS, DEAL_TITLES, "B24B_")
        eta_field = await self._eta_field(int(card_type["id"]))
        stage_map = {
            "deal_category_id": deal_category_id,
            "deal_stages": deal_stages,
            "card_entity_type_id": entity_type_id,
            "card_type_id": int(card_type["id"]),
            "card_category_id": card_category_id,
            "card_funnel_owned": owned,
            "card_stages": card_stages,
            "card_eta_field": eta_field,
            "service_product_ids": await self._service_products(),
            "deal_proposal_link_field": await self._proposal_link_field(),
        }
        return ProvisionReport(stage_map, tuple(self.created), tuple(self.changed))

    async def _card_type(self) -> tuple[dict[str, Any], bool]:
        """The smart process «Закупка», and whether this run created it."""
        listed = await self.call("crm.type.list", {"filter": {"title": CARD_TYPE_TITLE}})
        types = [t for t in (listed or {}).get("types", []) if t.get("title") == CARD_TYPE_TITLE]
        if types:
            return dict(types[0]), False
        added = await self.call(
            "crm.type.add",
            {
                "fields": {
                    "title": CARD_TYPE_TITLE,
                    "isStagesEnabled": "Y",
                    "isCategoriesEnabled": "Y",
                    "isLinkWithProductsEnabled": "Y",
                    "isClientEnabled": "Y",
                    "isAutomationEnabled": "Y",
                    "isUseInUserfieldEnabled": "Y",
                    "isDocumentsEnabled": "Y",
                }
            },
        )
        self.created.append(f"smart process {CARD_TYPE_TITLE}")
        return dict(added["type"]), True

    async def _default_category(self, entity_type_id: int) -> int:
        listed = await self.call("crm.category.list", {"entityTypeId": entity_type_id})
        categories = (listed or {}).get("categories", [])
        default = next(
            (c for c in categories if c.get("isDefault") == "Y"),
            categories[0] if categories else None,
        )
        return int(default["id"]) if default else 0

    async def _stages(
        self,
        reference: str,
        semantics: tuple[str, ...],
        titles: dict[str, str],
        prefix: str,
        owned: bool = False,
    ) -> dict[str, str]:
        plan = plan_stages(
            semantics, titles, await self._stage_rows(reference), code_prefix=prefix, owned=owned
        )
        for row in plan.to_delete:
            await self._delete_stage(row)
        for _semantic, fields in plan.to_create:
            await self.call("crm.status.add", {"fields": {"ENTITY_ID": reference, **fields}})
            self.created.append(f"stage {fields['NAME']}")
        for row_id, fields in plan.to_update:
            await self.call("crm.status.update", {"id": row_id, "fields": fields})
            self.changed.append(f"stage {row_id}: {', '.join(sorted(fields))}")
        mapped = dict(plan.mapped)
        if plan.to_create:
            rows = await self._stage_rows(reference)
            mapped = plan_stages(semantics, titles, rows, code_prefix=prefix).mapped
        return {semantic: mapped[semantic] for semantic in semantics if semantic in mapped}

    async def _stage_rows(self, reference: str) -> list[StageRow]:
        listed = await self.call("crm.status.list", {"filter": {"ENTITY_ID": reference}})
        return [StageRow.parse(row) for row in listed]

    async def _delete_stage(self, row: StageRow) -> None:
        """A default stage of our own new funnel; system stages need ``FORCED``. One the
        portal refuses to delete (an item in it, say) is kept and reported."""
        try:
            await self.call("crm.status.delete", {"id": row.id, "params": {"FORCED": "Y"}})
        except Bitrix24Error as exc:
            self.changed.append(f"stage {row.name} kept: {exc.code or exc}")
        else:
            self.changed.append(f"stage {row.name} deleted")

    async def _eta_field(self, type_id: int) -> str:
        field_name = f"UF_CRM_{type_id}_{ETA_FIELD}"
        listed = await self.call(
            "userfieldconfig.list", {"moduleId": "crm", "filter": {"entityId": f"CRM_{type_id}"}}
        )
        if not any(f.get("fieldName") == field_name for f in (listed or {}).get("fields", [])):
            await self.call(
                "userfieldconfig.add",
                {
                    "moduleId": "crm",
                    "field": {
                        "entityId": f"CRM_{type_id}",
                        "fieldName": field_name,
                        "userTypeId": "date",
                        "editFormLabel": {"ru": "Ожидаемая дата прибытия", "en": "ETA"},
                    },
                },
            )
            self.created.append("field ETA")
        return f"ufCrm{type_id}_{ETA_FIELD}"

    async def _service_products(self) -> list[int]:
        products = await self.call(
            "crm.product.list", {"filter": {"TYPE": SERVICE_PRODUCT_TYPE}, "select": ["ID"]}
        )
        return sorted(int(p["ID"]) for p in products or [])

    async def _proposal_link_field(self) -> str:
        """The deal field «Ссылка на КП» the proposals write their public link to."""
        listed = await self.call(
            "userfieldconfig.list", {"moduleId": "crm", "filter": {"entityId": "CRM_DEAL"}}
        )
        if not any(
            f.get("fieldName") == PROPOSAL_LINK_FIELD for f in (listed or {}).get("fields", [])
        ):
            label = {"ru": "Ссылка на КП", "en": "Proposal link"}
            field = {"entityId": "CRM_DEAL", "fieldName": PROPOSAL_LINK_FIELD}
            await self.call(
                "userfieldconfig.add",
                {
                    "moduleId": "crm",
                    "field": {**field, "userTypeId": "url", "editFormLabel": label},
                },
            )
            self.created.append("field Ссылка на КП")
        return PROPOSAL_LINK_FIELD
