"""batch (§5) and list paging (§4)."""

from datetime import timedelta

import httpx

from sandbox.clock import FakeClock


class TestBatch:
    async def test_references_to_earlier_results_including_list_indexes(
        self, client: httpx.AsyncClient, webhook: str
    ) -> None:
        cmd = {
            "deal": "crm.item.get?entityTypeId=2&id=1",
            "rows": "crm.item.productrow.list?filter[%3DownerType]=D&filter[%3DownerId]=$result[deal][item][id]",
            "deals": "crm.deal.list?order[ID]=DESC",
            "first": "crm.deal.get?id=$result[deals][0][ID]",
        }
        body = (await client.post(f"{webhook}batch", json={"halt": 0, "cmd": cmd})).json()["result"]
        assert len(body["result"]["rows"]["productRows"]) == 3
        assert body["result"]["first"]["ID"] == "2"
        assert body["result_total"] == {"rows": 3, "deals": 2}
        assert body["result_error"] == [] and body["result_next"] == []

    async def test_errors_go_to_result_error_and_halt_stops(
        self, client: httpx.AsyncClient, webhook: str
    ) -> None:
        cmd = {"bad": "crm.deal.get?id=999", "good": "crm.deal.get?id=1"}
        going = await client.post(f"{webhook}batch", json={"halt": 0, "cmd": cmd})
        assert going.status_code == 200
        assert set(going.json()["result"]["result"]) == {"good"}
        assert going.json()["result"]["result_error"]["bad"]["error_description"] == "Not found"
        halted = (await client.post(f"{webhook}batch", json={"halt": 1, "cmd": cmd})).json()[
            "result"
        ]
        assert halted["result"] == [] and list(halted["result_error"]) == ["bad"]

    async def test_fifty_one_commands_are_refused_and_nested_batch_forbidden(
        self, client: httpx.AsyncClient, webhook: str
    ) -> None:
        too_many = await client.post(
            f"{webhook}batch", json={"cmd": {f"c{i}": "user.current" for i in range(51)}}
        )
        assert (too_many.status_code, too_many.json()["error"]) == (
            400,
            "ERROR_BATCH_LENGTH_EXCEEDED",
        )
        fifty = await client.post(
            f"{webhook}batch", json={"cmd": {f"c{i}": "user.current" for i in range(50)}}
        )
        assert len(fifty.json()["result"]["result"]) == 50
        nested = (
            await client.post(f"{webhook}batch", json={"cmd": ["batch?cmd[a]=user.current"]})
        ).json()["result"]
        assert nested["result_error"][0]["error"] == "ERROR_BATCH_METHOD_NOT_ALLOWED"

    async def test_batch_is_one_request_in_the_log_with_its_commands(
        self, client: httpx.AsyncClient, webhook: str
    ) -> None:
        await client.post(
            f"{webhook}batch", json={"cmd": {"a": "user.current", "b": "crm.deal.get?id=1"}}
        )
        log = (await client.get("/_sandbox/portals/demo/requests")).json()["requests"]
        assert [(r["method"], r["batch_commands"]) for r in log] == [
            ("batch", ["user.current", "crm.deal.get"])
        ]


class TestLists:
    async def _add_deals(self, client: httpx.AsyncClient, webhook: str, count: int) -> None:
        cmd = {f"d{i}": f"crm.deal.add?fields[TITLE]=Deal {i}" for i in range(50)}
        for _ in range(count // 50):
            await client.post(f"{webhook}batch", json={"cmd": cmd})

    async def test_pages_of_fifty_with_total_and_next(
        self, client: httpx.AsyncClient, webhook: str
    ) -> None:
        await self._add_deals(client, webhook, 100)  # 102 deals with the seeded two
        first = (await client.post(f"{webhook}crm.deal.list", json={})).json()
        assert (len(first["result"]), first["total"], first["next"]) == (50, 102, 50)
        last = (await client.post(f"{webhook}crm.deal.list", json={"start": 100})).json()
        assert (len(last["result"]), last["total"]) == (2, 102) and "next" not in last

    async def test_fast_mode_has_total_zero_and_no_next(
        self, client: httpx.AsyncClient, webhook: str
    ) -> None:
        await self._add_deals(client, webhook, 100)
        params = {"entityTypeId": 2, "order": {"id": "ASC"}, "filter": {">id": 40}, "start": -1}
        body = (await client.post(f"{webhook}crm.item.list", json=params)).json()
        assert body["total"] == 0 and "next" not in body
        assert [i["id"] for i in body["result"]["items"]] == list(range(41, 91))

    async def test_filters_with_operator_prefixes(
        self, client: httpx.AsyncClient, webhook: str, clock: FakeClock
    ) -> None:
        before = clock.now()
        clock.advance(60)
        await client.post(
            f"{webhook}crm.deal.update", json={"id": 2, "fields": {"TITLE": "changed"}}
        )
        since = (before + timedelta(seconds=30)).isoformat()
        changed = (
            await client.post(f"{webhook}crm.deal.list", json={"filter": {">=DATE_MODIFY": since}})
        ).json()
        assert [d["ID"] for d in changed["result"]] == ["2"]
        listed = (
            await client.post(
                f"{webhook}crm.deal.list", json={"filter": {"@ID": [1, 2]}, "order": {"ID": "DESC"}}
            )
        ).json()
        assert [d["ID"] for d in listed["result"]] == ["2", "1"]
        services = (
            await client.post(f"{webhook}crm.product.list", json={"filter": {"=TYPE": 7}})
        ).json()
        assert {p["NAME"] for p in services["result"]} == {
            "Доставка",
            "Инспекция",
            "Страхование",
            "Хранение",
        }
