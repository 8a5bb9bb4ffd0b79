"""Server-side rendering of the «Поиск» tab: escaping, headers, lines, progress, links."""

import json
import re
from dataclasses import replace
from decimal import Decimal

import pytest
from starlette.responses import HTMLResponse

from app.web.frame.render import parse_portal_origin, render_install_finish
from app.web.tab.render import render_tab, render_tab_error
from tests.app.web.tab.html_tree import Node, parse
from tests.app.web.tab.sample_pages import (
    ATTRIBUTE_BREAKOUT,
    HOSTILE_STRINGS,
    PORTAL_ORIGIN,
    SCRIPT_BREAKOUT,
    SCRIPT_TAG,
    VIEW_TOKEN,
    hostile_page,
    progress_page,
    with_entry,
)

STATIC_SCRIPTS = {
    "/static/frame.js",
    "/static/tab-render.js",
    "/static/tab-editor.js",
    "/static/tab-jobs.js",
    "/static/tab.js",
}


def html_of(response: HTMLResponse) -> str:
    return bytes(response.body).decode()


def csp_directives(response: HTMLResponse) -> dict[str, str]:
    header = response.headers["content-security-policy"]
    pairs = (part.strip().split(" ", 1) for part in header.split(";"))
    return {name: value for name, value in pairs}


def rendered_tab(**kwargs: str) -> tuple[str, Node]:
    html = html_of(render_tab(hostile_page(**kwargs), app_sid="sid-1"))
    return html, parse(html)


def config_of(document: Node) -> dict[str, object]:
    config: dict[str, object] = json.loads(document.find("script", id="tab-config").text())
    return config


def line_row(document: Node, line_id: int) -> Node:
    return document.find("tr", **{"data-line-id": str(line_id)})


class TestEscaping:
    def test_no_hostile_payload_appears_raw_anywhere_in_the_html(self) -> None:
        html, _ = rendered_tab()
        for payload in HOSTILE_STRINGS:
            assert payload not in html
        assert "<img src=x" not in html
        assert "<script>alert" not in html

    def test_hostile_strings_read_back_as_plain_text(self) -> None:
        _, document = rendered_tab()
        assert document.find("h1").text() == "Сделка " + SCRIPT_BREAKOUT + ATTRIBUTE_BREAKOUT
        assert SCRIPT_BREAKOUT in document.find("title").text()
        first = line_row(document, 11)
        cells = [cell.text().strip() for cell in first.find_all("td")]
        assert cells[1] == ATTRIBUTE_BREAKOUT
        assert first.find("span", **{"class": "b24b-supplier"}).text() == SCRIPT_BREAKOUT
        assert first.find("span", **{"class": "b24b-comment"}).text() == SCRIPT_TAG
        note = first.find("span", **{"class": "b24b-replacement"})
        assert note.text() == "Замена: " + ATTRIBUTE_BREAKOUT
        assert document.find("p", id="notice").text().endswith(SCRIPT_TAG)

    def test_the_only_elements_are_the_ones_the_template_writes(self) -> None:
        _, document = rendered_tab()
        scripts = document.find_all("script")
        assert {node.attrs.get("src") for node in scripts if "src" in node.attrs} == STATIC_SCRIPTS
        inline = [node for node in scripts if "src" not in node.attrs]
        assert [node.attrs["type"] for node in inline] == ["application/json"]
        assert not [node for node in document.iter() if any(a.startswith("on") for a in node.attrs)]
        assert not document.find_all("img", src="x")

    def test_config_json_cannot_leave_its_script_element_and_round_trips(self) -> None:
        html, document = rendered_tab()
        block = document.find("script", id="tab-config").text()
        assert "<" not in block and ">" not in block
        assert html.count("</script>") == len(document.find_all("script"))
        config = config_of(document)
        lines = config["lines"]
        assert isinstance(lines, list)
        assert [line["name"] for line in lines][:2] == [ATTRIBUTE_BREAKOUT, SCRIPT_TAG]
        assert lines[0]["supplier"] == SCRIPT_BREAKOUT
        assert lines[0]["unit_price"] == "1234.5"

    def test_config_carries_what_the_script_needs(self) -> None:
        _, document = rendered_tab()
        config = config_of(document)
        assert config["view_token"] == VIEW_TOKEN
        assert config["api_base"] == "/tab/api"
        assert config["lang"] == "ru"
        assert (config["entity_kind"], config["entity_id"], config["deal_id"]) == (
            "deal",
            8061,
            8061,
        )
        assert config["card_id"] is None
        assert config["portal_origin"] == PORTAL_ORIGIN
        assert config["app_sid"] == "sid-1"
        strings = config["strings"]
        assert isinstance(strings, dict)
        assert strings["status_found"] == "найден"
        assert strings["progress"] == "{found} из {active} найдено"


