"""Many rows in one bound parameter: ``INSERT … SELECT`` from a JSON document of the rows.

A burst of event deliveries is written as one statement per table. Bound row by row
(``executemany``), SQLAlchemy builds and type-processes every row's parameters, which cost
more CPU than the database's own work; bound as one JSON document, the statement has a
single parameter and the database reads the rows itself — ``json_to_recordset`` on
PostgreSQL, ``json_each`` on SQLite. Values are rendered as the column types store them:
timestamps through the dialect's own bind processor on SQLite, as ISO 8601 with their
offset on PostgreSQL; JSON columns as nested documents.
"""

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, String, Table, bindparam, cast, column, func, select, true
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import Select

ROWS = "rows"


def rows_source(dialect: Dialect, table: Table, names: Sequence[str]) -> Select[Any]:
    """``SELECT <names> FROM <the :rows document>``, typed as ``table``'s columns."""
    if dialect.name == "postgresql":
        document = cast(bindparam(ROWS, type_=String), JSON)
        record = (
            func.json_to_recordset(document)
            .table_valued(*(column(name, table.c[name].type) for name in names))
            .render_derived(name="row_document", with_types=True)
        )
        return select(*(record.c[name] for name in names))
    each = func.json_each(bindparam(ROWS, type_=String)).table_valued("value")
    columns = (func.json_extract(each.c.value, f"$.{name}").label(name) for name in names)
    # WHERE true: SQLite would read a following ON CONFLICT as the FROM clause's join
    return select(*columns).select_from(each).where(true())


def render_rows(dialect: Dialect, table: Table, rows: Sequence[dict[str, Any]]) -> str:
    """The ``:rows`` document for ``rows_source``."""
    if not rows:
        return "[]"
    renderers = {name: _renderer(dialect, table.c[name].type) for name in rows[0]}
    rendered = [{name: renderers[name](value) for name, value in row.items()} for row in rows]
    return json.dumps(rendered, ensure_ascii=False, separators=(",", ":"))


def _renderer(dialect: Dialect, column_type: Any) -> Callable[[Any], Any]:
    """Timestamps rendered as the dialect stores them; JSON stays nested, the rest as is."""
    if isinstance(column_type, DateTime):
        return _timestamp_renderer(dialect, column_type)
    return _as_is


def _timestamp_renderer(dialect: Dialect, column_type: DateTime) -> Callable[[Any], Any]:
    impl = column_type.dialect_impl(dialect)
    process = impl.bind_processor(dialect) if dialect.name == "sqlite" else None
    rendered: dict[datetime, Any] = {}  # a burst shares a few instants: render each once

    def render(value: datetime | None) -> Any:
        if value is None:
            return None
        if value not in rendered:
            rendered[value] = process(value) if process is not None else value.isoformat()
        return rendered[value]

    return render


def _as_is(value: Any) -> Any:
    return value
