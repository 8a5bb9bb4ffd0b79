"""``b24bridge exchange``: exchange nodes (add, list, disable, rotate) and the feed archive
(list, show, replay). Credentials are printed once and stored hashed."""

import json
from collections.abc import Callable, Coroutine
from datetime import date
from typing import Any, TypeVar

import typer

from app.cli.shared import MemberId, active_portal, fail, run_with_context
from app.core.context import AppContext
from app.core.db import unit_of_work
from app.portals.clients import portal_clients
from automations.exchange import archive, nodes, promo
from webhooks.exchange.replay import replay_feed

exchange_cli = typer.Typer(help="Exchange gateway (1C, B2B portals).", no_args_is_help=True)
node_cli = typer.Typer(help="Exchange nodes.", no_args_is_help=True)
archive_cli = typer.Typer(help="The feed archive.", no_args_is_help=True)
exchange_cli.add_typer(node_cli, name="node")
SmsTemplate = typer.Option(
    None, "--sms", help="Deal stage = SMS text for the client, $number = the order's number."
)
PropertyMap = typer.Option(
    None, "--map", help="Order property = deal field, e.g. 'Склад=UF_CRM_STORE' (repeatable)."
)
exchange_cli.add_typer(archive_cli, name="archive")


def _pairs(option: str, values: list[str] | None, shape: str) -> dict[str, str]:
    pairs = [value.split("=", 1) for value in values or []]
    if any(len(p) != 2 or not p[0].strip() or not p[1].strip() for p in pairs):
        fail(f"{option}: ожидается «{shape}». / Expected 'key=value'.")
    return {key.strip(): value.strip() for key, value in pairs}


def _print_credentials(credentials: nodes.Credentials, kind: str) -> None:
    typer.echo(f"node_id={credentials.node_id}")
    typer.echo(f"login={credentials.login}")
    typer.echo(f"password={credentials.secret}")
    if kind == "rpc":
        typer.echo(f"bearer={credentials.bearer}")
    typer.echo("Сохраните пароль сейчас: он больше не будет показан. / Shown once only.")


KITS_HELP = "as_kit: the node keeps a kit as one row; as_components: as its components."


@node_cli.command("add")
def add(  # noqa: PLR0913 — one parameter per documented option
    *,
    member_id: str = MemberId,
    name: str = typer.Option(..., "--name"),
    kind: str = typer.Option(..., "--kind", help="1c or rpc"),
    direction: str = typer.Option("both", "--direction", help="in, out or both"),
    deal_category: int | None = typer.Option(None, "--deal-category"),
    company_id: int | None = typer.Option(None, "--company-id"),
    default_user: int | None = typer.Option(None, "--default-user"),
    cutoff: str | None = typer.Option(None, "--cutoff", help="YYYY-MM-DD"),
    allow_create_products: bool = typer.Option(False, "--allow-create-products"),
    dedupe_rule: str = typer.Option("site_or_number", "--dedupe-rule"),
    maps: list[str] | None = PropertyMap,
    push_url: str = typer.Option("", "--push-url", help="POST changes here (push node)."),
    sms: list[str] | None = SmsTemplate,
    kits: str = typer.Option("", "--kits", help=KITS_HELP),
) -> None:
    """Add a node and print its credentials (once)."""
    pairs = _pairs("--map", maps, "свойство=UF_CRM_ПОЛЕ")
    templates = _pairs("--sms", sms, "СТАДИЯ=Текст SMS, $number — номер заказа")
    try:
        cutoff_date = date.fromisoformat(cutoff) if cutoff else None
    except ValueError:
        fail(f"--cutoff: ожидается дата ГГГГ-ММ-ДД, получено {cutoff!r}. / Expected YYYY-MM-DD.")
    spec = nodes.NodeSpec(
        member_id=member_id, name=name, kind=kind, direction=direction,
        deal_category_id=deal_category, company_id=company_id, default_user_id=default_user,
        cutoff=cutoff_date, allow_create_products=allow_create_products, dedupe_rule=dedupe_rule,
        property_map=pairs, push_url=push_url.strip(), sms_templates=templates, kits=kits,
    )  # fmt: skip

    async def work(context: AppContext) -> nodes.Credentials:
        async with unit_of_work(context.sessions) as session:
            return await nodes.add_node(session, spec)

    _print_credentials(_run(work), kind)


