"""Statements that a hot path runs on every request, planned by PostgreSQL once per connection.

Django binds parameters on the client and never prepares a statement (so that connection
poolers in transaction mode keep working). The statements of the vote are long (the voter's
situation, the cast itself): PostgreSQL spent more time planning each of them than running it.
`prepared_cursor()` is a cursor of the same connection, wrapped as Django wraps its own (the
query log, execute wrappers, database errors translated), whose statements are bound on the
server and prepared on their first execution; the next executions on that connection skip
parsing and planning.

Only for statements whose text is constant, the values passed as parameters (the number of
prepared statements a connection keeps is bounded by psycopg, 100 by default). A pooler in
transaction mode between Django and PostgreSQL would break prepared statements: the README's
"Production" section says to connect directly or through a pooler in session mode.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import connection
from django.db.backends.postgresql import base as postgresql
from django.db.backends.utils import CursorWrapper

_ServerBindingCursor: Any = postgresql.ServerBindingCursor  # psycopg's Cursor, Django's mixin


class _PreparingCursor(_ServerBindingCursor):  # type: ignore[misc]
    """psycopg's server-binding cursor, asked to prepare every statement it runs."""

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        kwargs["prepare"] = True
        return super().execute(query, params, **kwargs)


def prepared_cursor() -> CursorWrapper:
    """A Django cursor (use it as a context manager) whose statements are prepared."""
    cursor = connection.cursor()  # the connection checked and opened as for any query
    cursor.cursor.close()
    cursor.cursor = _PreparingCursor(connection.connection)
    return cursor


def compact_sql(sql: str) -> str:
    """The statement without its comments and runs of blanks: a shorter text, parsed once.

    psycopg converts a statement's placeholders on every execution unless its text is at most
    4,096 bytes (then the conversion is cached), so a long statement of a hot path is kept
    under that size. For statements written in this project only: a "--" or a run of blanks
    inside a string literal would be changed too (they have none).
    """
    without_comments = re.sub(r"--[^\n]*", "", sql)
    return re.sub(r"\s+", " ", without_comments).strip()
