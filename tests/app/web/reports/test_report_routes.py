"""The report API and its XLSX export, in-process on a real database: the numbers come from
the ledger exactly, the workbook is opened and checked cell by cell, and only an
administrator of the portal with a valid period gets anything."""

import io
import re
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.core.db import unit_of_work
from app.core.portal_settings import update_portal_settings
from app.web.frame.view_token import ViewClaims, issue
from app.web.settings_page.report_section import WORDS
from app.web.settings_page.service import ADMIN_ROLE, SETTINGS_KIND
from automations.bonuses import money_repository, repository
from automations.bonuses.ledger_rules import Accrue, Annul
from automations.bonuses.money_rules import PlannedOperation
from automations.bonuses.rules import Bonus
from tests.appclient import MEMBER_ID, AppHarness, app_harness

SECRET = "reports-test-secret-key-0123456789"
CLAIMS = ViewClaims(
    member_id=MEMBER_ID,
    user_id=1,
    entity_kind=SETTINGS_KIND,
    entity_id=0,
    role=ADMIN_ROLE,
    expires_at=int(time.time()) + 3600,
)
ACCOUNTS = [{"code": "MSK-CASH", "kind": "cash_desk", "office": "Москва", "title": "Касса"}]


def token(**changes: object) -> dict[str, str]:
    return {"X-View-Token": issue(replace(CLAIMS, **changes), SECRET)}  # type: ignore[arg-type]


def operation(
    kind: str, kopecks: int, balance: int, paid: int, **extra: object
) -> PlannedOperation:
    values: dict[str, object] = {"account_code": "MSK-CASH", "deal_id": 7, "manager_id": None}
    values |= extra
    return PlannedOperation(
        kind=kind,
        amount_kopecks=kopecks,
        comment="",
        balance_delta_kopecks=balance,
        paid_delta_kopecks=paid,
        **values,  # type: ignore[arg-type]
    )


@pytest.fixture
async def harness(database_url: str) -> AsyncIterator[AppHarness]:
    async with app_harness(database_url, secret_key=SECRET) as harness:
        await harness.register()
        async with unit_of_work(harness.context.sessions) as session:
            await update_portal_settings(
                session, MEMBER_ID, {"money_accounts": ACCOUNTS, "manager_offices": {"2": "Москва"}}
            )
            entries = [
                Accrue(7, 1, 2, "Москва", Bonus(314050, ())),
                Accrue(8, 1, 2, "Москва", Bonus(10000, ())),
            ]
            recorded = await repository.record_entries(session, MEMBER_ID, entries)
            annul = Annul(int(recorded.accruals[1].id or 0), 10000, "reopened")
            await repository.record_entries(session, MEMBER_ID, [annul])
            for key, planned in (
                ("a", operation("payment", 500000, 500000, 500000)),
                ("b", operation("change", 30050, -30050, -30050)),
                ("c", operation("collection", 400000, -400000, 0)),
                ("d", operation("fine", 150000, 0, 0, account_code="", manager_id=2)),
            ):
                await money_repository.record_operation(session, MEMBER_ID, key, planned)
        yield harness


def this_month() -> str:
    return time.strftime("%Y-%m", time.gmtime())


class TestReportApi:
    async def test_the_numbers_come_from_the_ledger(self, harness: AppHarness) -> None:
        month = this_month()
        response = await harness.http.get(
            "/reports/api", params={"month_from": month, "month_to": month}, headers=token()
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["managers"] == [
            {"month": month, "manager_id": "2", "office": "Москва", "accrued": 324050}
            | {"annulled": 10000, "salary": 0, "bonus": 0, "fine": 150000},
        ]
        assert body["offices"] == [
            {"month": month, "office": "Москва", "payment": 500000, "change": 30050}
            | {"refund": 0, "collection": 400000}
        ]
        assert [(b["code"], b["balance_kopecks"]) for b in body["balances"]] == [
            ("MSK-CASH", 69950)
        ]

    async def test_the_xlsx_export_holds_the_same_numbers_cell_by_cell(
        self, harness: AppHarness
    ) -> None:
        month = this_month()
        response = await harness.http.get(
            "/reports/api/export.xlsx",
            params={"month_from": month, "month_to": month},
            headers=token(),
        )
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
        book = load_workbook(io.BytesIO(response.content))
        assert book.sheetnames == ["Бонусы менеджеров", "Операции по офисам", "Балансы"]
        managers = [[c.value for c in row] for row in book["Бонусы менеджеров"].iter_rows()]
        assert managers[0][:6] == [
            "Месяц", "Менеджер (ID)", "Офис", "Начислено", "Аннулировано", "Итого бонус"
        ]  # fmt: skip
        assert managers[1][:6] == [month, 2, "Москва", 3240.5, 100, 3140.5]
        assert managers[1][6:] == [0, 0, 1500] and len(managers) == 2
        offices = [[c.value for c in row] for row in book["Операции по офисам"].iter_rows()]
        assert offices[1] == [month, "Москва", 5000, 300.5, 0, 4000, 4699.5]
        balances = [[c.value for c in row] for row in book["Балансы"].iter_rows()]
        assert balances[1] == ["MSK-CASH", "Касса", "Касса", "Москва", 699.5]
        assert book["Балансы"]["E2"].number_format == "#,##0.00"
        assert Decimal(str(balances[1][4])) == Decimal("699.50")

    @pytest.mark.parametrize(
        ("params", "needle"),
        [
            ({"month_from": "2026-13", "month_to": "2026-12"}, "ГГГГ-ММ"),
            ({"month_from": "2026-12", "month_to": "2026-01"}, "от 1 до 36"),
            ({}, "С месяца"),
        ],
    )
    async def test_a_malformed_period_is_a_400_with_the_reason(
        self, harness: AppHarness, params: dict[str, str], needle: str
    ) -> None:
        response = await harness.http.get("/reports/api", params=params, headers=token())
        assert response.status_code == 400
        assert needle in response.text

    @pytest.mark.parametrize(
        "headers",
        [{}, {"X-View-Token": "forged.token"}, token(role=""), token(entity_kind="deal")],
        ids=["missing", "forged", "viewer", "tab-token"],
    )
    async def test_only_the_portals_administrator_gets_the_report(
        self, harness: AppHarness, headers: dict[str, str]
    ) -> None:
        month = this_month()
        for path in ("/reports/api", "/reports/api/export.xlsx"):
            response = await harness.http.get(
                path, params={"month_from": month, "month_to": month}, headers=headers
            )
            assert response.status_code == 403, (path, response.text)


class TestReportScript:
    SCRIPT = Path(__file__).parents[4] / "app" / "web" / "static" / "reports.js"

    def test_every_word_the_script_reads_is_shipped_in_both_languages(self) -> None:
        source = self.SCRIPT.read_text(encoding="utf-8")
        used = set(re.findall(r"\bwords\.([a-z_]+)", source))
        used |= set(re.findall(r'"([a-z_]+)"', source)) & set(WORDS["ru"])  # table columns
        assert {"managers", "accrued", "balance"} <= used
        for lang in ("ru", "en"):
            assert used <= set(WORDS[lang]), used - set(WORDS[lang])

    def test_the_script_never_writes_html(self) -> None:
        source = self.SCRIPT.read_text(encoding="utf-8")
        assert "innerHTML" not in source and "insertAdjacentHTML" not in source
