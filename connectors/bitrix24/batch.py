"""Packing calls into ``batch`` requests and unpacking their per-command results.

A batch is one request for the rate counter and carries up to 50 commands
(batch.md). Commands run in order; each may fail on its own: the batch is
HTTP 200 and failures sit in ``result_error`` while the others succeed. Empty
sections arrive as ``[]`` (REST_FACTS §5). Command keys are ``c0``, ``c1``...
never bare numbers, which PHP would turn into a JSON list.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from connectors.bitrix24.encoding import batch_command
from connectors.bitrix24.envelope import CallTime, as_mapping, parse_time
from connectors.bitrix24.errors import ApiError, Bitrix24Error, ProtocolError, api_error

MAX_COMMANDS = 50
BATCH_METHOD = "batch"

T = TypeVar("T")
Call = tuple[str, Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class Outcome(Generic[T]):
    """The result of one call of ``call_many``/``batch``: a value or a typed error."""

    value: T | None = None
    error: Bitrix24Error | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def unwrap(self) -> T | None:
        """The value, or raise the error."""
        if self.error is not None:
            raise self.error
        return self.value


@dataclass(frozen=True, slots=True)
class CommandResult:
    """One command's share of a batch answer."""

    value: Any = None
    error: ApiError | None = None
    total: int | None = None
    next: int | None = None
    time: CallTime | None = None

    def outcome(self) -> Outcome[Any]:
        return Outcome(value=self.value, error=self.error)


def chunks(items: Sequence[T], size: int = MAX_COMMANDS) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most ``size`` items."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def command_key(index: int) -> str:
    return f"c{index}"


def batch_body(commands: Mapping[str, Call], *, halt: bool = False) -> dict[str, Any]:
    """The JSON body of a ``batch`` request (``cmd`` strings encoded once)."""
    if len(commands) > MAX_COMMANDS:
        raise ValueError(f"a batch takes at most {MAX_COMMANDS} commands, got {len(commands)}")
    return {
        "halt": 1 if halt else 0,
        "cmd": {key: batch_command(method, params) for key, (method, params) in commands.items()},
    }


def parse_batch(result: Any, commands: Mapping[str, Call]) -> dict[str, CommandResult]:
    """Split the ``result`` of a batch answer into one ``CommandResult`` per key."""
    if not isinstance(result, Mapping):
        raise ProtocolError("batch answer without sections", method=BATCH_METHOD)
    sections = {
        name: as_mapping(result.get(name))
        for name in ("result", "result_error", "result_total", "result_next", "result_time")
    }
    return {key: _command_result(key, method, sections) for key, (method, _) in commands.items()}


def _command_result(
    key: str, method: str, sections: Mapping[str, Mapping[str, Any]]
) -> CommandResult:
    raw_error = sections["result_error"].get(key)
    error = _command_error(raw_error, method) if raw_error is not None else None
    return CommandResult(
        value=None if error else sections["result"].get(key),
        error=error,
        total=_int(sections["result_total"].get(key)),
        next=_int(sections["result_next"].get(key)),
        time=parse_time(sections["result_time"].get(key)),
    )


def _command_error(raw: Any, method: str) -> ApiError:
    if isinstance(raw, Mapping):
        code = str(raw.get("error") or "")
        description = str(raw.get("error_description") or "")
    else:
        code, description = "", str(raw)
    # Inside a batch every command is HTTP 200; the code alone classifies it.
    return api_error(code, description, method=method, http_status=200)


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
