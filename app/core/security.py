"""Comparing secrets: constant-time token checks and non-reversible tags for logs.

Bitrix24 signs nothing; an application token compared in constant time against the one
stored for that ``member_id`` is the only proof a callback is genuine (REST_FACTS §8.4).
"""

import hashlib
import hmac


def tokens_match(expected: str, given: str) -> bool:
    if not expected:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def fingerprint(value: str) -> str:
    """A short, non-reversible tag for a rejected token in the security log."""
    return hashlib.sha256(value.encode()).hexdigest()[:8]
