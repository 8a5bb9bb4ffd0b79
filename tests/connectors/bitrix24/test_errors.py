"""Error codes map onto the typed tree, whatever the HTTP status and case."""

from __future__ import annotations

import pytest

from connectors.bitrix24 import errors as e
from connectors.bitrix24.envelope import as_mapping, decode_body, parse_envelope


def _raised(payload: object, status: int = 200) -> e.Bitrix24Error:
    with pytest.raises(e.Bitrix24Error) as caught:
        parse_envelope(payload, method="crm.deal.get", http_status=status)
    return caught.value


class TestErrorTree:
    @pytest.mark.parametrize(
        ("code", "status", "cls"),
        [
            ("QUERY_LIMIT_EXCEEDED", 503, e.RateLimitError),
            ("query_limit_exceeded", 200, e.RateLimitError),
            ("OVERLOAD_LIMIT", 503, e.OverloadError),
            ("OPERATION_TIME_LIMIT", 429, e.OperatingLimitError),
            ("expired_token", 401, e.TokenExpiredError),
            ("EXPIRED_TOKEN", 401, e.TokenExpiredError),
            ("NO_AUTH_FOUND", 401, e.AuthError),
            ("invalid_token", 401, e.AuthError),
            ("insufficient_scope", 403, e.PermissionDeniedError),
            ("ACCESS_DENIED", 400, e.PermissionDeniedError),
            ("WRONG_AUTH_TYPE", 403, e.PermissionDeniedError),
            ("user_access_error", 403, e.PermissionDeniedError),
            ("NOT_FOUND", 400, e.NotFoundError),
            ("ERROR_METHOD_NOT_FOUND", 404, e.NotFoundError),
            ("INTERNAL_SERVER_ERROR", 500, e.ServerError),
            ("SOMETHING_NEW", 502, e.ServerError),
            ("100", 400, e.BadRequestError),
            ("ERROR_BATCH_LENGTH_EXCEEDED", 400, e.BadRequestError),
        ],
    )
    def test_codes_select_the_class(self, code: str, status: int, cls: type) -> None:
        error = _raised({"error": code, "error_description": "text"}, status)
        assert type(error) is cls
        assert error.code == code
        assert error.method == "crm.deal.get"

    def test_errors_arriving_with_http_200_are_errors(self) -> None:
        assert isinstance(_raised({"error": "QUERY_LIMIT_EXCEEDED"}, 200), e.RateLimitError)

    def test_legacy_empty_code_is_classified_by_its_text(self) -> None:
        assert isinstance(
            _raised({"error": "", "error_description": "Not found"}, 400), e.NotFoundError
        )
        denied = _raised({"error": "", "error_description": "Access denied."}, 400)
        assert isinstance(denied, e.PermissionDeniedError)
        other = _raised(
            {"error": "", "error_description": "Parameter 'fields' must be array."}, 400
        )
        assert type(other) is e.BadRequestError

    def test_rest_v3_error_objects_are_understood(self) -> None:
        error = _raised({"error": {"code": "ACCESS_DENIED", "message": "no"}}, 403)
        assert isinstance(error, e.PermissionDeniedError)

    def test_a_status_error_without_body_is_still_an_error(self) -> None:
        assert isinstance(_raised({}, 502), e.ServerError)

    def test_html_5xx_pages_are_server_errors_and_others_protocol_errors(self) -> None:
        with pytest.raises(e.ServerError):
            decode_body(b"<html>Bad gateway</html>", method="m", http_status=502)
        with pytest.raises(e.ProtocolError):
            decode_body(b"<html>", method="m", http_status=200)

    def test_a_success_without_result_is_a_protocol_error(self) -> None:
        assert isinstance(_raised({"total": 1}, 200), e.ProtocolError)

    def test_messages_carry_the_method_name(self) -> None:
        assert str(_raised({"error": "NOT_FOUND", "error_description": "gone"}, 400)).startswith(
            "crm.deal.get:"
        )


class TestRetryability:
    def test_rate_refusals_are_always_retryable(self) -> None:
        assert e.is_retryable(e.RateLimitError("x"), idempotent=False)
        assert e.is_retryable(e.OperatingLimitError("x"), idempotent=False)

    def test_server_and_transport_errors_only_for_idempotent_calls(self) -> None:
        assert e.is_retryable(e.ServerError("x"), idempotent=True)
        assert not e.is_retryable(e.ServerError("x"), idempotent=False)
        assert not e.is_retryable(e.TransportError("x"), idempotent=False)

    def test_a_request_that_never_left_is_retryable(self) -> None:
        assert e.is_retryable(e.TransportError("x", request_sent=False), idempotent=False)

    def test_permanent_errors_are_not_retried(self) -> None:
        for error in (e.AuthError("x"), e.OverloadError("x"), e.BadRequestError("x")):
            assert not e.is_retryable(error, idempotent=True)

    @pytest.mark.parametrize(
        ("method", "idempotent"),
        [
            ("crm.deal.get", True),
            ("crm.item.list", True),
            ("crm.deal.update", True),
            ("crm.deal.productrows.set", True),
            ("crm.deal.add", False),
            ("im.notify.system.add", False),
            ("bizproc.event.send", False),
        ],
    )
    def test_idempotency_by_verb(self, method: str, idempotent: bool) -> None:
        assert e.is_idempotent_method(method) is idempotent


class TestEnvelope:
    def test_php_empty_array_is_an_empty_map(self) -> None:
        assert as_mapping([]) == {}
        assert as_mapping(None) == {}
        assert as_mapping({"a": 1}) == {"a": 1}

    def test_time_block_and_list_extras_are_parsed(self) -> None:
        envelope = parse_envelope(
            {
                "result": [],
                "total": "120",
                "next": 50,
                "time": {"operating": 3.3, "operating_reset_at": 1778747792, "finish": 1.5},
            },
            method="crm.deal.list",
            http_status=200,
        )
        assert envelope.total == 120 and envelope.next == 50
        assert envelope.time is not None
        assert envelope.time.operating == 3.3
        assert envelope.time.operating_reset_at == 1778747792.0
