"""``GET /reports/api`` (JSON) and ``GET /reports/api/export.xlsx``: accruals and money
operations per manager / office / month for ``?month_from=YYYY-MM&month_to=YYYY-MM``, and balances.
The settings page's view token, administrators only; a malformed period is a 400 with the
reason in Russian and English."""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from app.core.errors import BadRequest
from app.core.http_deps import ContextDep
from app.core.portal_settings import load_portal_settings
from app.web.reports.xlsx import report_xlsx
from app.web.settings_page import service
from app.web.settings_page.routes import ClaimsDep
from automations.bonuses.reports import PeriodError, Report, build_report, parse_period

router = APIRouter(tags=["reports"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _report(context: ContextDep, claims: ClaimsDep, month_from: str, month_to: str) -> Report:
    service.require_admin(claims)
    try:
        period = parse_period(month_from, month_to)
    except PeriodError as exc:
        raise BadRequest(str(exc)) from exc
    async with context.sessions() as session:
        values = await load_portal_settings(session, claims.member_id)
        return await build_report(session, claims.member_id, values, period)


@router.get("/reports/api")
async def get_report(
    context: ContextDep, claims: ClaimsDep, month_from: str = "", month_to: str = ""
) -> dict[str, Any]:
    report = await _report(context, claims, month_from, month_to)
    return {"from": month_from, "to": month_to, **report.as_json()}


@router.get("/reports/api/export.xlsx")
async def export_report(
    context: ContextDep, claims: ClaimsDep, month_from: str = "", month_to: str = ""
) -> Response:
    report = await _report(context, claims, month_from, month_to)
    name = f"b24bridge-report-{month_from}-{month_to}.xlsx"
    return Response(
        report_xlsx(report),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
