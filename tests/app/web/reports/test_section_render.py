"""The bonus section of the settings page: the stored bonus settings prefilled as JSON,
escaped, for administrators only; the report controls beside them."""

import json

from app.web.settings_page.render import render_settings
from tests.app.web.settings_page.samples import stored
from tests.app.web.settings_page.test_render import page
from tests.app.web.tab.html_tree import parse
from tests.app.web.tab.sample_pages import SCRIPT_TAG

HOSTILE = "</textarea>" + SCRIPT_TAG


def document(**changes: object) -> tuple[str, object]:
    html = bytes(render_settings(page(**changes)).body).decode()
    return html, parse(html)


class TestBonusSection:
    def test_the_stored_bonus_settings_are_prefilled_as_json_and_escaped(self) -> None:
        accounts = [{"code": "MSK", "kind": "cash_desk", "office": HOSTILE, "title": "Касса"}]
        values = {**stored(), "money_accounts": accounts, "bonus_rules": {"default_percent": "2"}}
        html, tree = document(stored=values)
        assert HOSTILE not in html
        area = tree.find("textarea", id="bonus-settings")  # type: ignore[attr-defined]
        shown = json.loads(area.text())
        assert shown == {"bonus_rules": {"default_percent": "2"}, "money_accounts": accounts}
        assert tree.find("button", id="report-export") is not None  # type: ignore[attr-defined]

    def test_a_viewer_gets_neither_the_settings_nor_the_report(self) -> None:
        html, tree = document(is_admin=False)
        assert tree.find_all("textarea", id="bonus-settings") == []  # type: ignore[attr-defined]
        assert "Отчёт доступен только администраторам портала." in html
