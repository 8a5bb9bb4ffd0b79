"""The procurement rules 1-10 of PRODUCT.md §3.4 as one pure decision per sync.

Trigger: any event, re-read or tab save for a deal or its card (an event is only a dirty
flag, RELIABILITY.md DR2). The handler loads a ``SyncInput`` and calls ``plan_sync``;
rules run in a fixed order over a ``Draft`` so that one rule sees what an earlier one
moved: lines follow the rows and the card's rows follow the lines (rule 4), deal stage entries (1, 6, 10), return to search
(5), search completion (3), card stage entries (7, 8, 9), the ETA reminder (9). The plan
lists the portal effects in that order, then the local writes: ``UpsertLines`` and a
``RecordStages`` under the link's next epoch (every non-empty plan bumps it, so keys of
later decisions never collide with earlier ones). Stage entries are detected against
the link state, which also holds our own moves, so echoes and duplicates yield an empty
plan (DR4); a snapshot fed twice yields nothing the second time. When the deal and
the card both moved since the last sync and a deal rule already moved the card, the
deal wins and the card's entry is only recorded.

Decisions where the spec is silent: a deal first seen in a stage other than ``SEARCH``
(a deal older than the app) is adopted, recorded without effects; an unmapped stage
(``None``) is ignored and the last known stage kept; rules 7 and 9 only move the deal
forward and never move a closed deal; a deal re-entering ``SEARCH`` with a card already
linked creates nothing new.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from automations.procurement.draft import Draft, SyncInput
from automations.procurement.effects import CreateCard, Plan, SendSms, SetCardRows
from automations.procurement.eta_reminder import ReminderView, plan_reminder, wanted_eta
from automations.procurement.matching import goods_rows, match_lines
from automations.procurement.model import CardStage, DealStage, Line, LineStatus, SearchData
from automations.procurement.search import EntryRejected, apply_search_entry, is_search_complete

_DEAL_ORDER = tuple(DealStage)
_CLOSED = frozenset({DealStage.WON, DealStage.LOST})
_RETURN_TO_SEARCH_FROM = frozenset({DealStage.FOUND, DealStage.PROPOSAL})


def plan_sync(state: SyncInput, now: datetime) -> Plan:
    """Converge the deal, card, lines and link to what the snapshots show; ``now`` is aware."""
    return _decide(Draft.start(state), now)


def plan_search_entry(
    state: SyncInput, now: datetime, *, line_id: int, status: LineStatus, search: SearchData
) -> Plan | EntryRejected:
    """Rule 2, then whatever the other rules decide about the edited lines (rule 3)."""
    lines = apply_search_entry(state.lines, line_id, status, search)
    if isinstance(lines, EntryRejected):
        return lines
    edited = SyncInput(state.deal, state.card, state.link, lines, state.settings)
    return _decide(Draft.start(edited, stored=state.lines), now)


def _decide(draft: Draft, now: datetime) -> Plan:
    state = draft.state
    needs_search = _follow_rows(draft)
    _sync_card_rows(draft)
    _on_deal_entered(draft, _deal_entered(state))
    _return_to_search(draft, needs_search)
    _complete_search(draft)
    _on_card_entered(draft, _card_entered(state))
    draft.finish(_reschedule_call(draft, now))
    return draft.plan()


def _deal_entered(state: SyncInput) -> DealStage | None:
    stage, link = state.deal.stage, state.link
    if stage is None or stage is link.deal_stage:
        return None
    first_sight = link.deal_stage is None and link.card_id is None
    if first_sight and stage is not DealStage.SEARCH:
        return None
    return stage


def _card_entered(state: SyncInput) -> CardStage | None:
    card = state.card
    if card is None or card.stage is None or card.stage is state.link.card_stage:
        return None
    return card.stage


def _follow_rows(draft: Draft) -> bool:
    """Rule 4 (and new rows): lines follow the goods rows; True when a line needs search."""
    if not draft.has_card:
        return False
    result = match_lines(draft.state.deal.rows, draft.lines)
    draft.lines = result.lines
    revived = (*result.added, *result.reactivated)
    return any(line.status is LineStatus.PENDING for line in revived)


def _sync_card_rows(draft: Draft) -> None:
    """Rule 4 on the card: when the active goods lines changed (a row added, removed or
    re-saved), the card's product rows are replaced by the deal's goods rows."""
    if draft.has_card and _active_goods(draft.lines) != _active_goods(draft.baseline):
        rows = goods_rows(draft.state.deal.rows)
        draft.effects.append(SetCardRows(draft.key("card_rows"), draft.deal_id, rows))


def _active_goods(lines: Iterable[Line]) -> frozenset[tuple[object, ...]]:
    return frozenset(
        (line.row_id, line.product_id, line.name, line.quantity) for line in lines if line.is_active
    )


def _on_deal_entered(draft: Draft, stage: DealStage | None) -> None:
    if stage is DealStage.SEARCH:
        _start_search(draft)
    elif stage is DealStage.BUYOUT:
        draft.move_card(CardStage.BUYOUT)
        if draft.has_card:
            draft.task(draft.buyer_id, "task.buyout")
    elif stage is DealStage.WON:
        _send_sms(draft, "sms.review_request")
        draft.move_card(CardStage.DONE)
    elif stage is DealStage.LOST:
        draft.move_card(CardStage.CANCELLED)


def _start_search(draft: Draft) -> None:
    """Rule 1: the first entry into SEARCH opens the buyer's card with one line per good."""
    if draft.has_card:
        return
    deal = draft.state.deal
    buyer = draft.buyer_id
    draft.effects.append(
        CreateCard(
            key=draft.key("create_card"),
            deal_id=deal.id,
            title_key="card.title",
            params=draft.deal_params,
            assigned_by_id=buyer,
            contact_id=deal.contact_id,
            rows=goods_rows(deal.rows),
        )
    )
    draft.has_card, draft.card_stage = True, CardStage.SEARCH
    _follow_rows(draft)
    draft.task(buyer, "task.find_goods")
    draft.notify(buyer, "notify.search_started")


