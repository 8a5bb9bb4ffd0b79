import pytest

from automations.procurement import EntryProblem, LineStatus, render
from automations.procurement.messages import CATALOGUE


class TestRender:
    def test_the_spec_texts_are_kept_word_for_word(self) -> None:
        assert render("notify.search_done") == "Поиск завершён. Пора согласовать список с клиентом"
        assert render("notify.new_goods") == "В сделку добавлен новый товар — нужен поиск"
        assert render("sms.at_warehouse") == "Ваш товар выкуплен и принят на склад"
        assert (
            render("task.call_client", days=5) == "Позвонить клиенту: заказ прибывает через 5 дней"
        )
        assert render("task.find_goods", deal_id=7, deal_title="Рюкзаки").startswith(
            "Найти товары по сделке"
        )

    def test_english_when_the_portal_language_is_en(self) -> None:
        assert render("tab.progress", "en", found=7, total=10) == "7 of 10 found"
        assert render("tab.progress", "ru", found=7, total=10) == "7 из 10 найдено"

    def test_other_languages_fall_back_to_russian(self) -> None:
        assert render("tab.progress", "de", found=1, total=2) == "1 из 2 найдено"

    @pytest.mark.parametrize(
        ("days", "word"),
        [(1, "день"), (2, "дня"), (4, "дня"), (5, "дней"), (11, "дней"), (21, "день"), (22, "дня")],
    )
    def test_russian_day_plurals(self, days: int, word: str) -> None:
        assert render("task.call_client", days=days).endswith(f"{days} {word}")

    def test_english_day_plurals(self) -> None:
        assert render("task.call_client", "en", days=1).endswith("in 1 day")
        assert render("task.call_client", "en", days=3).endswith("in 3 days")

    def test_every_key_has_both_languages(self) -> None:
        assert all(set(texts) == {"ru", "en"} for texts in CATALOGUE.values())

    def test_every_key_the_rules_emit_exists(self) -> None:
        emitted = {
            "card.title",
            "task.find_goods",
            "notify.search_started",
            "notify.search_done",
            "notify.new_goods",
            "notify.sms_no_phone",
            "task.buyout",
            "task.call_client",
            "task.call_client_today",
            "sms.at_warehouse",
            "sms.review_request",
        }
        assert emitted <= set(CATALOGUE)

    def test_tab_statuses_and_entry_problems_have_texts(self) -> None:
        assert {f"status.{status}" for status in LineStatus} <= set(CATALOGUE)
        assert {problem.value for problem in EntryProblem} <= set(CATALOGUE)

    def test_a_missing_param_is_an_error_not_a_blank(self) -> None:
        with pytest.raises(KeyError):
            render("task.buyout", deal_id=1)
