"""PHP bracket encoding of batch commands, checked by an independent parse_str."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from connectors.bitrix24.encoding import batch_command, php_query
from tests.connectors.bitrix24.support import php_list, php_parse


class TestPhpQuery:
    def test_nested_dicts_and_lists_become_bracket_keys(self) -> None:
        query = php_query({"fields": {"PHONE": [{"VALUE": "112233", "VALUE_TYPE": "WORK"}]}})
        assert query == "fields[PHONE][0][VALUE]=112233&fields[PHONE][0][VALUE_TYPE]=WORK"

    def test_operator_prefixes_in_filter_keys_are_percent_encoded(self) -> None:
        params = {"filter": {">=ID": 5, "=ownerType": "D", "!STAGE_ID": "WON", "<DATE": "x"}}
        query = php_query(params)
        assert "filter[%3E%3DID]=5" in query
        assert "filter[%3DownerType]=D" in query
        assert php_parse(query) == {
            "filter": {">=ID": "5", "=ownerType": "D", "!STAGE_ID": "WON", "<DATE": "x"}
        }

    def test_ampersand_equals_and_hash_inside_values_survive(self) -> None:
        params = {"fields": {"TITLE": "A & B = C #1 ?x=1&y=2"}}
        assert php_parse(php_query(params)) == {"fields": {"TITLE": "A & B = C #1 ?x=1&y=2"}}

    def test_non_ascii_is_utf8_percent_encoded(self) -> None:
        query = php_query({"fields": {"TITLE": "Закупка №5 — 北京"}})
        assert query.isascii()
        assert php_parse(query) == {"fields": {"TITLE": "Закупка №5 — 北京"}}

    def test_booleans_become_one_and_zero(self) -> None:
        assert php_query({"a": True, "b": False}) == "a=1&b=0"

    def test_none_and_empty_containers_keep_an_empty_value(self) -> None:
        query = php_query({"fields": {"UF_LIST": [], "UF_MAP": {}, "COMMENTS": None, "T": ""}})
        assert php_parse(query) == {
            "fields": {"UF_LIST": "", "UF_MAP": "", "COMMENTS": "", "T": ""}
        }

    def test_numbers_keep_their_value(self) -> None:
        assert php_parse(php_query({"price": 10.5, "qty": 3, "big": 12345678901234})) == {
            "price": "10.5",
            "qty": "3",
            "big": "12345678901234",
        }

    def test_list_order_is_kept(self) -> None:
        parsed = php_parse(php_query({"select": ["ID", "TITLE", "UF_*"]}))
        assert php_list(parsed["select"]) == ["ID", "TITLE", "UF_*"]

    def test_result_references_stay_readable_for_the_batch(self) -> None:
        query = php_query({"filter": {"=ownerId": "$result[deal][item][id]"}})
        assert query == "filter[%3DownerId]=$result[deal][item][id]"

    def test_brackets_and_spaces_inside_keys_are_encoded(self) -> None:
        parsed = php_parse(php_query({"fields": {"a b": "x y"}}))
        assert parsed == {"fields": {"a b": "x y"}}

    @pytest.mark.parametrize("value", ["+", "%", "%20", "a+b", "50%", "\n", "'\""])
    def test_characters_with_meaning_in_queries_round_trip(self, value: str) -> None:
        assert php_parse(php_query({"v": value})) == {"v": value}


class TestBatchCommand:
    def test_method_and_query_are_joined_with_a_question_mark(self) -> None:
        command = batch_command("crm.deal.update", {"id": 1, "fields": {"TITLE": "x"}})
        assert command == "crm.deal.update?id=1&fields[TITLE]=x"

    def test_a_method_without_params_is_sent_bare(self) -> None:
        assert batch_command("user.current", {}) == "user.current"

    def test_command_is_encoded_once_for_a_json_body(self) -> None:
        command = batch_command("crm.deal.list", {"filter": {"TITLE": "a&b"}})
        assert "%2526" not in command and "%26" in command
        assert unquote(command.partition("?")[2]) == "filter[TITLE]=a&b"
