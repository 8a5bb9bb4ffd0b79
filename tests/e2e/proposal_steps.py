"""Steps toward a proposal on the live stack: a deal at FOUND with priced, linked lines, the
portal's proposal settings, the PDF attached in the sandbox's timeline."""

import base64
import io
from datetime import UTC, datetime
from typing import Any

from pypdf import PdfReader

from app.core.db import unit_of_work
from app.core.models import Portal
from app.core.portal_settings import update_portal_settings
from app.core.portal_store import find_active_portal
from automations.proposals.making import Made, make_proposal
from automations.proposals.rules import Problem
from tests.e2e.procurement_steps import Journey

SUPPLIER = "https://detail.1688.com/offer/{n}.html?spm=a2615.7691456"
PHOTO = "https://cbu01.alicdn.com/img/ibank/{n}.jpg"
PRICES = [("310.50", "CNY"), ("95", "USD")]
# 310.50 × 12.45 = 3865.725 → 3865.73 a unit, ×2 = 7731.46; 95 × 92.10 = 8749.50; delivery 3000.
EXPECTED = {"unit_1": "3865.73", "line_1": "7731.46", "line_2": "8749.50", "total": "19480.96"}
SETTINGS = {
    "company_name": "ООО «Мост Логистик»",
    "company_requisites": "ИНН 7701234567, КПП 770101001\nг. Москва, ул. Складская, 1",
    "rates": {"CNY": "12.45", "USD": "92.10"},
    "validity_days": 10,
    "manager_phone": "+7 495 000-00-00",
}


async def configure(journey: Journey, **changes: Any) -> None:
    async with unit_of_work(journey.stack.context.sessions) as session:
        await update_portal_settings(
            session, journey.stack.member_id, {"proposal": SETTINGS | changes}
        )


async def deal_at_found(journey: Journey, prices: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """A deal with the standard rows moved to SEARCH, every goods line found at ``prices``."""
    await journey.create_deal()
    await journey.move_deal("SEARCH")
    _html, config = await journey.open_tab("card")
    for n, (line, (price, currency)) in enumerate(zip(config["lines"], prices, strict=True)):
        entry = {"status": "found", "supplier": f"Guangzhou Parts {n}", "unit_price": price}
        entry |= {"currency": currency, "supplier_url": SUPPLIER.format(n=n)}
        await journey.enter(config, line["id"], entry | {"photo_url": PHOTO.format(n=n)})
    await journey.stack.settle()
    return list(config["lines"])


async def portal(journey: Journey) -> Portal:
    async with journey.stack.context.sessions() as session:
        found = await find_active_portal(session, journey.stack.member_id)
    assert found is not None
    return found


async def make(journey: Journey, template: str = "new") -> Made | Problem:
    today = datetime.now(UTC).date()
    return await make_proposal(
        journey.stack.deps, await portal(journey), journey.deal_id, template, today=today
    )


async def timeline(journey: Journey) -> list[dict[str, Any]]:
    found = await journey.stack.ctl(
        "GET", "/timeline", params={"entity_type": "deal", "entity_id": journey.deal_id}
    )
    return list(found["comments"])


def pdf_text(content_base64: str) -> str:
    reader = PdfReader(io.BytesIO(base64.b64decode(content_base64)))
    return "\n".join(page.extract_text() for page in reader.pages)
