"""When the checking jobs last ran, as the board, the drill-down and the inspector's table say it:
no page claims «Открытых замечаний нет» before they have (issue 12, item 1)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from compliance.freshness import jobs_last_success
from gymnasium_portal.jobs import JOB_TABLE
from messenger.client import integration_enabled

# The jobs that open and resolve findings: «проверено N минут назад» is the oldest of their last
# runs. The МАХ sync opens findings only while the integration is on.
_CHECKS = ("expire_invitations", "flag_missing_chats", "check_deadlines")


def checking_jobs() -> tuple[str, ...]:
    return (*_CHECKS, "max_sync") if integration_enabled() else _CHECKS


@dataclass
class Freshness:
    runs: dict[str, datetime.datetime]  # job name → end of its last successful run

    @property
    def checked_at(self) -> datetime.datetime | None:
        """The oldest of the checking jobs' last runs: every finding is at least this fresh."""
        times = [self.runs[name] for name in checking_jobs() if name in self.runs]
        return min(times) if times else None

    @property
    def never_run(self) -> list[str]:
        """The checking jobs that have not succeeded once yet, in words: until they have, no page
        says that there is nothing to fix (issue 12, item 1)."""
        return [
            JOB_TABLE[name].description.split(" (")[0]
            for name in checking_jobs()
            if name not in self.runs
        ]

    @property
    def minutes_ago(self) -> int | None:
        checked_at = self.checked_at
        if checked_at is None:
            return None
        return max(0, int((timezone.now() - checked_at).total_seconds() // 60))


def jobs_freshness() -> Freshness:
    """The end of every job's last successful run, in one grouped query."""
    return Freshness(runs=jobs_last_success())
