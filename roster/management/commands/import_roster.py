"""``manage.py import_roster FILE --kind staff|classes --school ID|NAME [--apply]``: the same
read, check and apply as the import page, in this process (no worker), for a script."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from roster.imports.services import (
    MAX_FILE_BYTES,
    ImportConflict,
    import_apply,
    import_create,
    import_read,
)
from roster.models import ImportRun
from staff.models import School


class Command(BaseCommand):
    help = "Read and check a spreadsheet of classes or staff; with --apply, write it."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--kind", required=True, choices=ImportRun.Kind.values)
        parser.add_argument("--school", required=True, help="the school's id or short name")
        parser.add_argument("--apply", action="store_true", help="write it if there are no errors")
        parser.add_argument("--user", help="username recorded as the one who imported")

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise CommandError(f"The file is over {MAX_FILE_BYTES // 2**20} MB.")
        value = options["school"]
        schools = School.objects.filter(
            Q(short_name__iexact=value)
            | Q(name__iexact=value)
            | (Q(pk=int(value)) if value.isdigit() else Q(pk__in=[]))
        )
        if schools.count() != 1:
            raise CommandError(f"No single school matches {value!r}.")
        by = None
        if options["user"]:
            by = get_user_model().objects.filter(username=options["user"]).first()
            if by is None:
                raise CommandError(f"No user {options['user']!r}.")
        run = import_create(
            school=schools.get(),
            kind=options["kind"],
            file_name=path.name,
            content=path.read_bytes(),
            by=by,
        )
        run = import_read(run_id=run.pk) or run
        for error in run.errors:
            where = f"Строка {error['row']}, «{error['column']}»: " if error["row"] else ""
            self.stdout.write(f"{where}{error['message']}")
        if run.status == ImportRun.Status.FAILED:
            raise CommandError(f"import {run.pk}: the file could not be read")
        summary = run.summary
        self.stdout.write(
            f"import {run.pk}: rows {run.rows_total}, valid {run.rows_valid}, errors "
            f"{len(run.errors)}; create {summary['create']}, update {summary['update']}, "
            f"unchanged {summary['unchanged']}"
        )
        if not options["apply"]:
            return
        try:
            run = import_apply(run=run, by=by)
        except ImportConflict as conflict:
            raise CommandError(str(conflict)) from None
        summary = run.summary
        self.stdout.write(
            f"applied: created {summary['create']}, updated {summary['update']}, "
            f"unchanged {summary['unchanged']}"
        )
