"""The board as served: one copy per school and day, kept for ``BOARD_CACHE_SECONDS``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone

from staff.access import user_can
from staff.models import School
from staff.selectors import school_list

from .freshness import Freshness, jobs_freshness
from .selectors import SchoolBoard, boards_build


@dataclass
class KeptBoard:
    board: SchoolBoard
    freshness: Freshness  # when the checking jobs last ran, as of the computation
    computed_at: datetime.datetime


def _key(school_id: int, today: datetime.date) -> str:
    return f"board:figures:{school_id}:{today.isoformat()}"


def kept_board(
    *, user, school_id: int, today: datetime.date, refresh: bool = False
) -> KeptBoard | None:
    """The school's board as ``user`` may see it (None: not in their scope), from the kept copy
    when there is one and ``refresh`` is not asked for.

    Computing a board is a dozen grouped queries; its figures change at the pace of the school's
    work, not of page views. The copy is kept in the ``board`` cache (Redis when ``CACHE_URL`` is
    set) with when it was computed and how fresh the checking jobs were then: the HTML board and the
    API dashboard serve the same copy; ``refresh`` (the board's «Пересчитать сейчас») computes it
    anew for both readers."""
    seconds = settings.BOARD_CACHE_SECONDS
    # The school's rule without a query (``School(pk=…)``: the rule reads the id only).
    if seconds > 0 and not refresh and user_can(user, "view", School(pk=school_id)):
        kept = caches["board"].get(_key(school_id, today))
        if kept is not None:
            return kept
    boards = boards_build(schools=school_list(user=user).filter(pk=school_id), today=today)
    if not boards:
        return None
    kept = KeptBoard(board=boards[0], freshness=jobs_freshness(), computed_at=timezone.now())
    if seconds > 0:
        caches["board"].set(_key(school_id, today), kept, seconds)
    return kept
