"""Manager bonuses on the sandbox portal (PRODUCT §3.9): a won deal accrues one registry
item and the deal field; a manual edit of the field is reverted with a timeline comment;
a reopened deal annuls the accrual; winning again accrues anew."""

from decimal import Decimal

from tests.e2e.bonus_steps import (
    BONUS_FIELD,
    accrual_items,
    amount_of,
    edit_bonus_field,
    ledger,
    set_rules,
)
from tests.e2e.harness import BUYER_ID, live_stack
from tests.e2e.procurement_steps import Journey
from tests.e2e.proposal_steps import timeline

# 2 × 12 500 × 5 % + 18 900 × 10 % + delivery (service) 0 = 1 250 + 1 890
EXPECTED = "3140.00"


class TestBonusJourney:
    async def test_won_edited_reopened_won_again(self, database_url: str) -> None:
        async with live_stack(database_url) as stack:
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
