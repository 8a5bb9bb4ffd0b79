"""How a job's outcome is told to a person, in the portal's language: «Готово: …» and
«Не выполнено: …» around the handler's message (the tab and the robots' ``result`` say the
same), and what a dead-lettered job says."""

from app.core import portal_store
from app.core.models import Job
from app.core.outcome import Outcome, OutcomeKind
from automations.ports import Deps

PREFIXES = {
    "ru": {OutcomeKind.DONE: "Готово", OutcomeKind.REFUSED: "Не выполнено"},
    "en": {OutcomeKind.DONE: "Done", OutcomeKind.REFUSED: "Not done"},
}


def language(lang: str | None) -> str:
    return "en" if (lang or "").lower().startswith("en") else "ru"


def outcome_text(outcome: Outcome, lang: str | None) -> str:
    """«Готово: Скидка 1500.00 применена.» / «Не выполнено: Скидка … больше суммы сделки …»."""
    prefixes = PREFIXES[language(lang)]
    prefix = prefixes.get(outcome.kind, prefixes[OutcomeKind.REFUSED])
    return f"{prefix}: {outcome.message}" if outcome.message else prefix


def dead_letter_outcome(job: Job, lang: str | None) -> Outcome:
    """What a job that ran out of attempts (or cannot succeed) tells the person who asked."""
    n = job.attempts
    if language(lang) == "en":
        return Outcome.failed(
            f"it failed after {n} attempt{'' if n == 1 else 's'}. Try again later; "
            "if it keeps failing, tell the app's administrator."
        )
    # «после 1 попытки», «после 21 попытки», «после 2 / 5 / 11 попыток»
    word = "попытки" if n % 10 == 1 and n % 100 != 11 else "попыток"
    return Outcome.failed(
        f"сбой после {n} {word}. Попробуйте ещё раз позже; "
        "если не поможет — напишите администратору приложения."
    )


async def portal_language(deps: Deps, member_id: str) -> str:
    async with deps.sessions() as session:
        portal = await portal_store.find_active_portal(session, member_id)
    return language(portal.language if portal else None)
