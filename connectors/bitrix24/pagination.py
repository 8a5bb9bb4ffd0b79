"""Walking list methods: ``start``/``next`` pages and the fast ID cursor.

Pages hold 50 rows. With ``start`` paging the first answer tells ``total``;
the remaining pages are then fetched as batch commands ``start=50k``, up to
50 pages per request (list-methods-pecularities.md). For large lists the
fast mode orders by ID, filters ``>ID`` = last seen ID and passes
``start=-1`` so Bitrix24 skips the COUNT query (huge-data.md); pages after
the first are chained inside one batch with ``$result[pN][...][49][ID]``
references. Row containers differ: legacy lists return ``[...]``,
``crm.item.list`` ``{"items": [...]}``, ``crm.item.productrow.list``
``{"productRows": [...]}``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, Protocol

from connectors.bitrix24.batch import Call, CommandResult
from connectors.bitrix24.envelope import Envelope
from connectors.bitrix24.errors import ProtocolError, is_rate_refusal
from connectors.bitrix24.limiter import Priority

PAGE_SIZE = 50


class ListCaller(Protocol):
    """What pagination needs from the client."""

    async def call_envelope(
        self, method: str, params: Mapping[str, Any], *, priority: Priority
    ) -> Envelope: ...

    async def run_batch(
        self, commands: Mapping[str, Call], *, priority: Priority, retry_refused: bool
    ) -> dict[str, CommandResult]: ...


def page_rows(result: Any) -> tuple[list[Any], str | None]:
    """The rows of one page and the key they sit under (None for a bare list)."""
    if isinstance(result, list):
        return result, None
    if not isinstance(result, Mapping):
        raise ProtocolError(f"a list page is a {type(result).__name__}")
    lists = [(key, value) for key, value in result.items() if isinstance(value, list)]
    if len(lists) == 1:
        key, rows = lists[0]
        return rows, str(key)
    if not result:
        return [], None
    raise ProtocolError("cannot tell the rows of a list page")


async def iter_pages(
    caller: ListCaller,
    method: str,
    params: Mapping[str, Any],
    *,
    priority: Priority,
    pages_per_batch: int,
) -> AsyncIterator[Any]:
    """Rows of ``method`` via ``start``; the rest as batched ``start=50k`` pages."""
    first = await caller.call_envelope(method, {**params, "start": 0}, priority=priority)
    for row in page_rows(first.result)[0]:
        yield row
    if first.next is None:
        return
    starts = list(range(first.next, first.total or 0, PAGE_SIZE))
    if not starts:  # no total: walk `next` one page at a time
        async for row in _follow_next(caller, method, params, first.next, priority):
            yield row
        return
    for group_start in range(0, len(starts), pages_per_batch):
        group = starts[group_start : group_start + pages_per_batch]
        commands = {f"p{start}": (method, {**params, "start": start}) for start in group}
        results = await caller.run_batch(commands, priority=priority, retry_refused=True)
        for start in group:
            for row in page_rows(_value(results[f"p{start}"]))[0]:
                yield row


async def _follow_next(
    caller: ListCaller, method: str, params: Mapping[str, Any], start: int, priority: Priority
) -> AsyncIterator[Any]:
    next_start: int | None = start
    while next_start is not None:
        page = await caller.call_envelope(
            method, {**params, "start": next_start}, priority=priority
        )
        for row in page_rows(page.result)[0]:
            yield row
        next_start = page.next


async def iter_by_id(
    caller: ListCaller,
    method: str,
    params: Mapping[str, Any],
    *,
    priority: Priority,
    pages_per_batch: int,
) -> AsyncIterator[Any]:
    """Rows of ``method`` in ID order with the fast cursor (no total)."""
    cursor = _IdCursor(method, params)
    first = await caller.call_envelope(method, cursor.params(cursor.last_id), priority=priority)
    rows, container = page_rows(first.result)
    for row in cursor.take(rows):
        yield row
    more = len(rows) >= PAGE_SIZE
    while more:
        commands = cursor.chain(pages_per_batch, container)
        results = await caller.run_batch(commands, priority=priority, retry_refused=False)
        for key in commands:
            result = results[key]
            if result.error is not None and is_rate_refusal(result.error):
                break  # refused mid-chain: the next round restarts from the cursor
            rows = page_rows(_value(result))[0]
            for row in cursor.take(rows):
                yield row
            if len(rows) < PAGE_SIZE:
                more = False
                break


class _IdCursor:
    """Builds ``>ID`` filters and chained page commands; drops rows already seen."""

    def __init__(self, method: str, params: Mapping[str, Any]) -> None:
        self.method = method
        self.id_field = "id" if method.startswith("crm.item.") else "ID"
        self.filter = {
            str(k): v
            for k, v in dict(params.get("filter") or {}).items()
            if k != f">{self.id_field}"
        }
        given = (params.get("filter") or {}).get(f">{self.id_field}")
        self.last_id: Any = given if given is not None else 0
        self.base = {k: v for k, v in params.items() if k not in {"filter", "order", "start"}}
        select = self.base.get("select")
        if isinstance(select, Sequence) and "*" not in select and self.id_field not in select:
            self.base["select"] = [*select, self.id_field]

    def params(self, after: Any) -> dict[str, Any]:
        return {
            **self.base,
            "order": {self.id_field: "ASC"},
            "filter": {**self.filter, f">{self.id_field}": after},
            "start": -1,
        }

    def chain(self, pages: int, container: str | None) -> dict[str, Call]:
        commands: dict[str, Call] = {"p0": (self.method, self.params(self.last_id))}
        for index in range(1, pages):
            path = f"[{container}]" if container else ""
            reference = f"$result[p{index - 1}]{path}[{PAGE_SIZE - 1}][{self.id_field}]"
            commands[f"p{index}"] = (self.method, self.params(reference))
        return commands

    def take(self, rows: Sequence[Any]) -> list[Any]:
        fresh = [row for row in rows if self._row_id(row) > self._as_int(self.last_id)]
        if fresh:
            self.last_id = self._row_id(fresh[-1])
        return fresh

    def _row_id(self, row: Any) -> int:
        if not isinstance(row, Mapping) or self.id_field not in row:
            raise ProtocolError(f"list row without {self.id_field}", method=self.method)
        return self._as_int(row[self.id_field])

    @staticmethod
    def _as_int(value: Any) -> int:
        try:
            return int(value)
        except (TypeError, ValueError):
            return 0


def _value(result: CommandResult) -> Any:
    if result.error is not None:
        raise result.error
    return result.value
