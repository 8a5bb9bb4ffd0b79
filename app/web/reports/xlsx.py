"""The report as an XLSX workbook for accounting (openpyxl): one sheet per table, money as
numbers with two decimals, headers in Russian."""

import io
from collections.abc import Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from automations.bonuses.reports import MANAGER_COLUMNS, OFFICE_COLUMNS, Report, Row
from automations.pricing.money import from_kopecks

MONEY_FORMAT = "#,##0.00"
MANAGER_HEADERS = (
    *("Месяц", "Менеджер (ID)", "Офис", "Начислено", "Аннулировано", "Итого бонус"),
    *("Выплата ЗП", "Премия", "Штраф"),
)
OFFICE_HEADERS = ("Месяц", "Офис", "Оплаты", "Сдача", "Возвраты", "Инкассация", "Оплачено")
BALANCE_HEADERS = ("Счёт", "Название", "Тип", "Офис", "Баланс")
KIND_NAMES = {"cash_desk": "Касса", "terminal": "Терминал", "card": "Карта"}


def _money(kopecks: int) -> Decimal:
    return from_kopecks(kopecks)


def _sheet(book: Workbook, title: str, headers: Sequence[str], first: bool = False) -> Worksheet:
    sheet = book.active if first else book.create_sheet()
    assert isinstance(sheet, Worksheet)
    sheet.title = title
    sheet.append(list(headers))
    return sheet


def _manager_line(row: Row) -> list[object]:
    sums = row.sums
    net = sums.get("accrued", 0) - sums.get("annulled", 0)
    money = [sums.get(c, 0) for c in MANAGER_COLUMNS[:2]] + [net]
    money += [sums.get(c, 0) for c in MANAGER_COLUMNS[2:]]
    return [row.month, int(row.key[0]) if row.key[0] else "", row.key[1]] + [
        _money(k) for k in money
    ]


def _office_line(row: Row) -> list[object]:
    sums = row.sums
    paid = sums.get("payment", 0) - sums.get("change", 0) - sums.get("refund", 0)
    money = [sums.get(c, 0) for c in OFFICE_COLUMNS] + [paid]
    return [row.month, row.key[0]] + [_money(k) for k in money]


def _format_money(sheet: Worksheet, first_column: int) -> None:
    for cells in sheet.iter_rows(min_row=2, min_col=first_column):
        for cell in cells:
            cell.number_format = MONEY_FORMAT


def report_xlsx(report: Report) -> bytes:
    book = Workbook()
    managers = _sheet(book, "Бонусы менеджеров", MANAGER_HEADERS, first=True)
    for row in report.managers:
        managers.append(_manager_line(row))
    _format_money(managers, 4)
    offices = _sheet(book, "Операции по офисам", OFFICE_HEADERS)
    for row in report.offices:
        offices.append(_office_line(row))
    _format_money(offices, 3)
    balances = _sheet(book, "Балансы", BALANCE_HEADERS)
    for b in report.balances:
        kind = KIND_NAMES.get(b.kind, b.kind)
        balances.append([b.code, b.title, kind, b.office, _money(b.balance_kopecks)])
    _format_money(balances, 5)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
