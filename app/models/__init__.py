"""SQLModel tables. Every row is keyed by the portal (``member_id``).

Importing this package registers every table on ``SQLModel.metadata``; Alembic's
env and the drift test rely on that.
"""

from app.models.jobs import Effect, InboxEvent, Job, PeriodicRun, Reminder
from app.models.kits import Kit as Kit  # registers the table
from app.models.portal import Portal, PortalSettings
from app.models.procurement import ProcurementLine, ProcurementLink
from app.models.rate_budget import RateBudget

__all__ = [
    "Effect",
    "InboxEvent",
    "Job",
    "PeriodicRun",
    "Portal",
    "PortalSettings",
    "ProcurementLine",
    "ProcurementLink",
    "RateBudget",
    "Reminder",
]
