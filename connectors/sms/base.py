"""The SMS sender port."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class SmsError(Exception):
    """The provider refused or could not be reached; ``transient`` says whether to retry."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True)
class SmsResult:
    provider: str
    message_id: str


class SmsSender(Protocol):
    deduplicates: bool  # True when a repeat with the same idempotency key is not sent twice

    async def send(self, phone: str, text: str, *, idempotency_key: str) -> SmsResult:
        """Send one SMS; raises ``SmsError``."""
        ...
