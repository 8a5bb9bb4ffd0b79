"""What a product action answers the manager, in the portal's language (Russian by default):
done or refused (``app.core.outcome``), never an exception for a business refusal."""

from app.core.outcome import Outcome
from automations.pricing import Refusal


def say(language: str, ru: str, en: str) -> str:
    return en if language == "en" else ru


def refusal_text(language: str, refusal: Refusal) -> str:
    return say(language, refusal.message_ru, refusal.message_en)


def refused(language: str, refusal: Refusal) -> Outcome:
    return Outcome.refused(refusal_text(language, refusal))


def deal_not_found(language: str) -> Outcome:
    return Outcome.refused(
        say(language, "Сделка не найдена — возможно, её удалили.", "The deal was not found.")
    )


def undefined_bundles(language: str, product_ids: tuple[int, ...]) -> str:
    listed = ", ".join(str(p) for p in product_ids)
    return say(
        language,
        f"Состав комплектов {listed} не задан: добавьте их в смарт-процесс «Комплекты».",
        f"Kits {listed} have no definition: add them to the «Комплекты» smart process.",
    )
