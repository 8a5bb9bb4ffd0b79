"""Money operations (PRODUCT §3.9), decided without I/O: a robot's input is checked and
turned into one ledger operation with its effect on an account's balance and on the deal's
«Оплачено» (payments − change − refunds), or refused with a message that names the field,
the rule and what to do — nothing is written then.

=============  ==================  ================
kind           account balance     deal «Оплачено»
=============  ==================  ================
payment        + amount            + amount
change         − amount            − amount
refund         − amount            − amount
collection     − amount (to bank)  —
salary         − amount if given   —
bonus, fine    —                   —
=============  ==================  ================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from automations.bonuses.money_text import as_rubles
from automations.bonuses.settings import Account

DEAL_KINDS = ("payment", "change", "refund")
MANAGER_KINDS = ("salary", "bonus", "fine")
KIND_TITLES = {
    "payment": "Оплата",
    "change": "Сдача",
    "refund": "Возврат",
    "collection": "Инкассация",
    "salary": "Выплата ЗП",
    "bonus": "Премия",
    "fine": "Штраф",
}
METHOD_TITLES = {"cash_desk": "касса", "terminal": "терминал", "card": "карта менеджера"}
MAX_KOPECKS = 10**14


@dataclass(frozen=True)
class Refusal:
    message: str


@dataclass(frozen=True)
class OperationRequest:
    kind: str
    amount: str
    account_code: str = ""
    method: str = ""
    deal_id: int | None = None
    manager_id: int | None = None
    comment: str = ""


@dataclass(frozen=True)
class MoneyState:
    """What the ledger holds now: the account's balance and the deal's «Оплачено»."""

    balance_kopecks: int
    paid_kopecks: int
    allow_negative: bool


@dataclass(frozen=True)
class PlannedOperation:
    kind: str
    amount_kopecks: int
    account_code: str
    deal_id: int | None
    manager_id: int | None
    comment: str
    balance_delta_kopecks: int
    paid_delta_kopecks: int
    warning: str = ""


def parse_amount(text: str) -> int | Refusal:
    """A positive amount with at most two decimals, in kopecks."""
    try:
        amount = Decimal(str(text).strip().replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite():
        return Refusal(f"Поле «Сумма»: «{text}» — не число. Укажите сумму, например 1500.50.")
    if amount <= 0:
        return Refusal(f"Поле «Сумма»: {text} — сумма должна быть больше нуля.")
    if amount != amount.quantize(Decimal("0.01")):
        return Refusal(
            f"Поле «Сумма»: {text} — больше двух знаков после запятой. Укажите рубли и копейки."
        )
    kopecks = int(amount * 100)
    if kopecks >= MAX_KOPECKS:
        return Refusal(f"Поле «Сумма»: {text} — слишком большая сумма.")
    return kopecks


def resolve_account(
    request: OperationRequest, accounts: Mapping[str, Account]
) -> Account | Refusal | None:
    if not request.account_code:
        if request.kind in (*DEAL_KINDS, "collection"):
            return Refusal("Поле «Счёт»: не указано. Укажите ID кассы, терминала или карты.")
        return None
    account = accounts.get(request.account_code)
    if account is None:
        known = ", ".join(sorted(accounts)) or "нет ни одного — добавьте их в настройках"
        return Refusal(
            f"Поле «Счёт»: «{request.account_code}» не найден среди касс, терминалов и карт "
            f"(есть: {known})."
        )
    if request.method and request.method != account.kind:
        return Refusal(
            f"Поле «Способ»: {METHOD_TITLES.get(request.method, request.method)} не совпадает "
            f"со счётом «{account.title}» ({METHOD_TITLES[account.kind]}). Выберите другой счёт."
        )
    return account


def plan_operation(
    request: OperationRequest, account: Account | None, amount: int, state: MoneyState
) -> PlannedOperation | Refusal:
    if request.kind not in KIND_TITLES:
        return Refusal(f"Поле «Тип»: «{request.kind}» — неизвестный тип операции.")
    if request.kind in MANAGER_KINDS and not request.manager_id:
        return Refusal("Поле «Сотрудник»: не указан. Выберите менеджера.")
    balance, paid = _deltas(request.kind, amount, account is not None)
    if paid < 0 and state.paid_kopecks + paid < 0:
        return Refusal(
            f"Поле «Сумма»: {KIND_TITLES[request.kind].lower()} {as_rubles(amount)} больше, "
            f"чем оплачено по сделке ({as_rubles(state.paid_kopecks)}). Проверьте сумму."
        )
    warning = ""
    if account is not None and balance < 0 and state.balance_kopecks + balance < 0:
        shortage = (
            f"на счёте «{account.title}» {as_rubles(state.balance_kopecks)}, "
            f"а списывается {as_rubles(amount)}"
        )
        if not state.allow_negative:
            return Refusal(
                f"Поле «Сумма»: {shortage} — баланс ушёл бы в минус. Проверьте сумму или счёт."
            )
        warning = f"Внимание: {shortage}, баланс стал отрицательным."
    return PlannedOperation(
        kind=request.kind,
        amount_kopecks=amount,
        account_code=account.code if account else "",
        deal_id=request.deal_id,
        manager_id=request.manager_id,
        comment=request.comment,
        balance_delta_kopecks=balance,
        paid_delta_kopecks=paid,
        warning=warning,
    )


def _deltas(kind: str, amount: int, with_account: bool) -> tuple[int, int]:
    if kind == "payment":
        return amount, amount
    if kind in ("change", "refund"):
        return -amount, -amount
    if kind == "collection" or (kind == "salary" and with_account):
        return -amount, 0
    return 0, 0


def decide(
    request: OperationRequest, accounts: Mapping[str, Account], state: MoneyState
) -> PlannedOperation | Refusal:
    """Check the input and plan the operation; the first problem found is the answer."""
    amount = parse_amount(request.amount)
    if isinstance(amount, Refusal):
        return amount
    account = resolve_account(request, accounts)
    if isinstance(account, Refusal):
        return account
    return plan_operation(request, account, amount, state)
