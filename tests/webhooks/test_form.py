"""The form decoder gives what the standard library's ``parse_qsl`` gives, nested by the
bracket keys, and refuses what it refuses (with a reason)."""

from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.appclient import deal_event
from webhooks.bitrix24.form import FormError, parse_form


def reference(body: bytes) -> dict[str, Any]:
    """The decoder as it was: ``parse_qsl``, then one dictionary level per bracket."""
    text = body.decode("utf-8")
    tree: dict[str, Any] = {}
    for key, value in parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text)):
        head, _, rest = key.partition("[")
        path = [head, *rest.rstrip("]").split("][")] if rest else [head]
        node = tree
        for segment in path[:-1]:
            node = node.setdefault(segment or str(len(node)), {})
        last = path[-1] or str(len(node))
        if isinstance(node.get(last), dict):
            raise TypeError(f"{key} is both a value and a group")
        node[last] = value
    return tree


names = st.text(st.characters(blacklist_characters="[]", blacklist_categories=("Cs",)), min_size=1)
paths = st.lists(names, min_size=1, max_size=3)
values = st.text(st.characters(blacklist_categories=("Cs",)))


class TestParseForm:
    def test_a_bitrix24_event_decodes_into_its_groups(self) -> None:
        tree = parse_form(urlencode(deal_event(deal_id=42)).encode())
        assert tree["data"] == {"FIELDS": {"ID": "42"}}
        assert tree["auth"]["client_endpoint"] == "https://some-domain.bitrix24.com/rest/"
        assert tree == reference(urlencode(deal_event(deal_id=42)).encode())

    @given(st.dictionaries(paths.map(tuple), values, max_size=8))
    def test_any_bracketed_form_decodes_as_parse_qsl_does(
        self, fields: dict[tuple[str, ...], str]
    ) -> None:
        flat = {p[0] + "".join(f"[{s}]" for s in p[1:]): v for p, v in fields.items()}
        body = urlencode(flat).encode()
        try:
            expected = reference(body)
        except TypeError:  # a name both a value and a group
            with pytest.raises(FormError):
                parse_form(body)
            return
        assert parse_form(body) == expected

    def test_plus_is_a_space_in_names_and_values(self) -> None:
        assert parse_form(b"a+b=c+d%2B") == {"a b": "c d+"}

    @pytest.mark.parametrize(
        "body", [b"a=1&&b=2", b"novalue", b"a=%ff", b"%ff=1", b"a[x]=1&a=2", b"a=1&a[x]=2"]
    )
    def test_what_parse_qsl_refuses_is_refused_with_a_reason(self, body: bytes) -> None:
        with pytest.raises(FormError, match=r"\w"):
            parse_form(body)
