"""The tab's JSON API on the live stack: what an entry needs for its status, and the jobs
the tab follows to their outcome — in the user's language (PRODUCT.md §3.5, rule 2)."""

from collections.abc import AsyncIterator
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, update

from app.core.db import unit_of_work
from app.core.models import Job, Portal
from app.core.portal_settings import update_portal_settings
from app.core.queue import arm_deal_sync, arm_portal_binding
from app.web.frame.view_token import issue, verify
from app.worker.actions import queue_action
from tests.e2e.harness import SALES_ID, live_stack
from tests.e2e.procurement_steps import Journey

pytestmark = pytest.mark.e2e


@pytest.fixture
async def journey(database_url: str) -> AsyncIterator[Journey]:
    async with live_stack(database_url) as stack:
        journey = await Journey.start(stack)
        await journey.create_deal()
        await journey.move_deal("SEARCH")
        yield journey


def english(journey: Journey, config: dict[str, Any]) -> dict[str, Any]:
    """The same tab as an English portal's user would get it (the sandbox always sends ru)."""
    secret = journey.stack.context.settings.secret_key.get_secret_value()
    claims = replace(verify(config["view_token"], secret, now=0), lang="en")
    return {**config, "view_token": issue(claims, secret)}


async def patch(
    journey: Journey, config: dict[str, Any], line_id: int, body: dict[str, Any]
) -> Any:
    return await journey.stack.http.patch(
        f"{config['api_base']}/lines/{line_id}",
        json=body,
        headers={"X-View-Token": config["view_token"]},
    )


class TestWhatAStatusNeeds:
    @pytest.mark.parametrize(
        ("body", "reason"),
        [
            (
                {"status": "found", "supplier": "Guangzhou", "currency": "CNY"},
                "Для статуса «найден» укажите цену за единицу, например 310,50",
            ),
            (
                {"status": "found", "unit_price": "310.50", "currency": "CNY"},
                "Для статуса «найден» заполните поле «Поставщик»",
            ),
            (
                {"status": "found", "supplier": "Guangzhou", "unit_price": "310.50"},
                "Для статуса «найден» укажите валюту цены, например CNY или RUB",
            ),
            (
                {"status": "replacement"},
                "Для статуса «замена» заполните поле «Чем заменили»",
            ),
        ],
    )
    async def test_an_incomplete_entry_is_refused_with_the_reason_and_nothing_is_saved(
        self, journey: Journey, body: dict[str, Any], reason: str
    ) -> None:
        _html, config = await journey.open_tab("card")
        line_id = config["lines"][0]["id"]
        response = await patch(journey, config, line_id, body)
        assert response.status_code == 400
        assert response.json()["error_description"] == reason
        first = (await journey.lines())[0]
        assert (first.status, first.supplier, first.unit_price) == ("pending", "", None)

    async def test_an_english_portal_reads_the_reason_in_english(self, journey: Journey) -> None:
        _html, config = await journey.open_tab("card")
        response = await patch(
            journey, english(journey, config), config["lines"][0]["id"], {"status": "found"}
        )
        assert response.status_code == 400
        assert response.json()["error_description"] == (
            "The status «found» needs the «Supplier» field filled in"
        )

    async def test_a_complete_found_entry_is_saved(self, journey: Journey) -> None:
        _html, config = await journey.open_tab("card")
        body = {
            "status": "found",
            "supplier": "Guangzhou",
            "unit_price": "310,5",
            "currency": "CNY",
        }
        response = await patch(journey, config, config["lines"][0]["id"], body)
        assert response.status_code == 200, response.text
        first = (await journey.lines())[0]
        assert (first.status, first.supplier, first.unit_price) == (
            "found",
            "Guangzhou",
            Decimal("310.50"),
        )


async def act(journey: Journey, config: dict[str, Any], name: str, body: dict[str, Any]) -> Any:
    return await journey.stack.http.post(
        f"{config['api_base']}/actions/{name}",
        json=body,
        headers={"X-View-Token": config["view_token"]},
    )


async def job(journey: Journey, config: dict[str, Any], job_id: int) -> Any:
    return await journey.stack.http.get(
        f"{config['api_base']}/jobs/{job_id}", headers={"X-View-Token": config["view_token"]}
    )


