"""Bulk writing of the scale data: PostgreSQL's COPY where available, else ``bulk_create``."""

from __future__ import annotations

import datetime
import io

from django.db import connection

BATCH = 5000


def insert_rows(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert many rows: PostgreSQL's COPY where available (the bulk of the time), else
    bulk_create."""
    if not copy_supported():
        model.objects.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=BATCH
        )
        return
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(copy_text(value) for value in row))
        buffer.write("\n")
    buffer.seek(0)
    quoted = ", ".join(
        connection.ops.quote_name(model._meta.get_field(name).column) for name in columns
    )
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({quoted}) FROM STDIN", buffer)


def copy_supported() -> bool:
    """COPY FROM STDIN through psycopg2 (the driver the project uses on PostgreSQL)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        return hasattr(cursor.cursor, "copy_expert")


def copy_text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
