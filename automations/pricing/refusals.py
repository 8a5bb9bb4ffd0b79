"""Why a pricing rule refused to act, in Russian (for the manager) and in English (for logs).

A refusal is an expected business outcome, so rules return it as a value instead of raising.
"""

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class RefusalCode(StrEnum):
    NEGATIVE_DISCOUNT = "negative_discount"
    DISCOUNT_NOT_IN_KOPECKS = "discount_not_in_kopecks"
    DISCOUNT_EXCEEDS_TOTAL = "discount_exceeds_total"
    DISCOUNT_TOO_SMALL_FOR_FRACTIONS = "discount_too_small_for_fractions"
    INVALID_ROW = "invalid_row"
    QUANTITY_TOO_PRECISE = "quantity_too_precise"
    INVALID_KIT = "invalid_kit"


@dataclass(frozen=True, slots=True)
class Refusal:
    code: RefusalCode
    message_ru: str
    message_en: str


def negative_discount(discount: Decimal) -> Refusal:
    return Refusal(
        RefusalCode.NEGATIVE_DISCOUNT,
        f"Скидка не может быть отрицательной: {discount}.",
        f"A discount cannot be negative: {discount}.",
    )


def discount_not_in_kopecks(discount: Decimal) -> Refusal:
    return Refusal(
        RefusalCode.DISCOUNT_NOT_IN_KOPECKS,
        f"Скидка {discount} должна быть в целых копейках.",
        f"The discount {discount} must be whole kopecks.",
    )


def discount_exceeds_total(discount: Decimal, total: Decimal) -> Refusal:
    return Refusal(
        RefusalCode.DISCOUNT_EXCEEDS_TOTAL,
        f"Скидка {discount} больше суммы сделки {total}: цены стали бы отрицательными.",
        f"The discount {discount} exceeds the deal total {total}: prices would turn negative.",
    )


def discount_too_small_for_fractions(target: Decimal, reachable: Decimal) -> Refusal:
    return Refusal(
        RefusalCode.DISCOUNT_TOO_SMALL_FOR_FRACTIONS,
        f"Нельзя точно получить сумму {target}: у позиций с дробным количеством сумма не в "
        f"целых копейках, и без повышения цен достижимо не больше {reachable}. "
        "Измените скидку или количество.",
        f"Cannot reach the total {target} exactly: rows with fractional quantities have totals "
        f"that are not whole kopecks, and without raising a price at most {reachable} is "
        "reachable. Change the discount or the quantities.",
    )


def invalid_row(product_id: int, reason_ru: str, reason_en: str) -> Refusal:
    return Refusal(
        RefusalCode.INVALID_ROW,
        f"Товарная позиция {product_id}: {reason_ru}.",
        f"Product row {product_id}: {reason_en}.",
    )


def quantity_too_precise(product_id: int, quantity: Decimal) -> Refusal:
    return Refusal(
        RefusalCode.QUANTITY_TOO_PRECISE,
        f"Товар {product_id}: количество {quantity} имеет больше 4 знаков после запятой, "
        "Битрикс24 его не сохранит.",
        f"Product {product_id}: quantity {quantity} has more than 4 decimals, "
        "which Bitrix24 does not store.",
    )


def invalid_kit(kit_id: int, reason_ru: str, reason_en: str) -> Refusal:
    return Refusal(
        RefusalCode.INVALID_KIT,
        f"Комплект {kit_id}: {reason_ru}.",
        f"Kit {kit_id}: {reason_en}.",
    )
