"""Writes of the compliance platform: keeping a check's open findings equal to what is missing.

Every job that raises findings (missing chats, overdue points, links about to expire unused) says
only *what is missing right now*; ``findings_sync`` turns that into findings, the same way for all:
one INSERT … SELECT for what has no open finding yet, one UPDATE for what is no longer missing.
"""

from __future__ import annotations

import datetime

from django.db.models import CharField, DateTimeField, F, Q, QuerySet, Value
from django.db.models.functions import Greatest

from .models import Finding
from .sql import insert_from_select

# What a subject may say about itself, by the name of the Finding field it fills.
SUBJECT_COLUMNS = ("school", "subject_key", "school_class", "order_point", "chat_kind", "message")
_REQUIRED_COLUMNS = {"school", "subject_key"}


def _subject_columns(subjects: QuerySet) -> tuple[str, ...]:
    names = tuple(subjects.query.values_select) + tuple(subjects.query.annotation_select)
    unknown = set(names) - set(SUBJECT_COLUMNS)
    if not names or unknown or not _REQUIRED_COLUMNS <= set(names):
        raise ValueError(
            "findings_sync needs subjects.values(...) naming school and subject_key and "
            f"optionally {', '.join(sorted(set(SUBJECT_COLUMNS) - _REQUIRED_COLUMNS))}; "
            f"got {', '.join(names) or 'no values()'}"
        )
    return names


def findings_resolved_at(now: datetime.datetime):
    """When a finding is resolved: ``now``, but never before it was opened — a worker whose clock
    lags another's may resolve what that one opened, and ``finding_resolved_after_opened`` would
    reject the whole UPDATE."""
    return Greatest(Value(now, output_field=DateTimeField()), F("opened_at"))


def findings_sync(
    *, check: str, subjects: QuerySet, now: datetime.datetime, due: Q | None = None
) -> tuple[int, int]:
    """Make the open findings of ``check`` those of ``subjects``; return (opened, resolved).

    ``subjects`` is what is missing right now, one row per subject, as a ``values()`` queryset of
    any model whose names are Finding's fields: ``school`` and ``subject_key`` (unique within the
    check, stable from run to run: ``class:12:class_parents``, ``point:7``, ``invitation:40``),
    and any of ``school_class``, ``order_point``, ``chat_kind``, ``message``.

    - A subject with no open finding of ``check`` gets one, opened at ``now`` — when ``due`` is
      given, only the subjects it matches (e.g. classes past their grace period, links whose term
      ends soon); the others keep an open finding open but are not flagged yet.
    - An open finding of ``check`` whose subject is not among ``subjects`` is resolved at
      ``findings_resolved_at(now)``. Other checks' findings are never touched.

    Two statements whatever the number of subjects. Idempotent and safe on two workers at once: the
    partial unique index ``finding_one_open_per_subject`` skips what is already open (ON CONFLICT DO
    NOTHING), and the UPDATE re-checks ``resolved_at IS NULL`` on each row under its lock, so a
    worker that waited for another's resolution does not resolve the same finding again.
    """
    names = _subject_columns(subjects)
    opening = subjects if due is None else subjects.filter(due)
    # The columns the subjects leave out: NULL for the references, "" for the texts (no DB default).
    constants = {
        "check_key": Value(check, output_field=CharField()),
        "opened_at": Value(now, output_field=DateTimeField()),
        **{
            name: Value("", output_field=CharField())
            for name in ("chat_kind", "message")
            if name not in names
        },
    }
    rows = (
        opening.order_by()
        .annotate(**{f"finding_{name}": value for name, value in constants.items()})
        .values_list(*names, *(f"finding_{name}" for name in constants))
    )
    opened = insert_from_select(Finding, (*names, *constants), rows)
    # ``subject_key NOT IN (SELECT …)``: uncorrelated, so PostgreSQL hashes the subjects once
    # whatever its estimates (a correlated NOT EXISTS on the computed key ran as a nested loop:
    # 60 s at 400 schools). Only the finding's own columns, no JOIN: with a JOIN Django writes
    # ``WHERE id IN (SELECT …)``, whose rows are not re-checked against a concurrent resolution.
    # NULL keys are left out of the list, which would otherwise make NOT IN resolve nothing.
    still_missing = subjects.order_by().filter(subject_key__isnull=False).values("subject_key")
    resolved = (
        Finding.objects.filter(check_key=check, resolved_at__isnull=True)
        .exclude(subject_key__in=still_missing)
        .update(resolved_at=findings_resolved_at(now))
    )
    return opened, resolved
