"""CommerceML 2 order documents (1C «Обмен с сайтом», schema 2.05–2.10) ↔ the gateway's
document dicts, per exchange/COMMERCEML.md §4–5.

Reading uses defusedxml (no entities, no DTD tricks), decodes by the XML prolog
(windows-1251 or UTF-8) and tolerates a UTF-8 BOM. Each ``Документ`` becomes one order
dict that the core validates; ``Документ`` elements of 2.10's ``Контейнер`` count too.
Writing builds the orders XML that ``mode=query`` answers with.
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

BOM = b"\xef\xbb\xbf"
SITE_NUMBER_NAMES = ("Номер заказа на сайте", "Номер по сайту", "Номер сайта")
RESPONSIBLE_NAMES = ("Табельный номер ответственного", "Ответственный")
CANCEL_NAMES = ("ПометкаУдаления", "Отменен")


class CommerceMLError(ValueError):
    """The file is not a CommerceML document we can read; the message says why."""


def parse_documents(body: bytes) -> list[dict[str, Any]]:
    return [_order(document) for document in _documents(commerce_root(body))]


def commerce_root(body: bytes) -> Element:
    root = _root(body)
    if local_name(root.tag) != "КоммерческаяИнформация":
        raise CommerceMLError(
            f"Корневой элемент «{local_name(root.tag)}», ожидается «КоммерческаяИнформация». / "
            "The root element must be КоммерческаяИнформация."
        )
    return root


def _root(body: bytes) -> Element:
    try:
        root: Element = ElementTree.fromstring(body.removeprefix(BOM))
    except (ElementTree.ParseError, DefusedXmlException, ValueError, LookupError) as exc:
        raise CommerceMLError(
            f"XML не разобран: {exc}. Проверьте файл и кодировку в прологе. / "
            f"The XML does not parse: {exc}."
        ) from exc
    return root


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def children(element: Element, name: str) -> Iterator[Element]:
    return (child for child in element if local_name(child.tag) == name)


def _child(element: Element | None, name: str) -> Element | None:
    return next(children(element, name), None) if element is not None else None


def child_text(element: Element | None, name: str) -> str | None:
    found = _child(element, name)
    text = (found.text or "").strip() if found is not None else ""
    return text or None


def _documents(root: Element) -> Iterator[Element]:
    yield from children(root, "Документ")
    for container in children(root, "Контейнер"):
        yield from children(container, "Документ")


def _requisites(element: Element) -> dict[str, str]:
    values = {}
    for item in children(
        _child(element, "ЗначенияРеквизитов") or Element("x"), "ЗначениеРеквизита"
    ):
        name, value = child_text(item, "Наименование"), child_text(item, "Значение")
        if name:
            values[name] = value or ""
    return values


def _first(values: dict[str, str], names: tuple[str, ...]) -> str | None:
    return next((values[n] for n in names if values.get(n)), None)


def _order(document: Element) -> dict[str, Any]:
    requisites = _requisites(document)
    order: dict[str, Any] = {
        "external_id": child_text(document, "Ид"),
        "number": child_text(document, "Номер"),
        "date": child_text(document, "Дата"),
        "currency": child_text(document, "Валюта") or "RUB",
        "amount": child_text(document, "Сумма"),
        "comment": child_text(document, "Комментарий") or "",
        "rows": [
            _row(item) for item in children(_child(document, "Товары") or Element("x"), "Товар")
        ],
        "properties": requisites,
        "site_number": _first(requisites, SITE_NUMBER_NAMES),
        "responsible_code": _first(requisites, RESPONSIBLE_NAMES),
        "cancelled": any(requisites.get(n) == "true" for n in CANCEL_NAMES),
    }
    party = _child(_child(document, "Контрагенты"), "Контрагент")
    if party is not None:
        order["counterparty"] = _party(party)
    return {key: value for key, value in order.items() if value is not None}


def _row(item: Element) -> dict[str, Any]:
    row = {
        "code": child_text(item, "Ид"),
        "article": child_text(item, "Артикул"),
        "name": child_text(item, "Наименование"),
        "price": child_text(item, "ЦенаЗаЕдиницу"),
        "quantity": child_text(item, "Количество"),
    }
    return {key: value for key, value in row.items() if value is not None}


def _party(party: Element) -> dict[str, Any]:
    name = (
        child_text(party, "ОфициальноеНаименование")
        or child_text(party, "ПолноеНаименование")
        or child_text(party, "Наименование")
    )
    out: dict[str, Any] = {
        "external_id": child_text(party, "Ид"),
        "name": name,
        "inn": child_text(party, "ИНН"),
        "kpp": child_text(party, "КПП"),
        "first_name": child_text(party, "Имя"),
        "last_name": child_text(party, "Фамилия"),
    }
    for contact in children(_child(party, "Контакты") or Element("x"), "Контакт"):
        kind, value = (child_text(contact, "Тип") or "").lower(), child_text(contact, "Значение")
        if "телефон" in kind and value:
            out.setdefault("phone", value)
        elif ("почта" in kind or "mail" in kind) and value:
            out.setdefault("email", value)
    return {key: value for key, value in out.items() if value is not None}


def orders_xml(changes: list[dict[str, Any]], *, version: str = "2.08") -> bytes:
    """The ``mode=query`` answer: one ``Документ`` per changed deal, latest change wins."""
    root = Element(
        "КоммерческаяИнформация",
        {
            "ВерсияСхемы": version,
            "ДатаФормирования": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        },
    )
    latest = {change["deal_id"]: change for change in changes}
    for change in latest.values():
        _document(root, change)
    body: bytes = tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body


def _add(parent: Element, name: str, text: object) -> Element:
    element = SubElement(parent, name)
    element.text = str(text)
    return element


def _document(root: Element, change: dict[str, Any]) -> None:
    document = SubElement(root, "Документ")
    _add(document, "Ид", change["external_id"])
    _add(document, "Номер", change["deal_id"])
    _add(document, "Дата", datetime.now(UTC).date().isoformat())
    _add(document, "ХозОперация", "Заказ товара")
    _add(document, "Роль", "Продавец")
    _add(document, "Валюта", change.get("currency") or "RUB")
    _add(document, "Курс", 1)
    _add(document, "Сумма", change["opportunity"])
    goods = SubElement(document, "Товары")
    for name, price, quantity in change["rows"]:
        item = SubElement(goods, "Товар")
        _add(item, "Наименование", name)
        _add(item, "ЦенаЗаЕдиницу", price)
        _add(item, "Количество", quantity)
    requisites = SubElement(document, "ЗначенияРеквизитов")
    pairs = [("Статус заказа", change["stage"]), ("Номер в Битрикс24", change["deal_id"])]
    for name, value in [*pairs, *change.get("properties", {}).items()]:
        item = SubElement(requisites, "ЗначениеРеквизита")
        _add(item, "Наименование", name)
        _add(item, "Значение", value)
