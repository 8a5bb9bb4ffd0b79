"""Response envelope of REST v2 (REST_FACTS §1.1): result, total, next, time; PHP-style JSON."""

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any


@dataclass(frozen=True)
class Page:
    """A list result: the rows plus the paging keys that go beside ``result``."""

    result: Any
    total: int
    next: int | None = None


@dataclass(frozen=True)
class Timing:
    start: datetime
    finish: datetime
    processing: float
    operating: float
    operating_reset_at: int


def phpize(value: Any) -> Any:
    """PHP serializes an empty associative array as ``[]``; do the same everywhere."""
    if isinstance(value, dict):
        if not value:
            return []
        return {str(key): phpize(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [phpize(item) for item in value]
    return value


def iso(moment: datetime, offset_hours: int) -> str:
    """ISO-8601 with the portal's offset, seconds precision, as Bitrix24 prints dates."""
    local = moment.astimezone(timezone(timedelta(hours=offset_hours)))
    return local.replace(microsecond=0).isoformat()


def time_block(timing: Timing, offset_hours: int) -> dict[str, Any]:
    start = timing.start.timestamp()
    finish = timing.finish.timestamp()
    return {
        "start": start,
        "finish": finish,
        "duration": finish - start,
        "processing": timing.processing,
        "date_start": iso(timing.start, offset_hours),
        "date_finish": iso(timing.finish, offset_hours),
        "operating_reset_at": timing.operating_reset_at,
        "operating": timing.operating,
    }


def success_body(outcome: Any, time: dict[str, Any]) -> dict[str, Any]:
    if isinstance(outcome, Page):
        body: dict[str, Any] = {"result": phpize(outcome.result), "total": outcome.total}
        if outcome.next is not None:
            body["next"] = outcome.next
    else:
        body = {"result": phpize(outcome)}
    body["time"] = time
    return body
