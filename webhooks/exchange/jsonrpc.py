"""JSON-RPC 2.0 framing (jsonrpc.org/specification): requests, batches, notifications and
the standard error codes; the methods themselves are in ``rpc_methods``."""

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND = -32700, -32600, -32601
INVALID_PARAMS, INTERNAL_ERROR = -32602, -32603
UNAUTHORIZED = -32001


class RpcError(Exception):
    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code, self.message, self.data = code, message, data

    def as_dict(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error


@dataclass(frozen=True)
class Request:
    method: str
    params: dict[str, Any]
    id: Any
    notification: bool


Method = Callable[[dict[str, Any]], Awaitable[Any]]

_NO_ID = object()


def parse_body(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RpcError(
            PARSE_ERROR,
            f"Тело не разобрано как JSON в UTF-8: {exc}. Пришлите корректный JSON. / "
            f"Parse error: the body is not UTF-8 JSON.",
        ) from exc


def read_request(raw: Any) -> Request:
    if not isinstance(raw, dict):
        raise _invalid("запрос должен быть объектом / a request must be an object")
    if raw.get("jsonrpc") != "2.0":
        raise _invalid('поле «jsonrpc» должно быть "2.0" / jsonrpc must be "2.0"')
    method = raw.get("method")
    if not isinstance(method, str) or not method:
        raise _invalid("поле «method» должно быть непустой строкой / method must be a string")
    params = raw.get("params", {})
    if not isinstance(params, dict):
        raise _invalid("поле «params» должно быть объектом / params must be an object (by name)")
    request_id = raw.get("id", _NO_ID)
    if request_id is not _NO_ID and not isinstance(request_id, str | int | None):
        raise _invalid("поле «id» должно быть строкой или числом / id must be a string or number")
    notification = request_id is _NO_ID
    return Request(method, params, None if notification else request_id, notification)


def _invalid(reason: str) -> RpcError:
    return RpcError(INVALID_REQUEST, f"Неверный запрос: {reason}.", {"reason": reason})


def error_response(error: RpcError, request_id: Any = None) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "error": error.as_dict(), "id": request_id}


def result_response(result: Any, request_id: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "result": result, "id": request_id}


def id_of(raw: Any) -> Any:
    """The id to answer an invalid request with: its own when readable, else null."""
    value = raw.get("id") if isinstance(raw, dict) else None
    return value if isinstance(value, str | int) else None


async def dispatch(raw: Any, methods: dict[str, Method]) -> dict[str, Any] | None:
    """One call → its response (None for a notification)."""
    try:
        request = read_request(raw)
    except RpcError as error:
        return error_response(error, id_of(raw))
    method = methods.get(request.method)
    if method is None:
        known = ", ".join(sorted(methods))
        missing = RpcError(
            METHOD_NOT_FOUND,
            f"Метод «{request.method}» не найден; доступны: {known}. / Method not found.",
            {"method": request.method, "available": sorted(methods)},
        )
        return None if request.notification else error_response(missing, request.id)
    try:
        result = await method(request.params)
    except RpcError as error:
        return None if request.notification else error_response(error, request.id)
    return None if request.notification else result_response(result, request.id)
