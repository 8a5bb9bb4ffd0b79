"""The money robots of PRODUCT §3.9, registered with the others in ``bindings.ROBOTS``.

Amounts are ``string`` properties on purpose: the robot endpoint refuses a malformed
``double`` with 4xx (the workflow would wait for an answer forever), while a money
robot answers bad input in its return values, in Russian, and writes nothing.
"""

from typing import Any

AMOUNT = {"Name": {"ru": "Сумма, ₽", "en": "Amount, RUB"}, "Type": "string", "Required": "Y"}
ACCOUNT = {
    "Name": {"ru": "Счёт: ID кассы, терминала или карты", "en": "Account ID"},
    "Type": "string",
    "Required": "Y",
}
MONEY_RETURNS = {
    "balance": {"Name": {"ru": "Баланс счёта", "en": "Account balance"}, "Type": "string"},
    "paid": {"Name": {"ru": "Оплачено по сделке", "en": "Paid for the deal"}, "Type": "string"},
}

MONEY_ROBOTS: tuple[dict[str, Any], ...] = (
    {
        "CODE": "b24bridge_add_payment",
        "NAME": {"ru": "Добавить оплату/сдачу/возврат", "en": "Add payment/change/refund"},
        "action": "add_payment",
        "PROPERTIES": {
            "type": {
                "Name": {"ru": "Тип", "en": "Type"},
                "Type": "select",
                "Options": {"payment": "Оплата", "change": "Сдача", "refund": "Возврат"},
                "Default": "payment",
                "Required": "Y",
            },
            "amount": AMOUNT,
            "method": {
                "Name": {"ru": "Способ", "en": "Method"},
                "Type": "select",
                "Options": {"cash_desk": "Касса", "terminal": "Терминал", "card": "Карта"},
                "Required": "N",
            },
            "account": ACCOUNT,
        },
        "RETURN_PROPERTIES": MONEY_RETURNS,
    },
    {
        "CODE": "b24bridge_cash_collection",
        "NAME": {"ru": "Инкассация", "en": "Cash collection"},
        "action": "cash_collection",
        "PROPERTIES": {"account": ACCOUNT, "amount": AMOUNT},
        "RETURN_PROPERTIES": MONEY_RETURNS,
    },
    {
        "CODE": "b24bridge_manager_operation",
        "NAME": {"ru": "Выплата ЗП / премия / штраф", "en": "Salary / bonus / fine"},
        "action": "manager_operation",
        "PROPERTIES": {
            "kind": {
                "Name": {"ru": "Вид", "en": "Kind"},
                "Type": "select",
                "Options": {"salary": "Выплата ЗП", "bonus": "Премия", "fine": "Штраф"},
                "Required": "Y",
            },
            "user": {
                "Name": {"ru": "Сотрудник", "en": "Employee"},
                "Type": "user",
                "Required": "Y",
            },
            "amount": AMOUNT,
            "comment": {"Name": {"ru": "Комментарий", "en": "Comment"}, "Type": "string"},
            "account": {**ACCOUNT, "Required": "N"},
        },
        "RETURN_PROPERTIES": MONEY_RETURNS,
    },
)
