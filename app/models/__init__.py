"""SQLModel tables. Every row is keyed by the portal (``member_id``).

Importing this package registers every table on ``SQLModel.metadata``; Alembic's
env and the drift test rely on that.
"""

from app.models.portal import Portal
from app.models.rate_budget import RateBudget

__all__ = ["Portal", "RateBudget"]
