"""Reconciliation: repair what events missed. Bitrix24 never retries a failed delivery
and fires no event for product-row edits, so each portal is re-read periodically.

Trigger: the scheduler's ``reconcile`` job per portal. Rule: every deal modified since
the watermark (minus an overlap) and every deal in an active workflow stage gets its
``sync_deal`` job armed (coalesced — a deal already queued is not queued twice).
Idempotency: the sync itself converges to the portal's state; the watermark only
moves forward after the jobs are armed.
"""
