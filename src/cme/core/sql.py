"""Plain SQL for the few reads that every page makes, where building the query through the ORM
costs more CPU than running it (a page view asks the same handful of small questions).

The values come back as the ORM would give them: each column goes through its field's
converters (SQLite, say, gives dates back as text). Table and column names must come from the
models (`quote`, `table`, `column`), never from input; values are always parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Field, Model

Converters = list[tuple[Any, list[Callable]]]


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def table(model: type[Model]) -> str:
    return quote(model._meta.db_table)


def field(model: type[Model], name: str) -> Field:
    found = model._meta.get_field(name)
    assert isinstance(found, Field)
    return found


def column(model: type[Model], name: str) -> str:
    return quote(str(field(model, name).column))


def converters(fields: Sequence[Field | None], alias: str = "t") -> Converters:
    """For each column, its field's converters (none for a column given as None)."""
    out: Converters = []
    for f in fields:
        if f is None:
            out.append((None, []))
            continue
        col = f.get_col(alias)
        out.append((col, connection.ops.get_db_converters(col) + col.get_db_converters(connection)))
    return out


def convert(values: Sequence[Any], found: Converters) -> list[Any]:
    row = list(values)
    for i, (col, convs) in enumerate(found):
        for conv in convs:
            row[i] = conv(row[i], col, connection)
    return row


def select(sql: str, params: Sequence[Any], fields: Sequence[Field | None]) -> list[list[Any]]:
    """Rows of a SELECT whose columns are `fields`, in order, with the fields' converters."""
    found = converters(fields)
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return [convert(row, found) for row in cursor.fetchall()]


def placeholders(n: int) -> str:
    return ", ".join(["%s"] * n)
