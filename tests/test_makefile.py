"""`make run` installs what running needs; the dev extra (pytest, linters, browsers) is for
`make test`, `make lint` and `make bench`. Read from `make -n` against a venv that does not
exist yet, as on a clean machine: nothing is run."""

import shutil
import subprocess
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def planned(target: str, tmp_path) -> str:
    result = subprocess.run(
        ["make", "-n", target, f"VENV={tmp_path / 'venv'}"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_run_installs_the_project_without_the_dev_extra(tmp_path):
    plan = planned("run", tmp_path)

    assert "pip install --quiet -e .\n" in plan
    assert "[dev]" not in plan
    assert "run_portal" in plan


@pytest.mark.parametrize("target", ["test", "lint"])
def test_the_tests_and_linters_install_the_dev_extra(tmp_path, target):
    assert 'pip install --quiet -e ".[dev]"' in planned(target, tmp_path)
