"""CommerceML reading and writing, and JSON-RPC framing: no network, no database."""

import pytest
from defusedxml import ElementTree

from tests.e2e.onec_base import commerce_file, order_xml
from webhooks.exchange.commerceml import CommerceMLError, orders_xml, parse_documents
from webhooks.exchange.jsonrpc import INVALID_REQUEST, RpcError, read_request
from webhooks.exchange.onec import FilenameError, clean_filename

ROWS = [("g1#c1", "Фара", "12500.00", "2")]


class TestReading:
    @pytest.mark.parametrize("encoding", ["UTF-8", "windows-1251"])
    def test_an_order_reads_in_either_encoding(self, encoding: str) -> None:
        body = commerce_file([order_xml("guid", "М-1", site_number="S-1", rows=ROWS,
                                        responsible="0042")], encoding=encoding)  # fmt: skip
        [document] = parse_documents(body)
        assert document["external_id"] == "guid" and document["site_number"] == "S-1"
        assert document["rows"] == [
            {"code": "g1#c1", "name": "Фара", "price": "12500.00", "quantity": "2"}
        ]
        assert document["counterparty"]["phone"] == "+79990001122"
        assert document["responsible_code"] == "0042"
        assert document["properties"]["Номер бонусной карты"] == "BC-1"

    def test_a_bom_is_tolerated(self) -> None:
        body = b"\xef\xbb\xbf" + commerce_file([order_xml("g", "1", site_number="S", rows=ROWS)])
        assert len(parse_documents(body)) == 1

    def test_a_2_10_container_is_read(self) -> None:
        document = order_xml("g", "1", site_number="S", rows=ROWS)
        assert len(parse_documents(commerce_file([f"<Контейнер>{document}</Контейнер>"]))) == 1

    @pytest.mark.parametrize(
        "body", [b"<a><b></a>", b"<other/>", b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>']
    )
    def test_bad_xml_is_a_readable_error(self, body: bytes) -> None:
        with pytest.raises(CommerceMLError):
            parse_documents(body)


class TestWriting:
    def test_the_latest_change_of_each_deal_is_one_document(self) -> None:
        change = {"deal_id": 7, "external_id": "guid", "stage": "NEW", "opportunity": "10",
                  "rows": [["Фара", "5", "2"]], "properties": {"Промокод": "X"}}  # fmt: skip
        body = orders_xml([change, change | {"stage": "WON"}])
        assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
        [document] = ElementTree.fromstring(body).iter("Документ")
        values = [v.text for v in document.iter("Значение")]
        assert values == ["WON", "7", "X"]


class TestFramingAndNames:
    def test_params_by_position_are_refused(self) -> None:
        with pytest.raises(RpcError) as caught:
            read_request({"jsonrpc": "2.0", "method": "node.ping", "params": [1], "id": 1})
        assert caught.value.code == INVALID_REQUEST

    def test_a_1c_temp_path_keeps_its_basename_and_dots_are_refused(self) -> None:
        assert clean_filename("C:\\v8_8789_c.xml") == "v8_8789_c.xml"
        with pytest.raises(FilenameError):
            clean_filename("../x.xml")
