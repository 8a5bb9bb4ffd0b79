"""Accrue or annul, from our ledger and the deal as it is now (pure).

The ``bonus_deal`` job re-reads the deal, so events that repeat, arrive late or out of
order only ever show it its current state: a won deal without an active accrual is
accrued (its ``sequence``-th win, one idempotency key per win); an active accrual of a
deal that is no longer won — reopened, lost or refunded in full — is reversed; an active
accrual whose amount no longer matches the deal's bonus is reversed and accrued anew.
History is never edited: every change is a new entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from automations.bonuses.rules import Bonus

REOPENED, REFUNDED, RECOMPUTED = "reopened", "refunded", "recomputed"


@dataclass(frozen=True)
class ActiveAccrual:
    id: int
    sequence: int
    amount_kopecks: int


@dataclass(frozen=True)
class DealLedger:
    """What our ledger holds for one deal: its wins so far and the one not reversed."""

    wins: int
    active: ActiveAccrual | None


@dataclass(frozen=True)
class DealNow:
    deal_id: int
    won: bool
    fully_refunded: bool
    manager_id: int
    office: str
    bonus: Bonus


@dataclass(frozen=True)
class Accrue:
    deal_id: int
    sequence: int
    manager_id: int
    office: str
    bonus: Bonus

    @property
    def key(self) -> str:
        return accrual_key(self.deal_id, self.sequence)


@dataclass(frozen=True)
class Annul:
    accrual_id: int
    amount_kopecks: int
    reason: str


Entry = Accrue | Annul


def accrual_key(deal_id: int, sequence: int) -> str:
    return f"deal:{deal_id}:won:{sequence}"


def plan_entries(ledger: DealLedger, deal: DealNow) -> tuple[Entry, ...]:
    earns = deal.won and not deal.fully_refunded
    active = ledger.active
    if active is not None and not earns:
        reason = REFUNDED if deal.won else REOPENED
        return (Annul(active.id, active.amount_kopecks, reason),)
    if not earns:
        return ()
    accrue = Accrue(deal.deal_id, ledger.wins + 1, deal.manager_id, deal.office, deal.bonus)
    if active is None:
        return (accrue,)
    if active.amount_kopecks != deal.bonus.amount_kopecks:
        return (Annul(active.id, active.amount_kopecks, RECOMPUTED), accrue)
    return ()
