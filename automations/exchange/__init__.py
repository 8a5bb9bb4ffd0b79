"""The exchange gateway (PRODUCT §3.10): one core behind the 1C CommerceML door and the
JSON-RPC door (``webhooks/exchange``).

Trigger: a node uploads documents (orders, counterparties) → ``intake`` stores each one
keyed by (node, kind, external id) together with the feed archive row and arms one job per
order (coalesced by the cross-node order key) in the same transaction, and only then the
door answers. Rule: ``rules`` turns a document into deal fields and product rows; unknown
products refuse the document unless the node allows them. Effect: ``handler`` converges the
portal in at most two REST requests (one read batch, one write batch); the deal carries our
op id in ``ORIGIN_ID`` so a crash between the write and its record is healed by the lookup
before any second create. Idempotency: a repeated document (same content hash) changes
nothing; an order already applied with the same content is not written again. Deal changes
go to subscribed nodes through the outbox (``outbox``), acknowledged once.
"""
