"""The proposal's entry points over the live stack: the robot «Сформировать КП» (answered
exactly once with ``url`` and ``version``), the tab API (queue, then follow) and the
command ``b24bridge proposal make`` run as its own process."""

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.app_process import run_app_async
from tests.e2e.harness import live_stack
from tests.e2e.procurement_steps import Journey
from tests.e2e.proposal_steps import PRICES, configure, deal_at_found, timeline

pytestmark = pytest.mark.e2e
ROBOT = "b24bridge_make_proposal"


@pytest.fixture
async def journey(database_url: str) -> AsyncIterator[Journey]:
    async with live_stack(database_url) as stack:
        journey = await Journey.start(stack)
        await configure(journey)
        yield journey


async def run_robot(journey: Journey, **properties: str) -> str:
    document = ["crm", "CCrmDocumentDeal", f"DEAL_{journey.deal_id}"]
    body = {"document_id": document, "properties": properties}
    result = await journey.stack.ctl("POST", f"/robots/{ROBOT}/run", json=body)
    assert result["status_code"] == 200, result
    return str(result["event_token"])


async def replies_to(journey: Journey, token: str) -> list[dict[str, Any]]:
    replies = (await journey.stack.ctl("GET", "/workflow-replies"))["replies"]
    return [reply for reply in replies if reply["event_token"] == token]


class TestRobot:
    async def test_the_robot_answers_once_with_the_link_and_the_version(
        self, journey: Journey
    ) -> None:
        await deal_at_found(journey, PRICES)
        token = await run_robot(journey, template="regular")
        await journey.stack.settle()
        await journey.stack.worker.run_until_idle()
        [reply] = await replies_to(journey, token)
        values = reply["return_values"]
        assert values["version"] == "1"
        assert values["url"].startswith(f"{journey.stack.app_url}/p/")
        assert values["url"] in values["result"]
        page = await journey.stack.http.get(values["url"])
        assert page.status_code == 200 and "что снова с нами" in page.text
        assert len(await timeline(journey)) == 1

    async def test_without_found_lines_the_robot_answers_once_in_russian(
        self, journey: Journey
    ) -> None:
        await journey.create_deal()
        token = await run_robot(journey)
        await journey.stack.settle()
        [reply] = await replies_to(journey, token)
        assert reply["return_values"]["url"] == "" and reply["return_values"]["version"] == ""
        assert "нет найденных товаров" in reply["return_values"]["result"]
        assert await timeline(journey) == []


class TestTabApi:
    async def test_the_tab_queues_the_proposal_and_follows_it_to_its_link(
        self, journey: Journey
    ) -> None:
        await deal_at_found(journey, PRICES)
        _html, config = await journey.open_tab("deal")
        headers = {"X-View-Token": config["view_token"]}
        queued = await journey.stack.http.post(
            f"{config['api_base']}/proposal", json={"template": "new"}, headers=headers
        )
        assert queued.status_code == 200, queued.text
        body = queued.json()
        assert "КП формируется" in body["message"]
        await journey.stack.worker.run_until_idle()
        followed = await journey.stack.http.get(body["follow"], headers=headers)
        assert followed.status_code == 200, followed.text
        state = followed.json()
        assert state["status"] == "done" and state["latest"]["version"] == 1
        assert (await journey.stack.http.get(state["latest"]["pdf_url"])).status_code == 200

    async def test_bad_requests_get_a_russian_reason_and_queue_nothing(
        self, journey: Journey
    ) -> None:
        await journey.create_deal()
        _html, config = await journey.open_tab("deal")
        headers = {"X-View-Token": config["view_token"]}
        url = f"{config['api_base']}/proposal"
        none_found = await journey.stack.http.post(url, json={"template": "new"}, headers=headers)
        assert none_found.status_code == 409
        assert "нет найденных товаров" in none_found.json()["error_description"]
        unknown = await journey.stack.http.post(url, json={"template": "x"}, headers=headers)
        assert unknown.status_code == 400 and "шаблона «x» нет" in unknown.text
        forged = await journey.stack.http.post(url, json={"template": "new"})
        assert forged.status_code in (401, 403)

    async def test_a_missing_rate_is_refused_at_once(self, journey: Journey) -> None:
        await configure(journey, rates={})
        await deal_at_found(journey, PRICES)
        _html, config = await journey.open_tab("deal")
        response = await journey.stack.http.post(
            f"{config['api_base']}/proposal",
            json={"template": "new"},
            headers={"X-View-Token": config["view_token"]},
        )
        assert response.status_code == 409
        assert "курса CNY → RUB нет" in response.json()["error_description"]


async def proposal_cli(journey: Journey, *args: str) -> tuple[int, str, str]:
    """``b24bridge proposal make`` as its own process, on the stack's database and portal;
    awaited without blocking the loop that serves the sandbox portal."""
    member, deal = journey.stack.member_id, str(journey.deal_id)
    arguments = ("proposal", "make", "--member-id", member, "--deal-id", deal, *args)
    return await run_app_async(*arguments, env=journey.stack.process_env())


class TestCli:
    async def test_the_command_makes_the_proposal_and_prints_its_link(
        self, journey: Journey
    ) -> None:
        await deal_at_found(journey, PRICES)
        code, out, err = await proposal_cli(journey, "--template", "regular")
        assert code == 0, err
        [said, values] = out.strip().splitlines()
        assert said.startswith("КП версии 1 готово: ")
        url = said.removeprefix("КП версии 1 готово: ")
        assert values == f"url={url} version=1"
        [comment] = await timeline(journey)
        assert url in comment["comment"] and len(comment["files"]) == 1
        again = await proposal_cli(journey, "--template", "regular")
        assert again[0] == 0 and f"url={url} version=1" in again[1]  # the same content
        assert len(await timeline(journey)) == 1
        other = await proposal_cli(journey, "--template", "new")  # another template: new text
        assert other[0] == 0 and "version=2" in other[1]

    async def test_a_deal_without_found_lines_exits_with_the_reason(self, journey: Journey) -> None:
        await journey.create_deal()
        code, out, err = await proposal_cli(journey)
        assert code != 0 and out == ""
        assert "КП не сформировано: в сделке нет найденных товаров" in err
        assert await timeline(journey) == []
