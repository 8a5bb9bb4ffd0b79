"""Which handler runs which job kind."""

from app.core import queue
from app.portals.setup import run_bind_job
from app.worker.actions import run_action_job
from app.worker.robot_replies import run_robot_job
from automations.bonuses.handler import bonus_deal, scan_deals
from automations.bonuses.registry import write_registries
from automations.deal_notices import notices_then
from automations.exchange.changes import record_deal_change
from automations.exchange.handler import run_exchange_job
from automations.exchange.portal_down import waits_for_portal
from automations.exchange.push import push_changes
from automations.exchange.workflow_start import start_workflow
from automations.ports import JobHandler
from automations.procurement.handler import sync_deal, sync_item
from automations.procurement.reminder import fire_reminder
from automations.proposals.handler import make_proposal_job
from automations.reconciliation.handler import reconcile_portal

HANDLERS: dict[str, JobHandler] = {
    queue.SYNC_DEAL: notices_then(sync_deal),
    queue.SYNC_ITEM: sync_item,
    queue.BIND_PORTAL: run_bind_job,
    queue.REMINDER: fire_reminder,
    queue.RECONCILE: reconcile_portal,
    queue.ACTION: run_action_job,
    queue.ROBOT: run_robot_job,
    queue.PROPOSAL: make_proposal_job,
    queue.EXCHANGE: waits_for_portal(run_exchange_job),
    queue.EXCHANGE_DEAL: record_deal_change,
    queue.EXCHANGE_PUSH: push_changes,
    queue.EXCHANGE_WORKFLOW: start_workflow,
    queue.BONUS_DEAL: bonus_deal,
    queue.BONUS_SCAN: scan_deals,
    queue.BONUS_REGISTRY: write_registries,
}
