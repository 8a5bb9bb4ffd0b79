"""The forms of the sandbox's pages: «Новая сделка», a stage button, a card's user fields
(the procurement card's ETA), the rows editor. Each runs through ``acting.act`` as the
acting user (``?as=``) like the control API's ``act``: events carry that user's tokens; row
edits fire no event (REST_FACTS §8.5). A product picked from the catalog without a price
keeps the catalog's price, as the portal's editor fills it in."""

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from sandbox.acting import UiAction, act
from sandbox.crm_store import DEAL, CrmStore, owner_type_code
from sandbox.encoding import parse_pairs
from sandbox.errors import RestError
from sandbox.page_kit import acting_user, card_url, state, try_act

router = APIRouter(include_in_schema=False)


def _form_pairs(form: Any) -> list[tuple[str, str]]:
    return [(k, v) for k, v in form.multi_items() if isinstance(v, str)]


@router.post("/p/{code}/deals/new")
async def new_deal(request: Request, code: str) -> RedirectResponse:
    """A deal at the first stage of the default funnel; then its card opens."""
    sandbox, bus, portal = state(request, code)
    user_id = acting_user(request, portal)
    form = await request.form()
    fields: dict[str, Any] = {"TITLE": str(form.get("title") or "").strip() or "Новая сделка"}
    contact = str(form.get("contact_id") or "")
    if contact.isdigit():
        fields["CONTACT_ID"] = int(contact)
    try:
        created = act(sandbox, bus, portal, UiAction(user_id, "crm.deal.add", {"fields": fields}))
    except RestError as exc:
        error = quote(exc.description or exc.code)
        return RedirectResponse(f"/p/{code}/?as={user_id}&error={error}", status_code=303)
    return RedirectResponse(card_url(code, DEAL, int(created["result"]), user_id), status_code=303)


@router.post("/p/{code}/card/{entity_type_id}/{entity_id}/stage")
async def move_stage(
    request: Request, code: str, entity_type_id: int, entity_id: int
) -> RedirectResponse:
    sandbox, bus, portal = state(request, code)
    user_id = acting_user(request, portal)
    form = await request.form()
    params = {
        "entityTypeId": entity_type_id,
        "id": entity_id,
        "fields": {"stageId": str(form.get("stage_id", ""))},
    }
    error = try_act(sandbox, bus, portal, UiAction(user_id, "crm.item.update", params))
    return RedirectResponse(
        card_url(code, entity_type_id, entity_id, user_id, error), status_code=303
    )


@router.post("/p/{code}/card/{entity_type_id}/{entity_id}/fields")
async def save_fields(
    request: Request, code: str, entity_type_id: int, entity_id: int
) -> RedirectResponse:
    """The card's user fields (``fields[ufCrm5_ETA]=2026-02-01``), saved as crm.item.update."""
    sandbox, bus, portal = state(request, code)
    user_id = acting_user(request, portal)
    form = await request.form()
    fields = parse_pairs(_form_pairs(form)).get("fields", {})
    params = {"entityTypeId": entity_type_id, "id": entity_id, "fields": fields}
    error = ""
    if isinstance(fields, dict) and fields:
        error = try_act(sandbox, bus, portal, UiAction(user_id, "crm.item.update", params))
    return RedirectResponse(
        card_url(code, entity_type_id, entity_id, user_id, error), status_code=303
    )


def _kept(row: Any) -> bool:
    return (
        isinstance(row, dict)
        and not row.get("DELETE")
        and bool(row.get("PRODUCT_NAME") or row.get("PRODUCT_ID"))
    )


def edited_rows(form_pairs: list[tuple[str, str]], store: CrmStore) -> list[dict[str, Any]]:
    """The editor's rows; a catalog product without a typed price gets the catalog's."""
    rows = parse_pairs(form_pairs).get("rows", [])
    rows = list(rows.values()) if isinstance(rows, dict) else rows
    kept = []
    for row in filter(_kept, rows):
        cleaned = {k: v for k, v in row.items() if v != "" and k != "DELETE"}
        product = store.products.get(int(cleaned.get("PRODUCT_ID") or 0))
        if product is not None and "PRICE" not in cleaned:
            cleaned["PRICE"] = product["PRICE"]
        kept.append(cleaned)
    return kept


@router.post("/p/{code}/card/{entity_type_id}/{entity_id}/rows")
async def save_rows(
    request: Request, code: str, entity_type_id: int, entity_id: int
) -> RedirectResponse:
    """The editor saves through the same ``set`` as REST: every row gets a new ID, no event."""
    sandbox, bus, portal = state(request, code)
    user_id = acting_user(request, portal)
    rows = edited_rows(_form_pairs(await request.form()), portal.crm)
    if entity_type_id == DEAL:
        method, params = "crm.deal.productrows.set", {"id": entity_id, "rows": rows}
    else:
        method = "crm.item.productrow.set"
        params = {
            "ownerType": owner_type_code(entity_type_id),
            "ownerId": entity_id,
            "productRows": rows,
        }
    error = try_act(sandbox, bus, portal, UiAction(user_id, method, params))
    return RedirectResponse(
        card_url(code, entity_type_id, entity_id, user_id, error), status_code=303
    )
