"""What a job's work came to, for whoever asked for it: done, refused or failed, with a
message in the portal's language.

A refusal is an expected business outcome (nothing was changed, and the message says why),
so handlers return it as a value instead of raising; ``failed`` is what the worker records
when a job is dead-lettered. The worker stores both on the job (``jobs.outcome``), where the
tab and the robots read them.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class OutcomeKind(StrEnum):
    DONE = "done"
    REFUSED = "refused"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Outcome:
    """``values`` are named results for a robot's return properties (a proposal's ``url``)."""

    kind: OutcomeKind
    message: str
    values: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def done(cls, message: str, values: Mapping[str, str] | None = None) -> "Outcome":
        return cls(OutcomeKind.DONE, message, dict(values or {}))

    @classmethod
    def refused(cls, message: str, values: Mapping[str, str] | None = None) -> "Outcome":
        return cls(OutcomeKind.REFUSED, message, dict(values or {}))

    @classmethod
    def failed(cls, message: str) -> "Outcome":
        return cls(OutcomeKind.FAILED, message)

    @property
    def is_done(self) -> bool:
        return self.kind is OutcomeKind.DONE


def as_outcome(result: "str | Outcome") -> Outcome:
    """A handler's return value as an outcome: a plain string is a note of work done."""
    return result if isinstance(result, Outcome) else Outcome.done(result)
