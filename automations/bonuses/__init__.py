"""Manager bonuses and money registries (PRODUCT §3.9, seed 004).

``rules`` computes a won deal's bonus from its product rows (pure, exact in kopecks, a
breakdown per row); ``ledger_rules`` decides, from our ledger and the deal as it is now,
whether to accrue or annul (pure); ``repository`` is the append-only ledger (accruals,
reversals, money operations); ``handler`` runs the ``bonus_deal`` job: load → decide →
record → write the registry items and the deal fields through the batch packer.
"""
