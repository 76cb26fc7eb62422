"""Using a link is atomic on SQLite too (the embedded setup of `make run`): twenty threads, each
with its own connection to one database file, use one link at the same instant.

The suite's database is PostgreSQL, so this runs in a subprocess on a fresh SQLite file, as
tests/test_embedded_sqlite.py does: migrate, then the race below in ``manage.py shell``.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

RACE = r"""
import json
import threading

from django.db import connection
from django.test import Client
from django.urls import reverse

from invitations.models import Invitation, JoinRequest, Role
from invitations.services import InvitationNotActive, invitation_use
from tests.factories import InvitationFactory, SchoolClassFactory, SchoolFactory

assert connection.vendor == "sqlite", connection.vendor
school_class = SchoolClassFactory(school=SchoolFactory(), grade=7, letter="В")


def run_at_once(count, work):
    barrier = threading.Barrier(count)
    results = [None] * count

    def runner(n):
        try:
            barrier.wait(timeout=30)
            results[n] = work(n)
        except Exception as error:
            results[n] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def through_the_page(invitation):
    path = reverse("invite", kwargs={"token": invitation.token})

    def work(n):
        data = {"full_name": f"Родитель {n}", "child_name": f"Ребёнок {n}", "consent": "on"}
        return Client().post(path, data).status_code

    return work


def through_the_service(invitation):
    def work(n):
        try:
            invitation_use(invitation_id=invitation.pk, full_name=f"Ученик {n}", child_name="x")
        except InvitationNotActive:
            return "gone"
        return "ok"

    return work


def race(max_uses, make_work):
    invitation = InvitationFactory(school_class=school_class, role=Role.PARENT, max_uses=max_uses)
    results = run_at_once(20, make_work(invitation))
    invitation.refresh_from_db()
    return {
        "results": results,
        "uses": invitation.uses,
        "status": invitation.status,
        "requests": JoinRequest.objects.filter(invitation=invitation).count(),
    }


print("RACE " + json.dumps({
    "page_single": race(1, through_the_page),
    "service_single": race(1, through_the_service),
    "page_five": race(5, through_the_page),
}))
"""


def run_race(tmp_path) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "CELERY_BROKER_URL",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "DJANGO_SETTINGS_MODULE",
        }
    }
    env.update(PORTAL_VAR_DIR=str(tmp_path / "var"), DEBUG="1")
    outputs = []
    for args, stdin in ((["migrate", "--noinput", "-v0"], None), (["shell"], RACE)):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, f"{args}:\n{result.stdout}\n{result.stderr}"
        outputs.append(result.stdout)
    assert (tmp_path / "var" / "portal.sqlite3").exists()
    line = next(line for line in outputs[-1].splitlines() if line.startswith("RACE "))
    return json.loads(line.removeprefix("RACE "))


def test_twenty_at_once_on_sqlite_use_a_single_use_link_exactly_once(tmp_path):
    race = run_race(tmp_path)

    page = race["page_single"]
    assert sorted(page["results"]) == [200] + [410] * 19, page
    assert (page["uses"], page["status"], page["requests"]) == (1, "used", 1)

    service = race["service_single"]
    assert sorted(service["results"]) == ["gone"] * 19 + ["ok"], service
    assert (service["uses"], service["status"], service["requests"]) == (1, "used", 1)

    five = race["page_five"]
    assert five["results"].count(200) == 5 and five["results"].count(410) == 15, five
    assert (five["uses"], five["status"], five["requests"]) == (5, "used", 5)
