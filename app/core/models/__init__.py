"""SQLModel tables. Every row is keyed by the portal (``member_id``).

Importing this package registers every table on ``SQLModel.metadata``; Alembic's
env and the drift test rely on that.
"""

from app.core.models.bonuses import BonusAccrual, BonusDirtyDeal, BonusReversal, MoneyOperation
from app.core.models.exchange import (
    ExchangeDocument,
    ExchangeFeed,
    ExchangeNode,
    ExchangeOrder,
    ExchangeOutbox,
    ExchangeSession,
    ExchangeUpload,
    ExchangeWorkflow,
    ExchangeWorkflowReport,
)
from app.core.models.jobs import Effect, InboxEvent, Job, PeriodicRun, PortalTurn, Reminder
from app.core.models.kits import Kit as Kit  # registers the table
from app.core.models.portal import Portal, PortalSettings
from app.core.models.procurement import ProcurementLine, ProcurementLink
from app.core.models.proposals import Proposal, ShortLink
from app.core.models.rate_budget import RateBudget

__all__ = [
    "BonusAccrual",
    "BonusDirtyDeal",
    "BonusReversal",
    "Effect",
    "ExchangeDocument",
    "ExchangeFeed",
    "ExchangeNode",
    "ExchangeOrder",
    "ExchangeOutbox",
    "ExchangeSession",
    "ExchangeUpload",
    "ExchangeWorkflow",
    "ExchangeWorkflowReport",
    "InboxEvent",
    "Job",
    "MoneyOperation",
    "PeriodicRun",
    "Portal",
    "PortalSettings",
    "PortalTurn",
    "ProcurementLine",
    "ProcurementLink",
    "Proposal",
    "RateBudget",
    "Reminder",
    "ShortLink",
]
