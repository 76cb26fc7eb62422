"""Lookups that run on (nearly) every request, composed once instead of by the ORM each time.

For a one-row lookup by a key, building the query with the ORM (``select_related``, a few dozen
columns) costs more than running it. ``ComposedLookup`` writes the statement once per database
vendor from the models' own metadata — every concrete column of the model and of the rows it points
to, so nothing is deferred and a later access never costs a hidden query — and turns the row into
model instances through ``from_db`` with the fields' database converters, as the ORM would.
``execute_prepared`` additionally has PostgreSQL plan a statement once per connection.

Used by the public link page (``invitations.selectors.invitation_by_token``) and by the signed-in
person behind every page (``staff.selectors.user_person``). Each is tested against the ORM's answer.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection

# The base table is aliased ``t0``; the joined ones ``t1``, ``t2``… in the order given.
BASE = "t0"


def column(quote: Callable[[str], str], model, name: str) -> str:
    """The quoted column of a model's field, for statements written from the models' metadata."""
    return quote(model._meta.get_field(name).column)


@dataclass(frozen=True)
class Extra:
    """One more column, set as an attribute of the base instance (like an annotation).

    ``sql`` receives the quoting function and returns an expression over ``t0`` with ``%s``
    placeholders for ``params``.
    """

    name: str
    sql: Callable[[Callable[[str], str]], str]
    params: tuple = ()
    convert: Callable = staticmethod(
        lambda value: value
    )  # e.g. ``bool``: SQLite answers EXISTS with 0/1


@dataclass(frozen=True)
class _Plan:
    sql: str
    slices: tuple[slice, ...]  # the base model's columns, then each joined model's
    converters: tuple  # (column index, column expression, [converter, ...]) where a field needs one
    extra_params: tuple


class ComposedLookup:
    """``SELECT`` one ``model`` row with the rows of its to-one ``joins`` (``(field name, required)``:
    an inner join when required, else a left join) under a fixed ``where`` (SQL over ``t0``, with
    ``%s`` for the call's parameters), plus ``extras``; ``prepared`` names it as a prepared statement
    on PostgreSQL."""

    def __init__(
        self,
        model,
        *,
        where: Callable[[Callable[[str], str]], str],
        joins=(),
        extras=(),
        prepared: str = "",
    ):
        self.model, self.where, self.joins, self.extras, self.prepared = (
            model,
            where,
            tuple(joins),
            tuple(extras),
            prepared,
        )
        self._plans: dict[str, _Plan] = {}

    def get(self, *params):
        """The instance (its joined rows and extras filled in), or None when no row matches."""
        plan = self._plan(connection)
        with connection.cursor() as cursor:
            query_params = [*plan.extra_params, *params]
            if self.prepared:
                execute_prepared(cursor, self.prepared, plan.sql, query_params)
            else:
                cursor.execute(plan.sql, query_params)
            row = cursor.fetchone()
        if row is None:
            return None
        row = list(row)
        for index, expression, converters in plan.converters:
            for converter in converters:
                row[index] = converter(row[index], expression, connection)
        instance = self.model.from_db(connection.alias, None, row[plan.slices[0]])
        for (name, _required), part in zip(self.joins, plan.slices[1:]):
            related_model = self.model._meta.get_field(name).related_model
            values = row[part]
            related = None
            if (
                values[related_model._meta.concrete_fields.index(related_model._meta.pk)]
                is not None
            ):
                related = related_model.from_db(connection.alias, None, values)
            instance._state.fields_cache[name] = related
        for extra, value in zip(self.extras, row[plan.slices[-1].stop :]):
            setattr(instance, extra.name, extra.convert(value))
        return instance

    def _plan(self, conn) -> _Plan:
        plan = self._plans.get(conn.vendor)
        if plan is not None:
            return plan
        quote = conn.ops.quote_name
        models = [self.model] + [
            self.model._meta.get_field(name).related_model for name, _required in self.joins
        ]
        columns, converters, slices = [], [], []
        for alias, model in zip((f"t{n}" for n in itertools.count()), models):
            start = len(columns)
            for field in model._meta.concrete_fields:
                columns.append(f"{alias}.{quote(field.column)}")
                found = conn.ops.get_db_converters(field.cached_col) + field.get_db_converters(conn)
                if found:
                    converters.append((len(columns) - 1, field.cached_col, found))
            slices.append(slice(start, len(columns)))
        columns += [f"({extra.sql(quote)}) AS {quote(extra.name)}" for extra in self.extras]
        joins = []
        for number, ((name, required), model) in enumerate(zip(self.joins, models[1:]), start=1):
            field = self.model._meta.get_field(name)
            kind = "INNER JOIN" if required else "LEFT OUTER JOIN"
            joins.append(
                f"{kind} {quote(model._meta.db_table)} t{number} "
                f"ON t{number}.{quote(field.target_field.column)} = {BASE}.{quote(field.column)}"
            )
        sql = (
            f"SELECT {', '.join(columns)} FROM {quote(self.model._meta.db_table)} {BASE} "
            f"{' '.join(joins)} WHERE {self.where(quote)}"
        )
        plan = _Plan(
            sql,
            tuple(slices),
            tuple(converters),
            tuple(param for extra in self.extras for param in extra.params),
        )
        self._plans[conn.vendor] = plan
        return plan


def execute_prepared(cursor, name: str, sql: str, params: list | dict) -> None:
    """Run ``sql`` as a server-side prepared statement on PostgreSQL: parsed and planned once per
    database connection instead of on every request (the planning cost more than the execution).

    ``sql`` takes ``%s`` or ``%(name)s`` placeholders, as ``cursor.execute`` does. The first call on
    a connection sends ``PREPARE`` on its own — and only once it has succeeded is the statement known
    to exist (``PREPARE`` is not transactional: a later rollback or error does not undo it); a new
    connection prepares anew. Elsewhere (SQLite) and behind a transaction pooler — flagged in Django
    by ``DISABLE_SERVER_SIDE_CURSORS``, where a session's statements do not follow the client — the
    statement simply runs as it is.
    """
    conn = cursor.db
    if conn.vendor != "postgresql" or conn.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS"):
        cursor.execute(sql, params)
        return
    raw = conn.connection
    known = getattr(conn, "_portal_prepared", None)
    if known is None or known[0] is not raw:
        known = conn._portal_prepared = (raw, set())
    statement, names = _as_prepared(sql)
    if name not in known[1]:
        cursor.execute(f"PREPARE {name} AS {statement}")
        known[1].add(name)
    if names:
        params = [params[key] for key in names]
    cursor.execute(
        f"EXECUTE {name}({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}",
        params,
    )


_prepared_forms: dict[str, tuple[str, tuple[str, ...]]] = {}
_PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?s")


def _as_prepared(sql: str) -> tuple[str, tuple[str, ...]]:
    """``sql`` with its ``%s`` / ``%(name)s`` placeholders as ``$1, $2…`` (no literal ``%`` in it),
    and the names in the order of their numbers (empty for ``%s``)."""
    found = _prepared_forms.get(sql)
    if found is None:
        names: list[str] = []
        positions = itertools.count(1)

        def number(match) -> str:
            name = match.group(1)
            if name is None:
                return f"${next(positions)}"
            if name not in names:
                names.append(name)
            return f"${names.index(name) + 1}"

        found = _prepared_forms[sql] = (_PLACEHOLDER.sub(number, sql), tuple(names))
    return found
