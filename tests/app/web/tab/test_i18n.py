"""The tab's words: both languages complete, and every string the scripts use is shipped."""

import re
from dataclasses import fields
from decimal import Decimal

import pytest

from app.web.frame.i18n import (
    EN,
    RU,
    STATUSES,
    format_money,
    format_quantity,
    js_strings,
    normalize_lang,
    progress_text,
    t,
)
from app.web.frame.render import STATIC_DIR
from automations.procurement.model import SearchData

SCRIPTS = {path.name: path.read_text(encoding="utf-8") for path in STATIC_DIR.glob("*.js")}


def editor_field_names() -> list[str]:
    block = SCRIPTS["tab-editor.js"].split("var FIELDS = [", 1)[1].split("];", 1)[0]
    return re.findall(r'name: "([a-z_]+)"', block)


class TestCatalogs:
    def test_both_languages_have_the_same_keys(self) -> None:
        assert set(RU) == set(EN)

    def test_every_status_has_a_label(self) -> None:
        for status in STATUSES:
            assert t(f"status_{status}", "ru") != f"status_{status}"
            assert t(f"status_{status}", "en") != f"status_{status}"

    @pytest.mark.parametrize(
        ("given", "expected"),
        [("en", "en"), ("EN", "en"), ("ru", "ru"), ("ua", "ru"), ("", "ru"), (None, "ru")],
    )
    def test_portal_language_falls_back_to_russian(self, given: str | None, expected: str) -> None:
        assert normalize_lang(given) == expected

    def test_an_unknown_key_shows_itself_instead_of_failing(self) -> None:
        assert t("no_such_key", "en") == "no_such_key"
        assert t("save", "xx") == "Сохранить"

    def test_progress_reads_naturally(self) -> None:
        assert progress_text(7, 10, "ru") == "7 из 10 найдено"
        assert progress_text(7, 10, "en") == "7 of 10 found"

    def test_money_and_quantities_follow_the_language(self) -> None:
        assert format_money(Decimal("1500"), "ru") == "1\u00a0500,00"
        assert format_money(Decimal("1500.5"), "en") == "1,500.50"
        assert format_quantity(Decimal("10.000"), "ru") == "10"
        assert format_quantity(Decimal("1000"), "en") == "1,000"


class TestScriptStrings:
    def test_every_string_a_script_reads_is_shipped_in_both_languages(self) -> None:
        used = set()
        for source in SCRIPTS.values():
            used |= set(re.findall(r"strings\.([a-z_]+)", source))
        assert used
        for lang in ("ru", "en"):
            assert used <= set(js_strings(lang)), used - set(js_strings(lang))

    def test_every_editor_field_has_a_label(self) -> None:
        names = editor_field_names()
        assert names
        for name in ["status", *names]:
            assert f"field_{name}" in js_strings("en")

    def test_the_editor_covers_exactly_the_buyers_fields(self) -> None:
        line_fields = {"status", *(field.name for field in fields(SearchData))}
        assert {"status", *editor_field_names()} == line_fields
