"""Which URLs may become short links, and what a code looks like (pure rules)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from automations.proposals.link_rules import (
    CODE_ALPHABET,
    TargetRefused,
    checked_target,
    looks_like_code,
    new_code,
)

APP = "https://bridge.example.com"


class TestTargets:
    @pytest.mark.parametrize(
        "url",
        [
            "https://detail.1688.com/offer/123.html?spm=a",
            "http://shop.example.cn/item/9",
            "  https://www.taobao.com/x  ",
        ],
    )
    def test_public_http_pages_are_accepted(self, url: str) -> None:
        assert checked_target(url, APP) == url.strip()

    @pytest.mark.parametrize(
        ("url", "reason"),
        [
            ("javascript:alert(1)", "scheme"),
            ("ftp://files.example.com/a", "scheme"),
            ("data:text/html,hi", "scheme"),
            ("//example.com/a", "scheme"),
            ("https://", "malformed"),
            ("https://user@evil.example.com/", "malformed"),
            ("https://exa mple.com/", "malformed"),
            ("https://bridge.example.com/p/abc", "own_host"),
            ("https://BRIDGE.example.com./s/abc", "own_host"),
            ("http://localhost:8000/", "private"),
            ("http://api.localhost/", "private"),
            ("http://127.0.0.1/", "private"),
            ("http://127.1/", "private"),
            ("http://2130706433/", "private"),
            ("http://0x7f000001/", "private"),
            ("http://10.0.0.5/admin", "private"),
            ("http://192.168.1.1/", "private"),
            ("http://172.16.3.4/", "private"),
            ("http://169.254.169.254/latest/meta-data", "private"),
            ("http://0.0.0.0/", "private"),
            ("http://[::1]/", "private"),
            ("http://[fe80::1]/", "private"),
            ("http://[fd00::1]/", "private"),
            ("http://[::ffff:127.0.0.1]/", "private"),
            ("http://100.64.0.1/", "private"),
            ("http://224.0.0.1/", "private"),
        ],
    )
    def test_refused_targets_name_their_reason(self, url: str, reason: str) -> None:
        with pytest.raises(TargetRefused) as refused:
            checked_target(url, APP)
        assert refused.value.reason == reason

    def test_a_public_address_literal_is_a_page_like_any_other(self) -> None:
        assert checked_target("http://8.8.8.8/x", APP) == "http://8.8.8.8/x"

    def test_a_host_made_of_hex_letters_is_a_name_not_an_address(self) -> None:
        assert checked_target("https://cafe.de/", APP) == "https://cafe.de/"


class TestCodes:
    @given(st.integers(min_value=0, max_value=50))
    def test_new_codes_are_base62_of_at_least_eight_characters(self, _: int) -> None:
        code = new_code()
        assert len(code) >= 8
        assert set(code) <= set(CODE_ALPHABET)
        assert looks_like_code(code)

    @pytest.mark.parametrize("code", ["", "abc", "abcdefg", "abcdefgh!", "a" * 33, "../../etc"])
    def test_what_cannot_be_a_code_is_never_looked_up(self, code: str) -> None:
        assert not looks_like_code(code)
