"""What the app's framed pages (the «Поиск» tab, the settings page) send back: a JSON
object body and a signed view token in ``X-View-Token`` (CSRF, RELIABILITY.md S10)."""

import time
from typing import Any

from fastapi import Request

from app.core.config import Settings
from app.core.errors import BadRequest, Forbidden
from app.web.frame.view_token import InvalidViewToken, ViewClaims, verify


async def read_json_object(request: Request, *, empty_ok: bool = False) -> dict[str, Any]:
    if empty_ok and not await request.body():
        return {}
    try:
        body = await request.json()
    except ValueError as exc:
        raise BadRequest("body must be a JSON object") from exc
    if not isinstance(body, dict):
        raise BadRequest("body must be a JSON object")
    return body


def verify_view_token(settings: Settings, token: str, *, page: str) -> ViewClaims:
    """The claims of a view token this app issued, or 403 with the reason."""
    if not token:
        raise Forbidden(f"missing X-View-Token header; reopen the {page}")
    try:
        return verify(token, settings.secret_key.get_secret_value(), now=time.time())
    except InvalidViewToken as exc:
        raise Forbidden(str(exc)) from exc
