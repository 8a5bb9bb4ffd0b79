"""The procurement workflow's pure core: the sales deal ↔ buyer's card rules 1-10 of PRODUCT.md
§3.4, row ↔ line matching through product-row ID churn, the Search tab's progress and the
workflow's texts. No I/O and no clock: the handler loads snapshots and link state, calls
``plan_sync`` (or ``plan_search_entry`` for a tab save) with ``now``, and performs the
returned ``Plan`` effect by effect, recording each effect's idempotency key.
"""

from automations.procurement.draft import SyncInput
from automations.procurement.effects import (
    CancelReminder,
    CreateCard,
    CreateTask,
    Effect,
    MoveCard,
    MoveDeal,
    Notify,
    Plan,
    RecordStages,
    ScheduleReminder,
    SendSms,
    SetCardRows,
    UpsertLines,
)
from automations.procurement.matching import MatchResult, goods_rows, match_lines
from automations.procurement.messages import render
from automations.procurement.model import (
    CardSnapshot,
    CardStage,
    DealSnapshot,
    DealStage,
    Line,
    LineStatus,
    LinkState,
    ProcurementSettings,
    RowSnapshot,
    SearchData,
)
from automations.procurement.rules import plan_search_entry, plan_sync
from automations.procurement.search import (
    EntryProblem,
    EntryRejected,
    apply_search_entry,
    is_search_complete,
    search_progress,
)

__all__ = [
    "CancelReminder",
    "CardSnapshot",
    "CardStage",
    "CreateCard",
    "CreateTask",
    "DealSnapshot",
    "DealStage",
    "Effect",
    "EntryProblem",
    "EntryRejected",
    "Line",
    "LineStatus",
    "LinkState",
    "MatchResult",
    "MoveCard",
    "MoveDeal",
    "Notify",
    "Plan",
    "ProcurementSettings",
    "RecordStages",
    "RowSnapshot",
    "ScheduleReminder",
    "SearchData",
    "SendSms",
    "SetCardRows",
    "SyncInput",
    "UpsertLines",
    "apply_search_entry",
    "goods_rows",
    "is_search_complete",
    "match_lines",
    "plan_search_entry",
    "plan_sync",
    "render",
    "search_progress",
]
