"""Receivers of callbacks from outside: parse, verify, store in the durable inbox, answer.

Nothing here calls an automation inline: every accepted request becomes an inbox row
and a job in one transaction, committed before the answer (RELIABILITY.md DR1).
"""
