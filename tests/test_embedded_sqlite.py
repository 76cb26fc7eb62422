"""`make run`'s embedded setup: SQLite and the filesystem broker, no server at all.

The suite runs on PostgreSQL, so SQL that only PostgreSQL accepts would pass every other test and
still break the demo: this builds the demo on SQLite in a subprocess, runs every job there and
opens the main pages and APIs as every demo role.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CRAWL = ROOT / "tests" / "support" / "crawl_pages.py"
CHECKS = ROOT / "tests" / "support" / "sqlite_checks.py"


@pytest.fixture
def embedded_env(tmp_path):
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
    return env


def manage(env, *args, stdin: str | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, (
        f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    )
    return result.stdout


def test_demo_jobs_and_pages_work_on_sqlite(embedded_env, tmp_path):
    manage(embedded_env, "migrate", "--noinput", "-v0")
    manage(embedded_env, "createcachetable")
    manage(embedded_env, "seed_demo", "--password", "embedded-demo-1")
    assert (tmp_path / "var" / "portal.sqlite3").exists()

    outputs = {
        job: manage(embedded_env, "run_job", job)
        for job in ("expire_invitations", "flag_missing_chats", "check_deadlines", "snapshot")
    }
    # The seed's known gaps: 5 at the gymnasium, 20 at the two fictional schools of the
    # municipality (one nearly complete, one just starting); a snapshot for each of the three.
    assert "'opened': 25" in outputs["flag_missing_chats"]
    assert "'snapshots': 3" in outputs["snapshot"]

    crawl = manage(embedded_env, "shell", stdin=CRAWL.read_text())
    assert "crawl done, 5xx: 0" in crawl, crawl

    checks = manage(embedded_env, "shell", stdin=CHECKS.read_text())
    assert "sqlite checks ok: 14 checks" in checks, checks  # 14 with the МАХ coverage check
