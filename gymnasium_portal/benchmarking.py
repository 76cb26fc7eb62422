"""Shared by the benchmark commands (``make bench``): a scratch PostgreSQL database of their own."""

from contextlib import contextmanager

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection


@contextmanager
def scratch_database(suffix: str, *, keep: bool = False):
    """Point the default connection at a fresh, migrated ``<name>_<suffix>`` database; drop it after.

    Benchmarks never touch real data: like Django's test runner, this creates the database anew
    (dropping a leftover one), migrates it, and on exit drops it and points the connection back —
    unless ``keep``, which leaves it for a look afterwards. Yields the scratch database's name.
    """
    if connection.vendor != "postgresql":
        raise CommandError("Benchmarks run on PostgreSQL only (set DATABASE_URL=postgres://…).")
    original = connection.settings_dict["NAME"]
    scratch = f"{original}_{suffix}"
    connection.settings_dict.setdefault("TEST", {})["NAME"] = scratch
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield scratch
    finally:
        if keep:
            connection.close()
            settings.DATABASES["default"]["NAME"] = original
            connection.settings_dict["NAME"] = original
        else:
            connection.creation.destroy_test_db(original, verbosity=0)
