"""Manager bonuses on the sandbox portal (PRODUCT §3.9): a won deal accrues one registry
item and the deal field; a manual edit of the field is reverted with a timeline comment;
a reopened deal annuls the accrual; winning again accrues anew."""

import json
import time
from decimal import Decimal

from app.core import effects, queue
from app.core.db import unit_of_work
from automations.bonuses import money_repository, repository
from automations.bonuses.ledger_rules import Accrue
from automations.bonuses.registry_items import accrual_item
from automations.bonuses.rules import Bonus
from tests.e2e.bonus_steps import (
    ACCOUNTS,
    BONUS_FIELD,
    RULES,
    accrual_items,
    amount_of,
    edit_bonus_field,
    export_xlsx,
    ledger,
    operation_items,
    robot,
    set_accounts,
    set_rules,
)
from tests.e2e.harness import BUYER_ID, live_stack
from tests.e2e.procurement_steps import Journey
from tests.e2e.proposal_steps import timeline
from tests.e2e.test_settings_page import ADMIN_ID, open_page

# 2 × 12 500 × 5 % + 18 900 × 10 % + delivery (service) 0 = 1 250 + 1 890
EXPECTED = "3140.00"


class TestBonusJourney:
    async def test_won_edited_reopened_won_again(self, database_url: str) -> None:
        async with live_stack(database_url, bonus_batch_delay_seconds=0) as stack:
            journey = await Journey.start(stack)
            assert journey.values["bonus_deal_field"] == BONUS_FIELD
            await set_rules(journey)
            await journey.create_deal()
            await journey.move_deal("WON")

            items = await accrual_items(journey)
            assert len(items) == 1
            assert items[0]["stageId"] == journey.values["accrual_stages"]["DONE"]
            assert Decimal(amount_of(items[0], journey)) == Decimal(EXPECTED)
            basis = str(items[0][journey.values["accrual_fields"]["basis"]])
            assert "Бампер передний" in basis and "Доставка" in basis
            assert Decimal(str((await journey.deal())[BONUS_FIELD])) == Decimal(EXPECTED)
            accruals, _ = await ledger(journey)
            assert [(a.amount_kopecks, a.office) for a in accruals] == [(314000, "Краснодар")]

            await edit_bonus_field(journey, "9999", user_id=BUYER_ID)
            assert Decimal(str((await journey.deal())[BONUS_FIELD])) == Decimal(EXPECTED)
            comments = [c["comment"] for c in await timeline(journey)]
            reverted = [c for c in comments if "Бонус менеджера" in c]
            assert len(reverted) == 1
            assert "Борис Ли" in reverted[0] and "9 999,00 ₽" in reverted[0]
            assert "3 140,00 ₽" in reverted[0]

            await journey.move_deal("NEW")
            items = await accrual_items(journey)
            assert [i["stageId"] for i in items] == [journey.values["accrual_stages"]["CANCELLED"]]
            assert Decimal(str((await journey.deal())[BONUS_FIELD])) == 0
            accruals, reversals = await ledger(journey)
            assert [(r.accrual_id, r.amount_kopecks) for r in reversals] == [
                (accruals[0].id, 314000)
            ]

            await journey.move_deal("WON")
            await stack.settle()
            items = await accrual_items(journey)
            assert sorted(i["stageId"] for i in items) == sorted(
                journey.values["accrual_stages"][s] for s in ("CANCELLED", "DONE")
            )
            accruals, reversals = await ledger(journey)
            assert [a.sequence for a in accruals] == [1, 2] and len(reversals) == 1
            comments = [c["comment"] for c in await timeline(journey)]
            assert len([c for c in comments if "Бонус менеджера" in c]) == 1


class TestMoneyRobots:
    async def test_payments_change_refund_collection_and_bad_input(self, database_url: str) -> None:
        async with live_stack(database_url, bonus_batch_delay_seconds=0) as stack:
            journey = await Journey.start(stack)
            await set_accounts(journey)
            await journey.create_deal()

            paid = await robot(
                journey,
                "add_payment",
                type="payment",
                amount="5000",
                method="cash_desk",
                account="KRD-CASH",
            )
            assert (paid["paid"], paid["balance"]) == ("5000.00", "5000.00")
            change = await robot(
                journey,
                "add_payment",
                type="change",
                amount="300,50",
                method="cash_desk",
                account="KRD-CASH",
            )
            assert (change["paid"], change["balance"]) == ("4699.50", "4699.50")
            await robot(
                journey,
                "add_payment",
                type="payment",
                amount="10000",
                method="terminal",
                account="KRD-TERM",
            )
            refund = await robot(
                journey, "add_payment", type="refund", amount="1000", account="KRD-TERM"
            )
            assert (refund["paid"], refund["balance"]) == ("13699.50", "9000.00")
            collected = await robot(journey, "cash_collection", account="KRD-CASH", amount="4000")
            assert collected["balance"] == "699.50"
            salary = await robot(
                journey, "manager_operation", kind="salary", user="user_2", amount="20000"
            )
            assert salary["result"].startswith("Готово: Выплата ЗП 20 000,00 ₽")

            refusals = [
                await robot(
                    journey, "add_payment", type="payment", amount="-5", account="KRD-CASH"
                ),
                await robot(
                    journey, "add_payment", type="payment", amount="10.005", account="KRD-CASH"
                ),
                await robot(journey, "add_payment", type="payment", amount="10", account="NOPE"),
                await robot(
                    journey, "add_payment", type="refund", amount="20000", account="KRD-TERM"
                ),
                await robot(
                    journey,
                    "add_payment",
                    type="payment",
                    amount="10",
                    method="card",
                    account="KRD-CASH",
                ),
                await robot(journey, "cash_collection", account="KRD-CASH", amount="1000"),
            ]
            texts = [r["result"] for r in refusals]
            assert all(t.startswith("Не выполнено: Поле «") for t in texts), texts
            assert "больше нуля" in texts[0] and "двух знаков" in texts[1]
            assert "«NOPE» не найден" in texts[2] and "больше, чем оплачено" in texts[3]
            assert "не совпадает" in texts[4] and "в минус" in texts[5]

            items = await operation_items(journey)
            kinds = sorted(str(i[journey.values["operation_fields"]["kind"]]) for i in items)
            assert kinds == sorted(
                ["Оплата", "Сдача", "Оплата", "Возврат", "Инкассация", "Выплата ЗП"]
            )
            deal = await journey.deal()
            assert Decimal(str(deal["UF_CRM_B24B_PAID"])) == Decimal("13699.50")
            async with stack.context.sessions() as session:
                assert await money_repository.balances(session, stack.member_id) == {
                    "KRD-CASH": 69950,
                    "KRD-TERM": 900000,
                }
            book = await export_xlsx(journey)
            offices = [[c.value for c in row] for row in book["Операции по офисам"].iter_rows()]
            assert offices[1][1:] == ["Краснодар", 15000, 300.5, 1000, 4000, 13699.5]
            balances = {row[0].value: row[4].value for row in book["Балансы"].iter_rows(min_row=2)}
            assert balances == {"KRD-CASH": 699.5, "KRD-TERM": 9000, "ANNA-CARD": 0}
            managers = [[c.value for c in row] for row in book["Бонусы менеджеров"].iter_rows()]
            assert managers[1][1:3] == [2, "Краснодар"] and managers[1][6] == 20000, managers


