"""What may this user see, and what may they do: one registry, asked the same way everywhere.

Two questions, each with one entry point, used alike by the HTML views, the API, the admin and the
board (STYLE.md: one selector that narrows a queryset and one ``user_can()`` for a single object):

- ``visible_to(user, queryset)`` narrows ``queryset`` to the rows the user may see, in the query
  itself (DESIGN.md §3: no per-row checks, no N+1), by the rule registered for ``queryset.model``
  with ``@visibility(Model)``. Every list selector narrows through it.
- ``user_can(user, action, obj)`` answers for one object by the rule registered for
  ``(type(obj), action)`` with ``@rule(Model, action)``. ``obj`` may also be the model class
  itself, for actions on the model as a whole («may open the list of links at all»: ``"list"``).
  "view" on an instance needs no rule of its own: it is whether ``visible_to`` keeps that row.

Each app declares the rules of its models in its own ``access.py`` (staff's in ``staff/rules.py``,
since this module sits below ``staff.selectors``), imported in its ``AppConfig.ready()``. A rule
lives next to the models it is about and may use what the app's layer may import; the views, the
API, the admin and the board only ask.

Anonymous and inactive users see nothing and may do nothing; that is checked here, once, so the
rules never repeat it. Asking about a model or an action nobody registered is a programming error
and raises ``LookupError`` — never a silent «no» that a typo in an action name would turn into.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)
Narrow = Callable[[Any, QuerySet], QuerySet]
Check = Callable[[Any, Any], bool]
F = TypeVar("F", bound=Callable)

_visibility: dict[type[Model], Narrow] = {}
_rules: dict[tuple[type[Model], str], Check] = {}


def visibility(model: type[Model]) -> Callable[[F], F]:
    """Register ``func(user, queryset) -> queryset`` as what of ``model`` a signed-in user sees."""

    def register(func: F) -> F:
        if model in _visibility:
            raise ValueError(f"{model._meta.label} has a visibility rule already")
        _visibility[model] = func
        return func

    return register


def rule(model: type[Model], action: str) -> Callable[[F], F]:
    """Register ``func(user, obj) -> bool`` as whether a signed-in user may ``action`` ``obj``."""

    def register(func: F) -> F:
        if (model, action) in _rules:
            raise ValueError(f"{model._meta.label} has a rule for {action!r} already")
        _rules[(model, action)] = func
        return func

    return register


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def visible_to(user, queryset: QuerySet[M]) -> QuerySet[M]:
    """``queryset`` narrowed to the rows ``user`` may see (still lazy: nothing is read here)."""
    narrow = _visibility.get(queryset.model)
    if narrow is None:
        raise LookupError(f"No visibility rule for {queryset.model._meta.label}")
    if not _signed_in(user):
        return queryset.none()
    return narrow(user, queryset)


def user_can(user, action: str, obj: Model | type[Model]) -> bool:
    """May ``user`` do ``action`` to ``obj`` (an instance, or a model class for the whole model)."""
    model = obj if isinstance(obj, type) else type(obj)
    check = _rules.get((model, action))
    if check is not None:
        return _signed_in(user) and bool(check(user, obj))
    if action != "view" or isinstance(obj, type) or model not in _visibility:
        raise LookupError(f"No rule for {action!r} on {model._meta.label}")
    return _signed_in(user) and _visible(user, obj)


def _visible(user, obj: Model) -> bool:
    return visible_to(user, type(obj)._default_manager.filter(pk=obj.pk)).exists()
