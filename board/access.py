"""Who opens the order board (registered in ``staff.access``)."""

from __future__ import annotations

from staff.access import rule, user_can
from staff.models import School
from staff.selectors import user_sees_all_schools


@rule(School, "view_board")
def _view_board(user, school) -> bool:
    """Director, coordinator and operator (their school's board), the inspector (every school).

    Given the model, whether the user has a board at all; given a school, that school's board.
    """
    if not (user_sees_all_schools(user) or user.has_perm("orders.view_orderpoint")):
        return False
    return isinstance(school, type) or user_can(user, "view", school)