async def lines_now(journey: Journey, config: dict[str, Any]) -> dict[str, Any]:
    response = await journey.stack.http.get(
        f"{config['api_base']}/lines", headers={"X-View-Token": config["view_token"]}
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def queued(journey: Journey, config: dict[str, Any], name: str, body: dict[str, Any]) -> int:
    response = await act(journey, config, name, body)
    assert response.status_code == 200, response.text
    job_id = int(response.json()["job_id"])
    assert (await job(journey, config, job_id)).json()["state"] == "running"
    return job_id


class TestFollowingAnAction:
    async def test_a_refused_discount_ends_in_its_reason_not_in_accepted_forever(
        self, journey: Journey
    ) -> None:
        _html, config = await journey.open_tab("deal", user_id=SALES_ID)
        job_id = await queued(journey, config, "apply_discount", {"amount": "100000"})
        await journey.stack.settle()
        state = (await job(journey, config, job_id)).json()
        assert state["state"] == "refused"
        assert state["text"] == (
            "Не выполнено: Скидка 100000.00 больше суммы сделки 46900.00: "
            "цены стали бы отрицательными."
        )

    async def test_a_deal_with_undefined_kits_is_refused_with_what_to_do(
        self, journey: Journey
    ) -> None:
        await journey.stack.act(
            "crm.deal.productrows.set",
            {"id": journey.deal_id, "rows": [{"PRODUCT_ID": 4, "PRICE": 45000, "QUANTITY": 1}]},
        )
        _html, config = await journey.open_tab("deal", user_id=SALES_ID)
        job_id = await queued(journey, config, "expand_kits", {})
        await journey.stack.settle()
        state = (await job(journey, config, job_id)).json()
        assert state["state"] == "refused"
        assert state["text"] == (
            "Не выполнено: Состав комплектов 4 не задан: добавьте их в смарт-процесс «Комплекты»."
        )

    async def test_clearing_ends_done_and_its_lines_follow_through_the_deal_sync(
        self, journey: Journey
    ) -> None:
        _html, config = await journey.open_tab("deal", user_id=SALES_ID)
        job_id = await queued(journey, config, "clear_products", {})
        await journey.stack.settle()
        state = (await job(journey, config, job_id)).json()
        assert (state["state"], state["text"]) == ("done", "Готово: Все товары удалены из сделки.")
        sync = (await job(journey, config, config["sync_job_id"])).json()
        assert (sync["state"], sync["text"]) == ("done", "")
        statuses = {line["status"] for line in (await lines_now(journey, config))["lines"]}
        assert statuses == {"cancelled_by_client"}

    async def test_a_dead_lettered_action_says_so_in_russian(self, journey: Journey) -> None:
        _html, config = await journey.open_tab("deal", user_id=SALES_ID)
        async with unit_of_work(journey.stack.context.sessions) as session:
            stored = await queue_action(  # stored by a version that had this action
                session, journey.stack.member_id, journey.deal_id, "retired_action", {}
            )
        await journey.stack.settle()
        state = (await job(journey, config, stored.job_id)).json()
        assert state["state"] == "failed"
        assert state["text"].startswith("Не выполнено: сбой после 1 попытки.")
        async with journey.stack.context.sessions() as session:
            row = await session.get(Job, stored.job_id)
        assert row is not None and (row.status, row.outcome_kind) == ("dead", "failed")

    async def test_an_english_portal_reads_the_outcome_in_english(self, journey: Journey) -> None:
        async with unit_of_work(journey.stack.context.sessions) as session:
            await session.execute(update(Portal).values(language="en"))
        _html, config = await journey.open_tab("deal", user_id=SALES_ID)
        job_id = await queued(journey, english(journey, config), "clear_products", {})
        await journey.stack.settle()
        state = (await job(journey, english(journey, config), job_id)).json()
        assert state["text"] == "Done: All products removed from the deal."


class TestWhoSeesWhichJob:
    async def test_a_job_of_another_deal_or_kind_is_not_shown(self, journey: Journey) -> None:
        _html, config = await journey.open_tab("deal", user_id=SALES_ID)
        async with unit_of_work(journey.stack.context.sessions) as session:
            other = await queue_action(
                session, journey.stack.member_id, journey.deal_id + 1, "clear_products", {}
            )
            other_sync = await arm_deal_sync(session, journey.stack.member_id, journey.deal_id + 1)
            binding = await arm_portal_binding(session, journey.stack.member_id)
        for job_id in (other.job_id, other_sync, binding, 10**6):
            response = await job(journey, config, job_id)
            assert response.status_code == 404
            assert response.json()["error_description"] == (
                "Такого задания нет у этой вкладки — обновите вкладку."
            )

    async def test_without_a_view_token_nothing_is_shown(self, journey: Journey) -> None:
        _html, config = await journey.open_tab("deal", user_id=SALES_ID)
        response = await journey.stack.http.get(f"/tab/api/jobs/{config['sync_job_id']}")
        assert response.status_code == 403


class TestDiscountAmount:
    @pytest.mark.parametrize(
        ("amount", "reason"),
        [
            ("1000.005", "Сумма скидки: не больше двух знаков после запятой, например 1500,50."),
            ("0", "Сумма скидки: введите число больше нуля, например 1500 или 1500,50."),
            ("много", "Сумма скидки: введите число больше нуля, например 1500 или 1500,50."),
        ],
    )
    async def test_a_bad_amount_is_refused_before_anything_is_queued(
        self, journey: Journey, amount: str, reason: str
    ) -> None:
        _html, config = await journey.open_tab("deal", user_id=SALES_ID)
        response = await act(journey, config, "apply_discount", {"amount": amount})
        assert response.status_code == 400
        assert response.json()["error_description"] == reason
        async with journey.stack.context.sessions() as session:
            actions = (await session.scalars(select(Job).where(Job.kind == "action"))).all()
        assert actions == []


async def find_all(journey: Journey, config: dict[str, Any]) -> int:
    """The buyer marks every line found; the id of the deal sync the last save armed."""
    sync_job_id = 0
    for line in config["lines"]:
        body = {"status": "found", "supplier": "Guangzhou", "unit_price": "310", "currency": "CNY"}
        response = await patch(journey, config, line["id"], body)
        assert response.status_code == 200, response.text
        sync_job_id = int(response.json()["sync_job_id"])
    return sync_job_id


class TestTheTabLearnsWhatTheWorkerDid:
    async def test_a_row_removed_before_the_open_shows_cancelled_once_its_sync_ends(
        self, journey: Journey
    ) -> None:
        rows = [{"PRODUCT_ID": 1, "PRODUCT_NAME": "Фара передняя левая", "PRICE": 12500}]
        await journey.stack.act("crm.deal.productrows.set", {"id": journey.deal_id, "rows": rows})
        _html, config = await journey.open_tab("card")  # product-row edits fire no event
        assert [line["status"] for line in config["lines"]] == ["pending", "pending"]
        assert (await job(journey, config, config["sync_job_id"])).json()["state"] == "running"
        await journey.stack.settle()
        assert (await job(journey, config, config["sync_job_id"])).json()["state"] == "done"
        statuses = [line["status"] for line in (await lines_now(journey, config))["lines"]]
        assert statuses == ["pending", "cancelled_by_client"]

    async def test_the_stage_move_of_the_last_save_is_seen_after_its_sync(
        self, journey: Journey
    ) -> None:
        _html, config = await journey.open_tab("card")
        assert config["deal_stage"] == "SEARCH"
        sync_job_id = await find_all(journey, config)
        assert (await lines_now(journey, config))["deal_stage"] == "SEARCH"  # not moved yet
        await journey.stack.settle()
        assert (await job(journey, config, sync_job_id)).json()["state"] == "done"
        after = await lines_now(journey, config)
        assert (after["deal_stage"], after["deal_stage_title"]) == ("FOUND", "Товар найден")
        assert (await journey.deal())["STAGE_ID"] == journey.deal_stage("FOUND")


class TestRoles:
    async def test_the_deal_tab_has_the_actions_and_reads_the_lines(self, journey: Journey) -> None:
        html, config = await journey.open_tab("deal", user_id=SALES_ID)
        assert (config["editable"], 'data-action="apply_discount"' in html) == (False, True)
        assert config["hint"] == (
            "Данные поставщиков заполняет закупщик во вкладке «Поиск» карточки закупки."
        )
        assert "is-editable" not in html
        response = await patch(journey, config, config["lines"][0]["id"], {"status": "not_found"})
        assert response.status_code == 403
        assert response.json()["error_description"] == (
            "Строки заполняет закупщик во вкладке «Поиск» карточки закупки, не в сделке."
        )
        assert (await journey.lines())[0].status == "pending"

    async def test_the_card_tab_edits_and_has_no_product_actions(self, journey: Journey) -> None:
        html, config = await journey.open_tab("card")
        assert config["editable"] is True and "data-action=" not in html
        assert config["hint"] == "Нажмите на строку, чтобы заполнить данные поставщика."
        response = await act(journey, config, "clear_products", {})
        assert response.status_code == 403
        assert response.json()["error_description"] == (
            "Действия с товарами доступны во вкладке «Поиск» сделки, не в закупке."
        )
        assert len(await journey.lines()) == 2

    async def test_the_h1_names_the_deal_and_the_card(self, journey: Journey) -> None:
        deal_html, _ = await journey.open_tab("deal", user_id=SALES_ID)
        card_html, _ = await journey.open_tab("card")
        card_id = await journey.card_id()
        assert f'<h1 class="b24b-title">Поиск по сделке №{journey.deal_id}</h1>' in deal_html
        title = f"Закупка №{card_id} по сделке №{journey.deal_id}"
        assert f'<h1 class="b24b-title">{title}</h1>' in card_html


class TestReadOnlyOnceBought:
    async def test_lines_lock_at_bought_and_the_setting_can_move_it(self, journey: Journey) -> None:
        _html, config = await journey.open_tab("card")
        await find_all(journey, config)
        await journey.stack.settle()
        await journey.move_deal("BUYOUT")
        await journey.move_card("BOUGHT")
        _html, config = await journey.open_tab("card")
        assert config["editable"] is False
        assert config["hint"] == "Закупка на стадии «Выкуплено»: строки только для чтения."
        response = await patch(journey, config, config["lines"][0]["id"], {"comment": "позже"})
        assert response.status_code == 403
        assert response.json()["error_description"].startswith(
            "Закупка на стадии «Выкуплено»: строки больше не редактируются."
        )
        async with unit_of_work(journey.stack.context.sessions) as session:
            await update_portal_settings(
                session, journey.stack.member_id, {"lines_locked_from": "SHIPPED"}
            )
        _html, config = await journey.open_tab("card")
        response = await patch(journey, config, config["lines"][0]["id"], {"comment": "позже"})
        assert response.status_code == 200, response.text
