"""The settings page's block «Обмен с 1С и B2B-порталами»: the portal's exchange nodes, their
last feeds, and the admin's actions on them — through the same core functions as the CLI
(``automations.exchange.nodes`` / ``archive``, ``webhooks.exchange.replay``).

Every route needs the settings page's view token of an administrator (``X-View-Token``, the
same guard as the other settings forms); a node or feed of another portal is «не найден».
A refusal is 400 with the field, the rule and what to do; nothing is written then."""

from datetime import date
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import unit_of_work
from app.core.errors import BadRequest, NotFound
from app.core.http_deps import ContextDep
from app.core.models import ExchangeFeed, ExchangeNode
from app.web.frame.requests import read_json_object
from app.web.settings_page import service
from app.web.settings_page.routes import ClaimsDep
from automations.exchange import archive, nodes, outbox
from webhooks.exchange.replay import replay_feed

router = APIRouter(prefix="/settings/api/exchange", tags=["settings page"])
FIELDS = frozenset({"name", "kind", "direction", "deal_category_id", "company_id", "cutoff",
                    "push_url"})  # fmt: skip
ONEC_PATH = "/exchange/1c"


def _refuse(text: str) -> BadRequest:
    return BadRequest(text)


def _optional_id(body: dict[str, Any], key: str, label: str) -> int | None:
    value = body.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _refuse(f"Поле «{label}»: ожидается целое число ≥ 0 или пусто. Укажите номер.")
    return value


def _cutoff(value: Any) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise _refuse(
            "Поле «Дата отсечки»: ожидается дата в виде ГГГГ-ММ-ДД (например, 2026-01-31) "
            "или пусто. Исправьте дату."
        ) from None


