"""The settings page's exchange block over the sandbox portal: the administrator adds a 1C
node (the password and the URL for 1C «Обмен с сайтом» shown once) and an RPC node, sees
them listed with their last exchange and pending changes, rotates a password (the old one
stops), disables a node, reads its feeds and replays one; every malformed or forged request
is refused with the field and the rule, and nothing is written."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select

from app.core.models import ExchangeFeed, ExchangeNode
from automations.exchange.nodes import Credentials
from tests.e2e import exchange_steps as steps
from tests.e2e.harness import SALES_ID, Stack, live_stack
from tests.e2e.onec_base import OneCBase
from tests.e2e.test_settings_page import ADMIN_ID, open_page

pytestmark = pytest.mark.e2e
BASE = "/settings/api/exchange"
ROWS = [{"code": "demo-product-1", "name": "Фара", "price": "100", "quantity": "1"}]


@pytest.fixture
async def stack(database_url: str) -> AsyncIterator[Stack]:
    async with live_stack(database_url) as stack:
        await stack.install()
        yield stack


async def admin_headers(stack: Stack, user_id: int = ADMIN_ID) -> dict[str, str]:
    _, _, config = await open_page(stack, user_id)
    return {"X-View-Token": config["view_token"]}


async def node_count(stack: Stack) -> int:
    async with stack.context.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(ExchangeNode)) or 0)


def onec_node(stack: Stack, credentials: dict[str, Any]) -> steps.Node:
    cred = Credentials(credentials["node_id"], credentials["login"], credentials["password"])
    return steps.Node(stack, cred)


class TestAdministratorManagesNodes:
    async def test_add_list_rotate_disable_and_replay(self, stack: Stack) -> None:
        headers = await admin_headers(stack)
        added = await stack.http.post(f"{BASE}/nodes", headers=headers, json={
            "name": "УТ 11", "kind": "1c", "direction": "both", "deal_category_id": "0",
            "cutoff": "2026-01-01"})  # fmt: skip
        assert added.status_code == 200, added.text
        shown = added.json()["credentials"]
        assert shown["url"] == f"{stack.app_url}/exchange/1c" and shown["password"]
        assert "один раз" in shown["note"]
        base = OneCBase(stack.http, onec_node(stack, shown))
        assert (await base.checkauth())[0] == "success"

        rpc = await stack.http.post(f"{BASE}/nodes", headers=headers, json={
            "name": "B2B", "kind": "rpc", "direction": "in"})  # fmt: skip
        bearer = rpc.json()["credentials"]["bearer"]
        order = {"jsonrpc": "2.0", "id": 1, "method": "order.upsert",
                 "params": {"order": steps.order("o-1", rows=ROWS)}}  # fmt: skip
        sent = await stack.http.post(
            "/exchange/rpc", json=order, headers={"Authorization": f"Bearer {bearer}"}
        )
        assert "result" in sent.json(), sent.text

        listed = (await stack.http.get(f"{BASE}/nodes", headers=headers)).json()["nodes"]
        by_name = {n["name"]: n for n in listed}
        assert by_name["УТ 11"]["cutoff"] == "2026-01-01" and by_name["УТ 11"]["enabled"]
        assert by_name["B2B"]["last_exchange_at"] and by_name["B2B"]["pending_changes"] == 0
        assert "password" not in str(listed) and "secret" not in str(listed)

        rotated = await stack.http.post(f"{BASE}/nodes/{shown['node_id']}/rotate", headers=headers)
        assert rotated.json()["credentials"]["login"] == shown["login"]
        assert (await base.checkauth())[0] == "failure"  # the old password stopped at once
        disabled = await stack.http.post(
            f"{BASE}/nodes/{shown['node_id']}/disable", headers=headers
        )
        assert disabled.json()["node"]["enabled"] is False

        rpc_id = rpc.json()["credentials"]["node_id"]
        feeds = (await stack.http.get(f"{BASE}/nodes/{rpc_id}/feeds", headers=headers)).json()
        feed = feeds["feeds"][0]
        assert feed["documents"][0]["external_id"] == "o-1"
        replayed = await stack.http.post(f"{BASE}/feeds/{feed['id']}/replay", headers=headers)
        assert replayed.status_code == 200, replayed.text
        assert replayed.json()["feed"]["operation"] == f"replay {feed['id']}"


class TestRefusals:
    @pytest.mark.parametrize(
        ("body", "says"),
        [
            ({"name": "x", "kind": "1c", "direction": "in", "cutoff": "01.02.2026"}, "ГГГГ-ММ-ДД"),
            ({"name": "x", "kind": "1c", "direction": "sideways"}, "«Направление»"),
            ({"name": "x", "kind": "ftp", "direction": "in"}, "«Тип»"),
            ({"name": "", "kind": "rpc", "direction": "in"}, "name"),
            ({"name": "x", "kind": "rpc", "direction": "out", "push_url": "http://10.0.0.1/x"},
             "https://"),
            ({"name": "x", "kind": "rpc", "direction": "out", "push_url": "file:///etc/passwd"},
             "https://"),
            ({"name": "x", "kind": "rpc", "direction": "in", "deal_category_id": "abc"},
             "«Воронка сделок»"),
            ({"name": "x", "kind": "rpc", "direction": "in", "secret_hash": "x"}, "Неизвестные"),
        ],
    )  # fmt: skip
    async def test_a_bad_field_is_named_and_nothing_is_written(
        self, stack: Stack, body: dict[str, Any], says: str
    ) -> None:
        headers = await admin_headers(stack)
        refused = await stack.http.post(f"{BASE}/nodes", headers=headers, json=body)
        assert refused.status_code == 400, refused.text
        assert says in refused.text
        assert await node_count(stack) == 0

    async def test_forged_foreign_and_non_admin_requests_are_refused(self, stack: Stack) -> None:
        body = {"name": "x", "kind": "rpc", "direction": "in"}
        forged = await stack.http.post(f"{BASE}/nodes", headers={"X-View-Token": "a.b"}, json=body)
        assert forged.status_code in (401, 403)
        assert (await stack.http.post(f"{BASE}/nodes", json=body)).status_code in (401, 403)
        seller = await admin_headers(stack, SALES_ID)
        assert (
            await stack.http.post(f"{BASE}/nodes", headers=seller, json=body)
        ).status_code == 403
        headers = await admin_headers(stack)
        broken = await stack.http.post(f"{BASE}/nodes", headers=headers, content=b"{not json")
        assert broken.status_code == 400
        other = await steps.add(stack, "чужой")  # a node of this portal, but look at id + 100
        for path in (
            f"nodes/{other.credentials.node_id + 100}/rotate",
            f"nodes/{other.credentials.node_id + 100}/disable",
            "feeds/999/replay",
        ):
            assert (await stack.http.post(f"{BASE}/{path}", headers=headers)).status_code == 404
        assert await node_count(stack) == 1
        async with stack.context.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(ExchangeFeed)) == 0