def _return_to_search(draft: Draft, needs_search: bool) -> None:
    """Rule 5: a new good after the search was done sends both cards back to search."""
    if not needs_search or draft.deal_stage not in _RETURN_TO_SEARCH_FROM:
        return
    draft.move_deal(DealStage.SEARCH)
    draft.move_card(CardStage.SEARCH)
    draft.notify(draft.buyer_id, "notify.new_goods")


def _complete_search(draft: Draft) -> None:
    """Rule 3: every active line has a status → FOUND / SEARCH_DONE, the manager is told."""
    if draft.deal_stage is not DealStage.SEARCH or not draft.has_card:
        return
    if not is_search_complete(draft.lines):
        return
    draft.move_deal(DealStage.FOUND)
    if draft.card_stage is CardStage.SEARCH:
        draft.move_card(CardStage.SEARCH_DONE)
    draft.notify(draft.state.deal.responsible_id, "notify.search_done")


def _on_card_entered(draft: Draft, stage: CardStage | None) -> None:
    if stage is None or draft.card_moved:
        return
    if stage is CardStage.BOUGHT:
        _move_deal_forward(draft, DealStage.BOUGHT)
    elif stage is CardStage.AT_WAREHOUSE:
        _send_sms(draft, "sms.at_warehouse")
    elif stage is CardStage.SHIPPED:
        _move_deal_forward(draft, DealStage.IN_TRANSIT)


def _move_deal_forward(draft: Draft, stage: DealStage) -> None:
    current = draft.deal_stage
    if current is None or current in _CLOSED:
        return
    if _DEAL_ORDER.index(current) < _DEAL_ORDER.index(stage):
        draft.move_deal(stage)


def _send_sms(draft: Draft, template_key: str) -> None:
    phone = draft.state.deal.client_phone
    if not phone:
        draft.notify(draft.state.deal.responsible_id, "notify.sms_no_phone")
        return
    # Each text at most once per deal (PRODUCT §3.8): the key names no epoch, so a card
    # re-entering the stage repeats the key and the handler skips the SMS and its comment.
    key = f"sms:{template_key}:{draft.deal_id}"
    draft.effects.append(SendSms(key, draft.deal_id, phone, template_key))


def _reschedule_call(draft: Draft, now: datetime) -> date | None:
    """Rule 9's reminder; returns the ETA to remember on the link."""
    state = draft.state
    view = ReminderView(
        deal_stage=draft.deal_stage,
        card_stage=draft.card_stage,
        card_eta=state.card.eta if state.card else None,
        scheduled_eta=state.link.eta,
        marker=draft.marker,
    )
    draft.effects.extend(plan_reminder(state.deal, view, state.settings, now))
    return wanted_eta(view)