class TestFullRefund:
    async def test_a_full_refund_of_a_won_deal_annuls_its_accrual(self, database_url: str) -> None:
        async with live_stack(database_url, bonus_batch_delay_seconds=0) as stack:
            journey = await Journey.start(stack)
            await set_rules(journey)
            await set_accounts(journey)
            await journey.create_deal()
            await journey.move_deal("WON")
            pay = {"amount": "46900", "account": "KRD-TERM"}
            await robot(journey, "add_payment", type="payment", **pay)
            assert [i["stageId"] for i in await accrual_items(journey)] == [
                journey.values["accrual_stages"]["DONE"]
            ]
            refund = await robot(journey, "add_payment", type="refund", **pay)
            assert refund["paid"] == "0.00"
            await stack.settle()
            assert [i["stageId"] for i in await accrual_items(journey)] == [
                journey.values["accrual_stages"]["CANCELLED"]
            ]
            _accruals, reversals = await ledger(journey)
            assert [r.reason for r in reversals] == ["refunded"]
            deal = await journey.deal()
            assert Decimal(str(deal[BONUS_FIELD])) == 0
            assert Decimal(str(deal["UF_CRM_B24B_PAID"])) == 0


class TestRegistryAfterACrash:
    async def test_an_item_written_before_a_crash_is_found_not_created_again(
        self, database_url: str
    ) -> None:
        async with live_stack(database_url, bonus_batch_delay_seconds=0) as stack:
            journey = await Journey.start(stack)
            member_id = stack.member_id
            async with unit_of_work(stack.context.sessions) as session:
                entry = Accrue(77, 1, 2, "Минск", Bonus(12345, ()))
                recorded = await repository.record_entries(session, member_id, [entry])
                key = repository.accrual_item_key(int(recorded.accruals[0].id or 0))
                await effects.start(session, member_id, [(key, "RegistryItem")])
            # the crash: the portal made the item, the app never heard the answer
            call = accrual_item(journey.values, recorded.accruals[0])
            made = await stack.act(call[0], dict(call[1]))
            async with unit_of_work(stack.context.sessions) as session:
                await queue.arm_bonus_registry(session, member_id)
            await stack.settle()
            items = await accrual_items(journey)
            assert [i["id"] for i in items] == [made["item"]["id"]]
            async with stack.context.sessions() as session:
                record = (await effects.statuses(session, member_id, [key]))[key]
            assert (record.status, record.result) == ("done", {"item_id": made["item"]["id"]})


class TestSettingsPageBox:
    async def test_the_administrator_saves_bonus_settings_and_reads_the_report(
        self, database_url: str
    ) -> None:
        async with live_stack(database_url, bonus_batch_delay_seconds=0) as stack:
            await Journey.start(stack)
            _response, _document, config = await open_page(stack, ADMIN_ID)
            headers = {"X-View-Token": config["view_token"]}
            bad = {"money_accounts": [{"code": "X", "kind": "vault"}]}
            refused = await stack.http.put("/settings/api", json=bad, headers=headers)
            assert refused.status_code == 400 and "Счёт №1" in refused.text
            body = {"bonus_rules": RULES, "money_accounts": ACCOUNTS}
            saved = await stack.http.put("/settings/api", json=body, headers=headers)
            assert saved.status_code == 200, saved.text
            _response, document, config = await open_page(stack, ADMIN_ID)
            shown = json.loads(document.find("textarea", id="bonus-settings").text())
            assert shown == body
            month = time.strftime("%Y-%m", time.gmtime())
            report = await stack.http.get(
                "/reports/api",
                params={"month_from": month, "month_to": month},
                headers={"X-View-Token": config["view_token"]},
            )
            assert report.status_code == 200
            assert [b["code"] for b in report.json()["balances"]] == [
                "ANNA-CARD", "KRD-CASH", "KRD-TERM"
            ]  # fmt: skip
