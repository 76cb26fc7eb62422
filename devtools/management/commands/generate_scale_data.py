"""``manage.py generate_scale_data --schools 40``: a municipality's worth of data (DESIGN.md §8).

The generation itself is ``devtools.scale``; the figures printed at the end are the benchmark.
"""

from __future__ import annotations

import random
import time

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from devtools.scale import ScaleGenerator
from staff.models import School
from staff.services import municipality_named


class Command(BaseCommand):
    help = (
        "Generate N schools of scale data: 33 classes, ~100 staff, ~3,000 invitation links in "
        "every status, chats covering ~90%% of the requirements, the default chat requirements, an "
        "order with the points of No. 883, join requests (no findings). Accounts are made for the "
        "director, coordinator, engineer and the 33 class teachers of each school; their object "
        "permissions are bulk-written to the direct permission tables (what class_teacher_assign / "
        "chat_owner_assign would grant) instead of going through the services row by row. Run "
        "again with another --prefix to add more schools."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schools", type=int, default=40, help="number of schools (default 40)"
        )
        parser.add_argument(
            "--prefix", default="scale", help="marks the schools and usernames of this run"
        )
        parser.add_argument("--municipality", default="МО ГО «Сыктывкар»")
        parser.add_argument(
            "--municipalities",
            type=int,
            default=1,
            help="deal the schools out to this many municipalities (a region has ~20); with more "
            "than one, the first is --municipality and the others are named by number",
        )
        parser.add_argument("--staff", type=int, default=100, help="staff per school (at least 40)")
        parser.add_argument(
            "--invitations", type=int, default=3000, help="invitation links per school"
        )
        parser.add_argument(
            "--password",
            default=None,
            help="password of the generated accounts (default: none usable)",
        )
        parser.add_argument("--seed", type=int, default=935, help="random seed")

    def handle(
        self,
        *args,
        schools,
        prefix,
        municipality,
        municipalities,
        staff,
        invitations,
        password,
        seed,
        **options,
    ):
        if schools < 1:
            raise CommandError("--schools must be at least 1")
        if municipalities < 1:
            raise CommandError("--municipalities must be at least 1")
        if staff < 40:
            raise CommandError(
                "--staff must be at least 40 (33 class teachers and the administration)"
            )
        if School.objects.filter(short_name__endswith=f"[{prefix}]").exists():
            raise CommandError(
                f"Schools with the prefix {prefix!r} exist already: choose another --prefix"
            )
        started = time.perf_counter()
        generator = ScaleGenerator(
            prefix=prefix,
            municipalities=[municipality_named(municipality)]
            + [
                municipality_named(f"Муниципальный район № {number} [{prefix}]")
                for number in range(2, municipalities + 1)
            ],
            staff=staff,
            invitations=invitations,
            password_hash=make_password(password),
            rng=random.Random(seed),
            out=self.stdout,
        )
        with transaction.atomic():
            created = generator.run(schools)
        elapsed = time.perf_counter() - started
        self.stdout.write(", ".join(f"{label}: {count}" for label, count in created.items()))
        self.stdout.write(self.style.SUCCESS(f"{schools} schools generated in {elapsed:.1f} s"))