class TestHeaders:
    def test_csp_uses_a_nonce_and_never_unsafe_inline(self) -> None:
        response = render_tab(hostile_page())
        directives = csp_directives(response)
        nonce = re.fullmatch(r"'self' 'nonce-([A-Za-z0-9_-]{16,})'", directives["script-src"])
        assert nonce is not None
        assert directives["style-src"] == f"'self' 'nonce-{nonce.group(1)}'"
        assert directives["default-src"] == "'self'"
        assert directives["img-src"] == "'self' https: data:"
        header = response.headers["content-security-policy"]
        assert "unsafe-inline" not in header and "unsafe-eval" not in header
        document = parse(html_of(response))
        assert {node.attrs["nonce"] for node in document.find_all("script")} == {nonce.group(1)}

    def test_every_render_gets_a_fresh_nonce(self) -> None:
        first = csp_directives(render_tab(hostile_page()))["script-src"]
        second = csp_directives(render_tab(hostile_page()))["script-src"]
        assert first != second

    def test_only_the_portal_may_frame_the_tab(self) -> None:
        response = render_tab(hostile_page(portal_origin="https://A.bitrix24.ru/"))
        assert csp_directives(response)["frame-ancestors"] == "https://a.bitrix24.ru"
        assert "x-frame-options" not in response.headers

    def test_hardening_headers_are_set(self) -> None:
        response = render_tab(hostile_page())
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["content-type"].startswith("text/html")

    @pytest.mark.parametrize(
        "origin",
        [
            "https://a.bitrix24.ru; script-src *",
            "https://a.bitrix24.ru:443; script-src *",
            "https://a.bitrix24.ru/p/x?y=1",
            "https://a.bitrix24.ru:99999",
            "https://user@a.bitrix24.ru",
            "javascript:alert(1)",
            "*",
            "",
            "https://a.bitrix24.ru?x=1",
        ],
    )
    def test_a_malformed_portal_origin_is_refused_not_echoed(self, origin: str) -> None:
        with pytest.raises(ValueError):
            parse_portal_origin(origin)
        with pytest.raises(ValueError):
            render_tab(hostile_page(portal_origin=origin))

    @pytest.mark.parametrize(
        ("url", "origin"),
        [
            ("http://127.0.0.1:8081", "http://127.0.0.1:8081"),
            ("https://A.Bitrix24.ru/rest/", "https://a.bitrix24.ru"),
            ("http://127.0.0.1:9000/p/demo", "http://127.0.0.1:9000"),
            ("http://[::1]:9000/", "http://[::1]:9000"),
        ],
    )
    def test_portal_origin_is_reduced_to_scheme_host_and_port(self, url: str, origin: str) -> None:
        assert parse_portal_origin(url) == origin


class TestErrorAndInstallPages:
    def test_error_page_shows_the_reason_and_no_data(self) -> None:
        response = render_tab_error(401, "Подпись запроса не сошлась " + SCRIPT_TAG)
        html = html_of(response)
        assert response.status_code == 401
        assert SCRIPT_TAG not in html
        document = parse(html)
        assert document.find("p", **{"class": "b24b-error-reason"}).text().endswith(SCRIPT_TAG)
        assert not document.find_all("script")
        assert not document.find_all("table")
        assert csp_directives(response)["frame-ancestors"] == "'none'"
        assert "x-frame-options" not in response.headers

    def test_error_page_for_a_known_portal_can_be_framed_by_it(self) -> None:
        response = render_tab_error(403, "Нет доступа", "en", portal_origin=PORTAL_ORIGIN)
        assert csp_directives(response)["frame-ancestors"] == PORTAL_ORIGIN
        assert "The Search tab is unavailable" in html_of(response)

    def test_install_page_says_installed_and_configures_the_frame_client(self) -> None:
        response = render_install_finish("ru", portal_origin=PORTAL_ORIGIN, app_sid="sid-9")
        document = parse(html_of(response))
        assert document.find("h1").text() == "Приложение установлено"
        config = json.loads(document.find("script", id="frame-config").text())
        assert config == {"portal_origin": PORTAL_ORIGIN, "app_sid": "sid-9", "lang": "ru"}
        scripts = {node.attrs.get("src") for node in document.find_all("script")}
        assert {"/static/frame.js", "/static/install.js"} <= scripts
        assert csp_directives(response)["frame-ancestors"] == PORTAL_ORIGIN


