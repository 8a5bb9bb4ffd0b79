"""Read a callback's body under the size cap, from a FastAPI request or a raw ASGI receive,
and parse it as a Bitrix24 form; a body past the cap is refused without reading it all."""

from collections.abc import AsyncIterator, Iterable
from typing import Any

from fastapi import Request
from starlette.types import Receive

from app.core.errors import BadRequest, PayloadTooLarge
from webhooks.bitrix24.form import MAX_BODY_BYTES, FormError, parse_form

TOO_LARGE = f"body is larger than {MAX_BODY_BYTES} bytes"


class ClientGone(Exception):
    """The sender hung up before its body ended: there is nobody to answer."""


async def read_body(request: Request) -> bytes:
    return await _capped(request.headers.get("content-length", ""), request.stream())


async def read_form(request: Request) -> dict[str, Any]:
    return form_of(await read_body(request))


async def receive_body(receive: Receive, headers: Iterable[tuple[bytes, bytes]]) -> bytes:
    """The body of a raw ASGI request (``ClientGone`` when the sender hung up)."""
    declared = next((value for name, value in headers if name == b"content-length"), b"")
    return await _capped(declared.decode("latin-1"), _chunks(receive))


def form_of(body: bytes) -> dict[str, Any]:
    try:
        return parse_form(body)
    except FormError as exc:
        raise BadRequest(str(exc)) from exc


async def _capped(declared: str, chunks: AsyncIterator[bytes]) -> bytes:
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise PayloadTooLarge(TOO_LARGE)
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise PayloadTooLarge(TOO_LARGE)
        parts.append(chunk)
    return b"".join(parts)


async def _chunks(receive: Receive) -> AsyncIterator[bytes]:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone()
        yield message.get("body", b"")
        if not message.get("more_body", False):
            return
