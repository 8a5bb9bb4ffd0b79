"""The default sender: writes the SMS to the log only (the deal timeline still shows it)."""

from __future__ import annotations

import hashlib
import logging

from connectors.sms.base import SmsResult

log = logging.getLogger("b24bridge.sms")


class LogSmsSender:
    deduplicates = True  # a repeat with the same idempotency key is not sent twice

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    async def send(self, phone: str, text: str, *, idempotency_key: str) -> SmsResult:
        masked = phone[:-4] + "****" if len(phone) > 4 else "****"
        log.info("sms (log provider) to %s: %s", masked, text)
        self.sent.append((phone, text, idempotency_key))
        return SmsResult(
            provider="log", message_id=hashlib.sha256(idempotency_key.encode()).hexdigest()[:16]
        )
