"""Small helpers for set-based SQL that the ORM cannot say on its own."""

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import DurationField, F, Func, IntegerField, QuerySet, Subquery


class Days(Func):
    """A span of a whole number of days from an integer expression (a school's setting, say), for
    ``moment - Days("school__…_days")`` on PostgreSQL and on SQLite alike."""

    template = "make_interval(days => %(expressions)s)"
    output_field = DurationField()

    def as_sqlite(self, compiler, connection, **extra_context):
        # Django keeps durations on SQLite as integer microseconds.
        return self.as_sql(
            compiler, connection, template="(%(expressions)s * 86400000000)", **extra_context
        )


def count_subquery(queryset: QuerySet) -> Subquery:
    """A correlated ``SELECT COUNT(*)`` subquery
    (no GROUP BY, so it answers 0 where nothing matches)."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Subquery(counted, output_field=IntegerField())


def insert_from_select(model, columns, queryset) -> int:
    """``INSERT INTO model (columns) <queryset> ON CONFLICT DO NOTHING``; returns the rows inserted.

    ``queryset`` must select exactly ``columns``, in order (a ``values_list``).
    The SELECT is compiled
    by Django for the database in use, so the statement runs on PostgreSQL and on SQLite alike;
    conflicts with any unique constraint (e.g. a partial unique index on open rows) are skipped,
    which makes jobs built on it idempotent and safe on two workers at once.
    """
    alias = router.db_for_write(model)
    connection = connections[alias]
    try:
        select_sql, params = queryset.query.get_compiler(using=alias).as_sql()
    except (
        EmptyResultSet
    ):  # the ORM proved the SELECT empty (e.g. ``pk__in=[]``): nothing to insert
        return 0
    quoted = ", ".join(
        connection.ops.quote_name(model._meta.get_field(name).column) for name in columns
    )
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({quoted}) {select_sql} ON CONFLICT DO NOTHING", params
        )
        return max(cursor.rowcount, 0)
