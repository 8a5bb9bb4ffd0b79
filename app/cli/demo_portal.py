"""The demo portal's preparation: forget an earlier run's install, install the app through
the sandbox's admin, provision stages and the buyer, load the demo kit definitions
(``demo_kits.yaml``, the format of ``b24bridge products kits load``) and add the demo deal."""

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx

from app.core import portal_store
from app.core.config import Settings
from app.core.context import AppContext
from app.core.db import unit_of_work
from app.core.portal_settings import load_portal_settings
from app.portals.provisioning import provision_portal
from automations.kit_catalog import load_kit_file
from automations.kit_catalog import repository as kit_rows
from automations.kit_catalog.refresh import FILE_SOURCE

PORTAL = "demo"
ADMIN_ID, SALES_ID, BUYER_ID = 1, 2, 3
START_SECONDS = 60.0
DEMO_KITS = Path(__file__).with_name("demo_kits.yaml")
DEMO_ROWS = [
    {"PRODUCT_ID": 1, "PRODUCT_NAME": "Фара передняя левая", "PRICE": 12500, "QUANTITY": 2},
    {"PRODUCT_ID": 2, "PRODUCT_NAME": "Бампер передний", "PRICE": 18900, "QUANTITY": 1},
]


class DemoError(Exception):
    """The demo could not start; the message says what to fix."""


async def seed_kits(context: AppContext, member_id: str) -> None:
    """The kit the sandbox's catalog sells («Комплект рестайлинга»), as an admin would load it."""
    kits = load_kit_file(DEMO_KITS)
    async with unit_of_work(context.sessions) as session:
        await kit_rows.replace_source(session, member_id, FILE_SOURCE, kits)


async def forget_earlier_run(settings: Settings, member_id: str) -> None:
    """The sandbox portal lives in memory: every run brings a new one under the same member_id,
    so its install from an earlier run in this database is gone with it, as after
    ONAPPUNINSTALL with CLEAN. Done before the app starts, so that no job of the earlier run
    is picked up with its dead tokens and the new application token is not refused."""
    context = AppContext.build(settings)
    try:
        async with unit_of_work(context.sessions) as session:
            portal = await portal_store.find_active_portal(session, member_id)
            if portal is not None:
                await portal_store.mark_uninstalled(session, portal, purge=True)
    finally:
        await context.close()


async def install_app(control: httpx.AsyncClient, app_url: str) -> None:
    """The admin's first open of the install URL; the app's page calls installFinish."""
    body = {
        "install_url": f"{app_url}/b24/install",
        "handler_url": f"{app_url}/b24/app",  # the local app's handler path: its menu item
        "user_id": ADMIN_ID,
        "finish": "auto",
    }
    result = (await control.post(f"/_sandbox/portals/{PORTAL}/install", json=body)).json()
    if not result.get("installed"):
        raise DemoError(f"the install did not finish: {result}")


async def wait_for_bindings(control: httpx.AsyncClient) -> None:
    """The app binds its events in a background job after provisioning; a deal added before
    that would go unseen."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        bound = (await control.get(f"/_sandbox/portals/{PORTAL}/events/bound")).json()
        if bound["bindings"]:
            return
        await asyncio.sleep(0.2)
    raise DemoError("the app did not bind its events to the portal")


async def act(control: httpx.AsyncClient, method: str, params: dict[str, Any]) -> Any:
    body = {"user_id": SALES_ID, "method": method, "params": params}
    response = await control.post(f"/_sandbox/portals/{PORTAL}/act", json=body)
    response.raise_for_status()
    return response.json()["result"]


async def prepare_portal(
    context: AppContext, control: httpx.AsyncClient, member_id: str
) -> tuple[int, int]:
    """Provision stages and the buyer, then add the demo deal; returns (deal id, card type id)."""
    await provision_portal(context, member_id, buyer_ids=[BUYER_ID])
    await seed_kits(context, member_id)
    async with context.sessions() as session:
        values = await load_portal_settings(session, member_id)
    await wait_for_bindings(control)
    fields = {
        "TITLE": "Фары для Audi (демо)",
        "STAGE_ID": values["deal_stages"]["NEW"],
        "CONTACT_ID": 1,
        "ASSIGNED_BY_ID": SALES_ID,
    }
    deal_id = int(await act(control, "crm.deal.add", {"fields": fields}))
    await act(control, "crm.deal.productrows.set", {"id": deal_id, "rows": DEMO_ROWS})
    return deal_id, int(values["card_entity_type_id"])
