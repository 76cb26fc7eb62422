"""Numbers taken from the query string or the form data: an id, a page, a grade.

``str.isdigit()`` is not enough before ``int()``: it accepts «²» and other digits ``int()``
refuses, and a string of more than 4,300 digits makes ``int()`` raise ``ValueError`` (Python's
guard against quadratic conversion) — both answered 500 (tests/test_fuzz_pages.py).
"""

from __future__ import annotations

MAX_ID = 2**63 - 1  # a bigint primary key
_MAX_DIGITS = len(str(MAX_ID))


def parse_id(value: str | None, *, low: int = 0, high: int = MAX_ID) -> int | None:
    """``value`` as a non-negative integer within [low, high], else None."""
    value = (value or "").strip()
    if not value or len(value) > _MAX_DIGITS or not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if low <= number <= high else None
