"""Server-side rendering of the settings page: escaping, headers, preselected stage map."""

import json
import re
from dataclasses import replace
from pathlib import Path

from starlette.responses import HTMLResponse

from app.web.settings_page.render import SettingsPage, render_settings, render_settings_error
from app.web.settings_page.words import js_words
from automations.procurement.model import CardStage, DealStage
from tests.app.web.settings_page.samples import PORTAL_ORIGIN, options, stored
from tests.app.web.tab.html_tree import Node, parse
from tests.app.web.tab.sample_pages import ATTRIBUTE_BREAKOUT, SCRIPT_BREAKOUT, SCRIPT_TAG

SCRIPT = Path(__file__).resolve().parents[4] / "app" / "web" / "static" / "settings.js"


def page(**changes: object) -> SettingsPage:
    base = SettingsPage(
        stored=stored(),
        options=options(),
        lang="ru",
        is_admin=True,
        view_token="view-token-abc.def",
        portal_origin=PORTAL_ORIGIN,
        app_sid="sid-1",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def rendered(**changes: object) -> tuple[HTMLResponse, str, Node]:
    response = render_settings(page(**changes))
    html = bytes(response.body).decode()
    return response, html, parse(html)


def csp(response: HTMLResponse) -> dict[str, str]:
    pairs = (
        part.strip().split(" ", 1)
        for part in response.headers["content-security-policy"].split(";")
    )
    return dict(pairs)


def selected(document: Node, select_id: str) -> list[str]:
    options_ = document.find("select", id=select_id).find_all("option")
    return [o.attrs["value"] for o in options_ if "selected" in o.attrs]


class TestStageMap:
    def test_every_semantic_stage_has_a_select_preselected_from_the_stored_map(self) -> None:
        _, _, document = rendered()
        for deal_stage in DealStage:
            assert document.find("select", id=f"deal-stage-{deal_stage.value}")
        for card_stage in CardStage:
            assert document.find("select", id=f"card-stage-{card_stage.value}")
        assert selected(document, "deal-stage-SEARCH") == ["B24B_SEARCH"]
        assert selected(document, "deal-stage-LOST") == ["LOSE"]
        assert selected(document, "deal-stage-FOUND") == []
        assert selected(document, "card-stage-DONE") == ["DT183_10:SUCCESS"]
        assert selected(document, "deal-category") == ["0"]

    def test_a_stored_stage_the_portal_no_longer_has_stays_visible(self) -> None:
        values = stored() | {"deal_stages": {"BOUGHT": "GONE"}}
        _, _, document = rendered(stored=values)
        assert selected(document, "deal-stage-BOUGHT") == ["GONE"]

    def test_stage_titles_are_the_workflow_titles(self) -> None:
        _, html, _ = rendered()
        assert DealStage.PROPOSAL.default_title in html
        assert CardStage.AT_WAREHOUSE.default_title in html

    def test_buyers_and_services_are_checked_from_the_stored_ids(self) -> None:
        _, _, document = rendered()
        boxes = {
            (box.attrs["name"], box.attrs["value"]): "checked" in box.attrs
            for box in document.find_all("input", type="checkbox")
        }
        assert boxes == {("buyers", "1"): False, ("buyers", "3"): True, ("services", "17"): True}
        assert document.find("input", id="discount-field").attrs["value"] == "UF_CRM_DISCOUNT"

    def test_the_lines_lock_from_bought_unless_the_portal_chose_another_stage(self) -> None:
        _, _, document = rendered()
        assert selected(document, "lines-locked-from") == ["BOUGHT"]
        values = [
            o.attrs["value"]
            for o in document.find("select", id="lines-locked-from").find_all("option")
        ]
        assert values == [s.value for s in CardStage if s is not CardStage.SEARCH] + ["NEVER"]
        _, _, chosen = rendered(stored=stored() | {"lines_locked_from": "NEVER"})
        assert selected(chosen, "lines-locked-from") == ["NEVER"]

    def test_before_provisioning_the_page_says_so(self) -> None:
        values = {k: v for k, v in stored().items() if not k.startswith("card_")}
        _, _, document = rendered(stored=values, options=replace(options(), card_stages=()))
        assert document.find("p", id="no-card-type")


class TestSafety:
    def test_portal_strings_are_escaped(self) -> None:
        _, html, document = rendered()
        for hostile in (SCRIPT_TAG, ATTRIBUTE_BREAKOUT, SCRIPT_BREAKOUT):
            assert hostile not in html
        # config, frame.js, settings.js, the reports and the exchange sections' configs and
        # scripts — every one of them ours, none written from a portal string
        scripts = document.find_all("script")
        assert len(scripts) == 7
        assert all(script.attrs.get("nonce") for script in scripts)
        assert not document.find_all("img")
        assert not any(name.startswith("on") for node in document.iter() for name in node.attrs)
        assert ATTRIBUTE_BREAKOUT in document.find("select", id="deal-stage-SEARCH").text()

    def test_config_reaches_the_script_as_json_only(self) -> None:
        hostile = SettingsPage(
            stored=stored(),
            options=options(),
            lang="ru",
            is_admin=False,
            view_token=SCRIPT_BREAKOUT,
            portal_origin=PORTAL_ORIGIN,
            app_sid=SCRIPT_TAG,
        )
        html = bytes(render_settings(hostile).body).decode()
        assert SCRIPT_BREAKOUT not in html
        config = json.loads(parse(html).find("script", id="settings-config").text())
        assert config["view_token"] == SCRIPT_BREAKOUT and config["app_sid"] == SCRIPT_TAG
        assert config["is_admin"] is False and config["api_base"] == "/settings/api"

    def test_headers_allow_only_the_portal_to_frame_and_nonce_scripts(self) -> None:
        response, _, document = rendered()
        policy = csp(response)
        assert policy["frame-ancestors"] == PORTAL_ORIGIN
        nonce = re.search(r"'nonce-([^']+)'", policy["script-src"])
        assert nonce and "unsafe-inline" not in response.headers["content-security-policy"]
        assert all(s.attrs.get("nonce") == nonce.group(1) for s in document.find_all("script"))
        assert response.headers["cache-control"] == "no-store"
        assert "x-frame-options" not in response.headers

    def test_each_render_has_a_fresh_nonce(self) -> None:
        first, second = rendered()[0], rendered()[0]
        assert csp(first)["script-src"] != csp(second)["script-src"]

    def test_the_error_page_may_be_framed_by_nobody(self) -> None:
        response = render_settings_error(401, SCRIPT_TAG, "en")
        html = bytes(response.body).decode()
        assert response.status_code == 401 and SCRIPT_TAG not in html
        assert csp(response)["frame-ancestors"] == "'none'"
        assert "Settings are unavailable" in html


class TestLanguageAndRoles:
    def test_english_when_the_portal_asks_for_it(self) -> None:
        _, html, document = rendered(lang="en")
        assert document.find("html").attrs["lang"] == "en"
        assert "Create smart process and stages" in html
        assert "Создать смарт-процесс и стадии" in rendered()[1]

    def test_a_viewer_sees_disabled_controls_and_why(self) -> None:
        _, _, document = rendered(is_admin=False)
        assert document.find("p", id="admin-only")
        controls = (
            document.find_all("select") + document.find_all("input") + document.find_all("button")
        )
        assert controls and all("disabled" in node.attrs for node in controls)

    def test_an_administrator_gets_live_controls(self) -> None:
        _, _, document = rendered()
        assert not document.find_all("p", id="admin-only")
        assert "disabled" not in document.find("button", id="save").attrs


class TestScriptWords:
    def test_every_word_the_script_reads_is_shipped_in_both_languages(self) -> None:
        used = set(re.findall(r"\bwords\.([a-z_]+)", SCRIPT.read_text(encoding="utf-8")))
        assert used
        for lang in ("ru", "en"):
            assert used <= set(js_words(lang)), used - set(js_words(lang))

    def test_the_script_never_writes_html(self) -> None:
        source = SCRIPT.read_text(encoding="utf-8")
        assert "innerHTML" not in source and "insertAdjacentHTML" not in source