@node_cli.command("set-kits")
def set_kits(
    node_id: int = typer.Argument(...), kits: str = typer.Option(..., "--kits", help=KITS_HELP)
) -> None:
    """How the node stores kits (as_kit, as_components, or "" — as the portal)."""

    async def work(context: AppContext) -> str:
        async with unit_of_work(context.sessions) as session:
            return (await nodes.set_kits(session, node_id, kits)).name

    typer.echo(f"Узел «{_run(work)}»: kits={kits or '(как портал)'}. / Node updated.")


@node_cli.command("list")
def list_nodes(member_id: str | None = typer.Option(None, "--member-id")) -> None:
    """One line per node (no secrets)."""

    async def work(context: AppContext) -> list[str]:
        async with context.sessions() as session:
            found = await nodes.list_nodes(session, member_id)
        return [
            f"{n.id}\t{n.member_id}\t{n.name}\t{n.kind}\t{n.direction}\t"
            f"{'enabled' if n.enabled else 'disabled'}\tlogin={n.login}"
            for n in found
        ]

    for line in _run(work):
        typer.echo(line)


@node_cli.command("disable")
def disable(node_id: int = typer.Argument(...)) -> None:
    """Refuse the node's credentials from now on (its data stays)."""

    async def work(context: AppContext) -> str:
        async with unit_of_work(context.sessions) as session:
            return (await nodes.disable_node(session, node_id)).name

    typer.echo(f"Узел «{_run(work)}» отключён. / Node disabled.")


@node_cli.command("rotate")
def rotate(node_id: int = typer.Argument(...)) -> None:
    """A new password (the login stays); the old one stops working at once."""

    async def work(context: AppContext) -> tuple[nodes.Credentials, str]:
        async with unit_of_work(context.sessions) as session:
            credentials = await nodes.rotate_secret(session, node_id)
            return credentials, (await nodes.get_node(session, node_id)).kind

    credentials, kind = _run(work)
    _print_credentials(credentials, kind)


@archive_cli.command("list")
def archive_list(
    member_id: str | None = typer.Option(None, "--member-id"),
    node_id: int | None = typer.Option(None, "--node-id"),
    limit: int = typer.Option(50, "--limit"),
) -> None:
    """The latest feeds, newest first."""

    async def work(context: AppContext) -> list[str]:
        async with context.sessions() as session:
            feeds = await archive.list_feeds(
                session, member_id=member_id, node_id=node_id, limit=limit
            )
        return [
            f"{f.id}\t{f.created_at.isoformat()}\tnode={f.node_id}\t{f.direction}\t{f.door}\t"
            f"{f.operation}\tdocuments={len(f.results)}\terrors={len(f.errors)}"
            for f in feeds
        ]

    for line in _run(work):
        typer.echo(line)


@archive_cli.command("show")
def archive_show(
    feed_id: int = typer.Argument(...),
    body: bool = typer.Option(False, "--body", help="Print the payload too."),
) -> None:
    """A feed's results and its documents' final state, as JSON."""

    async def work(context: AppContext) -> tuple[dict[str, object], bytes]:
        async with context.sessions() as session:
            view = await archive.find_feed(session, feed_id)
        if view is None:
            fail(f"Запись архива {feed_id} не найдена. / Feed {feed_id} not found.")
        return view.as_dict(), view.feed.body

    shown, payload = _run(work)
    typer.echo(json.dumps(shown, ensure_ascii=False, indent=2))
    if body:
        typer.echo(payload.decode("utf-8", errors="replace"))


@archive_cli.command("replay")
def archive_replay(feed_id: int = typer.Argument(...)) -> None:
    """Feed an archived incoming payload through its door again (idempotent)."""

    async def work(context: AppContext) -> tuple[int | None, list[dict[str, object]]]:
        async with unit_of_work(context.sessions) as session:
            feed = await replay_feed(session, feed_id)
            return feed.id, list(feed.results)

    new_id, results = _run(work)
    typer.echo(f"replayed as feed {new_id}")
    for result in results:
        typer.echo(json.dumps(result, ensure_ascii=False))


T = TypeVar("T")


def _run(work: Callable[[AppContext], Coroutine[Any, Any, T]]) -> T:
    try:
        return run_with_context(work)
    except nodes.NodeError as exc:
        fail(str(exc))


@exchange_cli.command("provision")
def provision(member_id: str = MemberId) -> None:
    """Create the promo-code directory (smart process «Промокоды» with its fields) and the
    deal fields the order properties map to; what exists is kept."""

    async def work(context: AppContext) -> list[str]:
        portal = await active_portal(context, member_id)
        return await promo.provision(portal_clients(context).for_portal(portal))

    created = _run(work)
    typer.echo("\n".join(created) if created else "Всё уже создано. / Nothing to create.")