def _push_url(value: Any, allowed_hosts: list[str]) -> str:
    """https:// to any host; http:// only to a host the app already trusts (B24_ALLOWED_DOMAINS)
    — the same allow-list that guards the portal calls, so the app is no open relay."""
    url = str(value or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname and not parts.username:
        return url
    if parts.scheme == "http" and parts.netloc.lower() in allowed_hosts:
        return url
    raise _refuse(
        "Поле «Адрес для отправки изменений»: нужен адрес https://… (без логина в адресе); "
        "http:// — только для хостов из настройки B24_ALLOWED_DOMAINS. Исправьте адрес "
        "или оставьте поле пустым, если узел сам забирает изменения."
    )


def _spec(member_id: str, body: dict[str, Any], allowed_hosts: list[str]) -> nodes.NodeSpec:
    unknown = sorted(str(k)[:40] for k in set(body) - FIELDS)
    if unknown:
        raise _refuse(f"Неизвестные поля: {', '.join(unknown)}. Уберите их из запроса.")
    texts = {k: body.get(k, "") for k in ("name", "kind", "direction")}
    if any(not isinstance(v, str) for v in texts.values()) or len(texts["name"]) > 100:
        raise _refuse("Поля «Имя», «Тип», «Направление» — строки; имя не длиннее 100 знаков.")
    if texts["kind"] not in nodes.KINDS:
        raise _refuse("Поле «Тип»: допустимо «1c» (1С «Обмен с сайтом») или «rpc» (JSON-RPC).")
    if texts["direction"] not in nodes.DIRECTIONS:
        raise _refuse("Поле «Направление»: допустимо «in» (заказы в Битрикс24), «out» "
                      "(изменения сделок в узел) или «both». Выберите одно.")  # fmt: skip
    return nodes.NodeSpec(
        member_id=member_id, name=texts["name"].strip(), kind=texts["kind"],
        direction=texts["direction"],
        deal_category_id=_optional_id(body, "deal_category_id", "Воронка сделок"),
        company_id=_optional_id(body, "company_id", "Компания (юрлицо)"),
        cutoff=_cutoff(body.get("cutoff")),
        push_url=_push_url(body.get("push_url"), allowed_hosts),
    )  # fmt: skip


async def _own_node(session: AsyncSession, member_id: str, node_id: int) -> ExchangeNode:
    node = await session.get(ExchangeNode, node_id)
    if node is None or node.member_id != member_id:
        raise NotFound(f"Узел {node_id} не найден на этом портале. Обновите список узлов.")
    return node


async def _node_view(session: AsyncSession, node: ExchangeNode) -> dict[str, Any]:
    assert node.id is not None
    feeds = await archive.list_feeds(session, node_id=node.id, limit=1)
    last = feeds[0] if feeds else None
    pending = await outbox.unacknowledged(session, node.id)
    return {
        "id": node.id, "name": node.name, "kind": node.kind, "direction": node.direction,
        "deal_category_id": node.deal_category_id, "company_id": node.company_id,
        "cutoff": node.cutoff.isoformat() if node.cutoff else "", "push_url": node.push_url,
        "enabled": node.enabled, "login": node.login, "pending_changes": pending,
        "last_exchange_at": last.created_at.isoformat() if last else "",
        "last_result": _result(last) if last else "",
    }  # fmt: skip


def _result(feed: ExchangeFeed) -> str:
    if feed.errors:
        return "ошибка: " + "; ".join(str(e) for e in feed.errors)[:300]
    return f"{feed.operation}: принято" if feed.operation else "принято"


def _credentials(cred: nodes.Credentials, kind: str, base_url: str) -> dict[str, Any]:
    shown: dict[str, Any] = {"node_id": cred.node_id, "login": cred.login, "password": cred.secret}
    if kind == "1c":
        shown["url"] = base_url.rstrip("/") + ONEC_PATH
    else:
        shown |= {"url": base_url.rstrip("/") + "/exchange/rpc", "bearer": cred.bearer}
    shown["note"] = "Пароль показан один раз: сохраните его сейчас. Потерянный — смените."
    return shown


@router.get("/nodes")
async def list_nodes(context: ContextDep, claims: ClaimsDep) -> dict[str, Any]:
    service.require_admin(claims)
    async with context.sessions() as session:
        found = await nodes.list_nodes(session, claims.member_id)
        return {"nodes": [await _node_view(session, node) for node in found]}


@router.post("/nodes")
async def add_node(request: Request, context: ContextDep, claims: ClaimsDep) -> dict[str, Any]:
    service.require_admin(claims)
    body = await read_json_object(request)
    await service.get_portal(context, claims.member_id)
    spec = _spec(claims.member_id, body, context.settings.b24_allowed_domains)
    try:
        async with unit_of_work(context.sessions) as session:
            cred = await nodes.add_node(session, spec)
    except nodes.NodeError as exc:
        raise _refuse(str(exc).split(" / ")[0]) from exc
    return {"credentials": _credentials(cred, spec.kind, context.settings.app_base_url)}


@router.post("/nodes/{node_id}/disable")
async def disable_node(node_id: int, context: ContextDep, claims: ClaimsDep) -> dict[str, Any]:
    service.require_admin(claims)
    async with unit_of_work(context.sessions) as session:
        await _own_node(session, claims.member_id, node_id)
        node = await nodes.disable_node(session, node_id)
        return {"node": await _node_view(session, node)}


@router.post("/nodes/{node_id}/rotate")
async def rotate_node(node_id: int, context: ContextDep, claims: ClaimsDep) -> dict[str, Any]:
    service.require_admin(claims)
    async with unit_of_work(context.sessions) as session:
        node = await _own_node(session, claims.member_id, node_id)
        cred = await nodes.rotate_secret(session, node_id)
        kind = node.kind
    return {"credentials": _credentials(cred, kind, context.settings.app_base_url)}


@router.get("/nodes/{node_id}/feeds")
async def node_feeds(node_id: int, context: ContextDep, claims: ClaimsDep) -> dict[str, Any]:
    service.require_admin(claims)
    async with context.sessions() as session:
        await _own_node(session, claims.member_id, node_id)
        feeds = await archive.list_feeds(session, member_id=claims.member_id, node_id=node_id)
        views = [await archive.find_feed(session, f.id or 0) for f in feeds[:20]]
        return {"feeds": [v.as_dict() for v in views if v is not None]}


@router.post("/feeds/{feed_id}/replay")
async def replay(feed_id: int, context: ContextDep, claims: ClaimsDep) -> dict[str, Any]:
    service.require_admin(claims)
    async with unit_of_work(context.sessions) as session:
        original = await session.get(ExchangeFeed, feed_id)
        if original is None or original.member_id != claims.member_id:
            raise NotFound(f"Запись архива {feed_id} не найдена на этом портале.")
        try:
            feed = await replay_feed(session, feed_id)
        except nodes.NodeError as exc:
            raise _refuse(str(exc).split(" / ")[0]) from exc
        feed_id_new = feed.id
    async with context.sessions() as session:
        view = await archive.find_feed(session, feed_id_new or 0)
    return {"feed": view.as_dict() if view else None}
