"""Which handler runs which job kind."""

from app.portals.setup import run_bind_job
from app.worker.actions import run_action_job
from app.worker.robot_replies import run_robot_job
from app.worker.runner import JobHandler
from automations.procurement.handler import sync_deal, sync_item
from automations.procurement.reminder import fire_reminder
from automations.reconciliation.handler import reconcile_portal

HANDLERS: dict[str, JobHandler] = {
    "sync_deal": sync_deal,
    "sync_item": sync_item,
    "bind_portal": run_bind_job,
    "reminder": fire_reminder,
    "reconcile": reconcile_portal,
    "action": run_action_job,
    "robot": run_robot_job,
}