class TestLines:
    def test_cancelled_lines_are_struck_through_and_not_editable(self) -> None:
        _, document = rendered_tab()
        cancelled = line_row(document, 13)
        assert "is-cancelled" in cancelled.classes()
        assert "is-editable" not in cancelled.classes()
        assert "tabindex" not in cancelled.attrs
        assert cancelled.find("s").text() == "Фара LED " + SCRIPT_BREAKOUT
        assert cancelled.find("span").text() == "отменён клиентом"
        active = line_row(document, 12)
        assert "is-editable" in active.classes()
        assert not active.find_all("s")

    @pytest.mark.parametrize(
        ("lang", "expected"),
        [("ru", "7 из 10 найдено"), ("en", "7 of 10 found"), ("de", "7 из 10 найдено")],
    )
    def test_progress_reads_in_the_portal_language(self, lang: str, expected: str) -> None:
        document = parse(html_of(render_tab(progress_page(7, 10, lang=lang))))
        assert document.find("p", id="progress").text() == expected

    def test_statuses_and_headings_follow_the_language(self) -> None:
        _, document = rendered_tab(lang="en")
        assert line_row(document, 11).find("span").text() == "found"
        assert line_row(document, 12).find("span").text() == "awaiting search"
        assert document.find("button", **{"data-action": "clear_products"}).text() == (
            "Remove all products"
        )
        assert document.find("html").attrs["lang"] == "en"

    @pytest.mark.parametrize(
        "url",
        [
            "javascript:alert(1)",
            " JaVaScRiPt:alert(1)",
            "java\tscript:alert(1)",
            "\x01javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox(1)",
            "//evil.example/x",
            "http:no-host",
            "ftp://files.example/x",
        ],
    )
    def test_non_http_urls_never_become_links(self, url: str) -> None:
        page = hostile_page()
        line = with_entry(page.lines[0], supplier_url=url, photo_url=url)
        document = parse(html_of(render_tab(replace(page, lines=(line,)))))
        row = line_row(document, 11)
        assert not row.find_all("a")
        assert not row.find_all("img")

    def test_http_and_https_urls_become_safe_external_links(self) -> None:
        _, document = rendered_tab()
        links = line_row(document, 13).find_all("a")
        assert len(links) == 1
        assert links[0].attrs["href"] == "https://detail.1688.com/offer/1.html"
        assert links[0].attrs["rel"] == "noopener noreferrer"
        assert links[0].attrs["target"] == "_blank"
        assert links[0].text() == "detail.1688.com"

    def test_photo_thumbnail_only_for_https(self) -> None:
        page = hostile_page()
        https_line = page.lines[0]
        http_line = with_entry(page.lines[1], photo_url="http://img.example.com/b.jpg")
        document = parse(html_of(render_tab(replace(page, lines=(https_line, http_line)))))
        image = line_row(document, 11).find("img")
        assert image.attrs["src"] == "https://img.example.com/a.jpg"
        assert image.attrs["referrerpolicy"] == "no-referrer"
        assert not line_row(document, 12).find_all("img")

    @pytest.mark.parametrize(
        ("lang", "price", "quantity"),
        [("ru", "1\u00a0234,50 CNY", "2"), ("en", "1,234.50 CNY", "2")],
    )
    def test_numbers_read_naturally(self, lang: str, price: str, quantity: str) -> None:
        _, document = rendered_tab(lang=lang)
        row = line_row(document, 11)
        cells = [cell.text().strip() for cell in row.find_all("td")]
        batch = [
            span.text() for span in row.find("td", **{"class": "c-num c-batch"}).find_all("span")
        ]
        assert (cells[2], cells[5]) == (quantity, price)
        assert batch == (["мин. 100", "14 дн."] if lang == "ru" else ["MOQ 100", "14 days"])

    def test_only_listed_actions_get_buttons(self) -> None:
        page = replace(hostile_page(), actions=("apply_discount", "drop_database"))
        document = parse(html_of(render_tab(page)))
        buttons = [
            node.attrs["data-action"]
            for node in document.find_all("button")
            if "data-action" in node.attrs
        ]
        assert buttons == ["apply_discount"]
        assert document.find_all("form", id="discount-form")
        assert not document.find_all("form", id="clear-form")

    def test_no_actions_no_notice_and_no_lines_render_an_empty_state(self) -> None:
        page = replace(hostile_page(), actions=(), notice="", lines=(), found=0, active=0)
        document = parse(html_of(render_tab(page)))
        assert not document.find_all("div", id="actions")
        assert not document.find_all("p", id="notice")
        assert "нет товаров" in document.find("tr", **{"class": "b24b-empty"}).text()
        assert document.find("p", id="progress").text() == "0 из 0 найдено"

    def test_quantity_drops_trailing_zeros_but_keeps_fractions(self) -> None:
        page = hostile_page()
        line = with_entry(
            replace(page.lines[0], quantity=Decimal("2.500")), unit_price=Decimal("0.5")
        )
        document = parse(html_of(render_tab(replace(page, lines=(line,)))))
        cells = [cell.text().strip() for cell in line_row(document, 11).find_all("td")]
        assert (cells[2], cells[5]) == ("2,5", "0,50 CNY")
