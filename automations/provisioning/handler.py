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
from connectors.bitrix24 import Bitrix24Client, Priority

SERVICE_PRODUCT_TYPE = 7
PROPOSAL_LINK_FIELD = "UF_CRM_B24B_PROPOSAL_URL"


@dataclass(frozen=True)
class ProvisionReport:
    stage_map: dict[str, Any]
    created: tuple[str, ...]


class Provisioner:
    def __init__(self, client: Bitrix24Client) -> None:
        self.client = client
        self.created: list[str] = []

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        return await self.client.call(method, params, priority=Priority.INTERACTIVE)

    async def run(self, *, deal_category_id: int = 0) -> ProvisionReport:
        card_type = await self._card_type()
        entity_type_id = int(card_type["entityTypeId"])
        card_category_id = await self._default_category(entity_type_id)
        card_stages = await self._stages(
            f"DYNAMIC_{entity_type_id}_STAGE_{card_category_id}", CARD_SEMANTICS, CARD_TITLES, ""
        )
        deal_reference = "DEAL_STAGE" if deal_category_id == 0 else f"DEAL_STAGE_{deal_category_id}"
        deal_stages = await self._stages(deal_reference, DEAL_SEMANTICS, DEAL_TITLES, "B24B_")
        eta_field = await self._eta_field(int(card_type["id"]))
        stage_map = {
            "deal_category_id": deal_category_id,
            "deal_stages": deal_stages,
            "card_entity_type_id": entity_type_id,
            "card_type_id": int(card_type["id"]),
            "card_category_id": card_category_id,
            "card_stages": card_stages,
            "card_eta_field": eta_field,
            "service_product_ids": await self._service_products(),
            "deal_proposal_link_field": await self._proposal_link_field(),
        }
        return ProvisionReport(stage_map=stage_map, created=tuple(self.created))

    async def _card_type(self) -> dict[str, Any]:
        listed = await self.call("crm.type.list", {"filter": {"title": CARD_TYPE_TITLE}})
        types = [t for t in (listed or {}).get("types", []) if t.get("title") == CARD_TYPE_TITLE]
        if types:
            return dict(types[0])
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
        return dict(added["type"])

    async def _default_category(self, entity_type_id: int) -> int:
        listed = await self.call("crm.category.list", {"entityTypeId": entity_type_id})
        categories = (listed or {}).get("categories", [])
        default = next(
            (c for c in categories if c.get("isDefault") == "Y"),
            categories[0] if categories else None,
        )
        return int(default["id"]) if default else 0

    async def _stages(
        self, reference: str, semantics: tuple[str, ...], titles: dict[str, str], prefix: str
    ) -> dict[str, str]:
        rows = [
            StageRow.parse(r)
            for r in await self.call("crm.status.list", {"filter": {"ENTITY_ID": reference}})
        ]
        plan = plan_stages(semantics, titles, rows, code_prefix=prefix)
        mapped = dict(plan.mapped)
        for _semantic, fields in plan.to_create:
            await self.call("crm.status.add", {"fields": {"ENTITY_ID": reference, **fields}})
            self.created.append(f"stage {fields['NAME']}")
        if plan.to_create:
            rows = [
                StageRow.parse(r)
                for r in await self.call("crm.status.list", {"filter": {"ENTITY_ID": reference}})
            ]
            mapped = plan_stages(semantics, titles, rows, code_prefix=prefix).mapped
        return {semantic: mapped[semantic] for semantic in semantics if semantic in mapped}

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
