"""How the portal compares what people type: names in a file, names on a link's form."""

from __future__ import annotations


def fold(value: str) -> str:
    """``value`` without case, «ё»/«е» or doubled spacing (any whitespace, the non-breaking space
    included, is one space; trimmed): «Ёлкина  Вера» and «елкина вера» fold alike."""
    return " ".join(value.casefold().replace("ё", "е").split())
