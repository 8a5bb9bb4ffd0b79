"""``b24bridge exchange``: nodes with credentials shown once, rotation, disabling, the
archive listing and replay — as a subprocess on a real database (SQLite, or PostgreSQL)."""

import asyncio
import subprocess

from app.core.config import Settings
from app.core.context import AppContext
from app.core.db import unit_of_work
from automations.exchange import intake, nodes
from tests.app_process import app_env, run_app


def run_cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return run_app("exchange", *args, env=app_env({"DATABASE_URL": database_url}))


def values(output: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in output.splitlines() if "=" in line)


async def login_works(database_url: str, login: str, secret: str) -> bool:
    context = AppContext.build(Settings(database_url=database_url))
    try:
        async with context.sessions() as session:
            return await nodes.authenticate(session, login, secret) is not None
    finally:
        await context.close()


async def archive_an_order(database_url: str, node_id: int) -> int:
    context = AppContext.build(Settings(database_url=database_url))
    body = (
        b'{"jsonrpc":"2.0","method":"order.upsert","id":1,"params":{"order":{"external_id":"x",'
        b'"number":"1","date":"2026-12-01","rows":[]}}}'
    )
    try:
        async with unit_of_work(context.sessions) as session:
            node = await nodes.get_node(session, node_id)
            feed = await intake.open_feed(session, node, door="rpc", operation="rpc", body=body)
            return int(feed.id or 0)
    finally:
        await context.close()


class TestNodes:
    def test_add_prints_the_password_once_and_stores_only_its_hash(self, database_url: str) -> None:
        added = run_cli(database_url, "node", "add", "--member-id", "m1", "--name", "УТ Москва",
                        "--kind", "1c", "--direction", "both", "--cutoff", "2026-01-01")  # fmt: skip
        assert added.returncode == 0, added.stderr
        shown = values(added.stdout)
        assert asyncio.run(login_works(database_url, shown["login"], shown["password"]))
        listed = run_cli(database_url, "node", "list")
        assert "УТ Москва" in listed.stdout and shown["password"] not in listed.stdout

    def test_rotate_replaces_the_password_and_disable_refuses_it(self, database_url: str) -> None:
        added = values(run_cli(database_url, "node", "add", "--member-id", "m1", "--name", "b2b",
                               "--kind", "rpc").stdout)  # fmt: skip
        rotated = values(run_cli(database_url, "node", "rotate", added["node_id"]).stdout)
        assert rotated["login"] == added["login"]
        assert not asyncio.run(login_works(database_url, added["login"], added["password"]))
        assert asyncio.run(login_works(database_url, added["login"], rotated["password"]))
        run_cli(database_url, "node", "disable", added["node_id"])
        assert not asyncio.run(login_works(database_url, added["login"], rotated["password"]))

    def test_a_wrong_kind_is_named_and_nothing_is_added(self, database_url: str) -> None:
        result = run_cli(database_url, "node", "add", "--member-id", "m1", "--name", "x",
                         "--kind", "ftp")  # fmt: skip
        assert result.returncode == 2 and "kind" in result.stderr
        assert run_cli(database_url, "node", "list").stdout == ""


class TestArchive:
    def test_list_show_and_replay_of_a_refused_feed(self, database_url: str) -> None:
        added = values(run_cli(database_url, "node", "add", "--member-id", "m1", "--name", "b2b",
                               "--kind", "rpc").stdout)  # fmt: skip
        feed_id = asyncio.run(archive_an_order(database_url, int(added["node_id"])))
        listed = run_cli(database_url, "archive", "list")
        assert listed.stdout.startswith(f"{feed_id}\t")
        shown = run_cli(database_url, "archive", "show", str(feed_id), "--body")
        assert '"door": "rpc"' in shown.stdout and "order.upsert" in shown.stdout
        replayed = run_cli(database_url, "archive", "replay", str(feed_id))
        assert replayed.returncode == 0, replayed.stderr
        assert '"state": "refused"' in replayed.stdout and "rows" in replayed.stdout
        missing = run_cli(database_url, "archive", "show", "999")
        assert missing.returncode == 2 and "999" in missing.stderr
