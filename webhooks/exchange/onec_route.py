"""``/exchange/1c``: the 1C «Обмен с сайтом» protocol, ``type=sale`` (COMMERCEML.md §1–2) and
``type=catalog`` for the promo codes of our convention (``catalog``; §3).

checkauth (HTTP Basic → cookie and sessid) → init (``zip=no``, ``file_limit``) → file (parts
appended, stored before ``success``) → import (parsed into the core) → query (the orders XML
of this node's unacknowledged changes) → success (acknowledges what query offered). Answers
are plain text lines, status line ASCII and first, no BOM; HTTP status stays 200. A file is
also imported at the next checkauth/init/query/success when no ``import`` came.
"""

import base64
import binascii
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.context import AppContext
from app.core.http_deps import ContextDep
from app.core.models import ExchangeNode, ExchangeSession
from app.core.uow import in_transaction
from automations.exchange import intake, nodes, outbox
from webhooks.exchange import onec
from webhooks.exchange.commerceml import orders_xml

router = APIRouter(prefix="/exchange", tags=["exchange gateway"])
FILE_LIMIT = 1024 * 1024
IMPORT_STEP = 200  # documents per mode=import call, so a big file never outlasts 1C's timeout
TEXT = "text/plain; charset=windows-1251"
AUTH_FAILED = (
    "Неверный логин или пароль узла обмена (или узел отключён): проверьте настройки узла в 1С. "
    "/ Wrong exchange node login or password, or the node is disabled."
)


def answer(*lines: str) -> Response:
    body = "\n".join(lines) + "\n"
    return Response(body.encode("cp1251", errors="replace"), media_type=TEXT)


def failure(reason: str) -> Response:
    return answer("failure", reason)


@dataclass(frozen=True)
class Caller:
    node: ExchangeNode
    session: ExchangeSession | None


def _basic(request: Request) -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        login, _, secret = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return login, secret


async def _caller(session: AsyncSession, request: Request, *, basic_only: bool) -> Caller | None:
    """By the session cookie or sessid (any release), else by HTTP Basic."""
    if not basic_only:
        token = request.cookies.get(onec.COOKIE) or request.query_params.get("sessid", "")
        found = await onec.find_session(session, token)
        if found is not None:
            node = await session.get(ExchangeNode, found.node_id)
            if node is not None and node.enabled:
                return Caller(node, found)
    credentials = _basic(request)
    if credentials is None:
        return None
    node = await nodes.authenticate(session, *credentials)
    return Caller(node, None) if node is not None and node.kind == "1c" else None


@router.get("/1c", response_model=None)
async def one_c_get(request: Request, context: ContextDep) -> Response:
    """1C «Обмен с сайтом»: checkauth, init, import, query, success (type=sale); checkauth,
    init, import, complete (type=catalog: promo codes, README «Exchange gateway»)."""
    return await one_c(request, context)


@router.post("/1c", response_model=None)
async def one_c_post(request: Request, context: ContextDep) -> Response:
    """1C «Обмен с сайтом»: mode=file (a part of an upload as the raw body)."""
    return await one_c(request, context)


async def one_c(request: Request, context: ContextDep) -> Response:
    kind = request.query_params.get("type", "")
    mode = request.query_params.get("mode", "")
    if kind not in ("sale", "catalog"):
        return failure(
            f"Поддерживаются type=sale и type=catalog, получено type={kind[:20]!r}. / "
            "Only type=sale or type=catalog."
        )
    body = await _read_limited(request) if mode == "file" else b""
    if body is None:
        return failure(f"Часть файла больше file_limit={FILE_LIMIT} байт. / Part too large.")
    return await _run(context, request, mode, body)


async def _read_limited(request: Request) -> bytes | None:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > FILE_LIMIT:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def _run(context: AppContext, request: Request, mode: str, body: bytes) -> Response:
    async def work(session: AsyncSession) -> Response:
        caller = await _caller(session, request, basic_only=mode == "checkauth")
        if caller is None:
            return failure(AUTH_FAILED)
        handler = MODES.get(mode)
        if handler is None:
            return failure(f"Неизвестный mode={mode[:20]!r}. / Unknown mode.")
        return await handler(session, caller, request, body)

    return await in_transaction(context, work)


async def _checkauth(session: AsyncSession, caller: Caller, _r: Request, _b: bytes) -> Response:
    await onec.import_pending(session, caller.node)
    value = await onec.open_session(session, caller.node)
    return answer("success", onec.COOKIE, value, f"sessid={value}")


async def _init(session: AsyncSession, caller: Caller, request: Request, _b: bytes) -> Response:
    await onec.import_pending(session, caller.node)
    lines = ["zip=no", f"file_limit={FILE_LIMIT}"]
    version = request.query_params.get("version")
    sessid = request.query_params.get("sessid") or request.cookies.get(onec.COOKIE, "")
    if version:
        lines += [f"sessid={sessid}", f"version={version[:8]}"]
    return answer(*lines)


def _upload_name(request: Request) -> str:
    """The stored name: a catalog upload's under ``onec.CATALOG``, so it is read as one."""
    name = onec.clean_filename(request.query_params.get("filename", ""))
    return onec.CATALOG + name if request.query_params.get("type") == "catalog" else name


async def _file(session: AsyncSession, caller: Caller, request: Request, body: bytes) -> Response:
    try:
        name = _upload_name(request)
    except onec.FilenameError as exc:
        return failure(str(exc))
    await onec.append_part(session, caller.node, name, body)
    return answer("success")


async def _import(session: AsyncSession, caller: Caller, request: Request, _b: bytes) -> Response:
    try:
        name = _upload_name(request)
    except onec.FilenameError as exc:
        return failure(str(exc))
    results = await onec.import_pending(session, caller.node, name, step=IMPORT_STEP)
    failed = [r for r in results if not r.ok]
    if failed:
        return failure(failed[0].message)
    if any(not r.done for r in results):  # 1C repeats the call while it reads progress
        return answer("progress", *(r.message for r in results))
    return answer("success", *(r.message for r in results))


async def _query(session: AsyncSession, caller: Caller, request: Request, _b: bytes) -> Response:
    await onec.import_pending(session, caller.node)
    entries = await outbox.pending(session, caller.node.id or 0, limit=outbox.MAX_PULL)
    version = request.query_params.get("version") or "2.08"
    body = orders_xml([outbox.as_change(e) for e in entries], version=version[:8])
    if caller.session is not None and entries:
        caller.session.offered_up_to = max(caller.session.offered_up_to, entries[-1].id or 0)
    await intake.open_feed(
        session, caller.node, door="1c", operation="sale query", body=body,
        content_type="application/xml", direction="out",
    )  # fmt: skip
    return Response(body, media_type="application/xml; charset=utf-8")


async def _success(session: AsyncSession, caller: Caller, _r: Request, _b: bytes) -> Response:
    await onec.import_pending(session, caller.node)
    if caller.session is None:
        return answer("error", "Нет сессии checkauth. / No checkauth session.")
    await outbox.acknowledge(session, caller.node.id or 0, caller.session.offered_up_to)
    return answer("success")


async def _complete(session: AsyncSession, caller: Caller, _r: Request, _b: bytes) -> Response:
    """Catalog ``deactivate``/``complete`` (UNCONFIRMED, COMMERCEML.md §3): nothing to do."""
    await onec.import_pending(session, caller.node)
    return answer("success")


MODES = {
    "deactivate": _complete,
    "complete": _complete,
    "checkauth": _checkauth,
    "init": _init,
    "file": _file,
    "import": _import,
    "query": _query,
    "success": _success,
}
