"""Reads: the user's person, school and classes, and the staff lists (narrowed by ``staff.access``).

A user sees rows of a model in three ways, decided once per request and applied in the query:
- the inspector (``staff.view_all_schools``) and superusers see every school;
- a global permission from a role group (``staff.view_schoolclass`` for an operator) covers every
  row of the user's own school, never another school's;
- otherwise only the rows on which the user holds a direct object permission (guardian).
"""

from __future__ import annotations

import datetime
from typing import Any, cast

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import BigIntegerField, Exists, Model, OuterRef, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone
from guardian.utils import get_user_obj_perms_model

from .access import visible_to
from .models import Absence, Inspector, Movement, Person, School, SchoolClass, TrainingRecord

_PERSON_CACHE = "_portal_person"


def user_person(user) -> Person | None:
    """The user's active staff record (school loaded), cached on the user object for the request.

    Every signed-in page asks, in one query; it also says whether the user leads a class
    (``leads_class``: the navigation's «Мой класс»), by the rule of ``led_class_ids``.
    """
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, _PERSON_CACHE):
        person = (
            Person.objects.select_related("school")
            .annotate(leads_class=Exists(led_class_ids(user=user)))
            .filter(user=user, is_active=True)
            .first()
        )
        setattr(user, _PERSON_CACHE, person)
    return getattr(user, _PERSON_CACHE)


def user_school(user) -> School | None:
    person = user_person(user)
    return person.school if person else None


def user_sees_all_schools(user) -> bool:
    """An education department's reader (or a superuser): many schools, read-only. Which ones is
    ``inspected_municipality_id``'s: one municipality, or every one."""
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_superuser or user.has_perm("staff.view_all_schools")
    )


_INSPECTOR_CACHE = "_portal_inspector_municipality"


def inspected_municipality_id(user) -> int | None:
    """The one municipality a municipal inspector reads; None for a regional inspector (an
    ``Inspector`` without a municipality, or none at all) and superusers. One query per request."""
    if user.is_superuser:
        return None
    if not hasattr(user, _INSPECTOR_CACHE):
        scope = Inspector.objects.filter(user=user).values_list("municipality_id", flat=True)
        setattr(user, _INSPECTOR_CACHE, next(iter(scope), None))
    return getattr(user, _INSPECTOR_CACHE)


def inspected(user, queryset: QuerySet, *, school_field: str = "school") -> QuerySet:
    """``queryset`` of an inspector narrowed to the schools they read (``school_field``: how the
    model reaches its school; ``""`` for schools themselves)."""
    municipality_id = inspected_municipality_id(user)
    if municipality_id is None:
        return queryset
    lookup = f"{school_field}__municipality_id" if school_field else "municipality_id"
    return queryset.filter(**{lookup: municipality_id})


def inspects_school(user, school_id: int) -> bool:
    """Does this inspector read that school (no query for a regional one)?"""
    if not user_sees_all_schools(user):
        return False
    municipality_id = inspected_municipality_id(user)
    return (
        municipality_id is None
        or School.objects.filter(pk=school_id, municipality_id=municipality_id).exists()
    )


def school_list(*, user) -> QuerySet[School]:
    return visible_to(user, School.objects.all())


def object_permission_ids(*, user, model: type[Model], codename: str) -> QuerySet:
    """Ids of ``model`` rows on which the user holds ``codename`` directly (a subquery, not a
    list)."""
    # guardian takes a model class as well as an instance (it looks at the class either way), though
    # its hint says instance. Which table comes back depends on the model: guardian's generic one
    # (content_type, object_pk) or the model's direct one (content_object), hence Any.
    perm_model: Any = get_user_obj_perms_model(cast(Model, model))
    rows = perm_model.objects.filter(
        user=user,
        permission__codename=codename,
        permission__content_type__app_label=model._meta.app_label,
    )
    if perm_model.objects.is_generic():
        # Models without a direct permission table share guardian's generic one: text object_pk.
        content_type = ContentType.objects.get_for_model(model)
        return rows.filter(content_type=content_type).values(
            object_id=Cast("object_pk", output_field=BigIntegerField())
        )
    return rows.values("content_object_id")


def filter_by_permission(
    *, queryset: QuerySet, user, codename: str, school_field: str = "school"
) -> QuerySet:
    """Narrow ``queryset`` to the rows the user may ``codename`` (see the module docstring).

    The building block of most visibility rules (``staff/rules.py`` and the apps' ``access.py``);
    everything else asks ``staff.access.visible_to``.
    """
    if (
        user is None
        or isinstance(user, AnonymousUser)
        or not user.is_authenticated
        or not user.is_active
    ):
        return queryset.none()
    model = queryset.model
    if codename.startswith("view_") and user_sees_all_schools(user):
        return inspected(user, queryset, school_field=school_field)
    if user.has_perm(f"{model._meta.app_label}.{codename}"):
        school = user_school(user)
        if school is None:
            return queryset.none()
        return queryset.filter(**{f"{school_field}_id": school.pk})
    return queryset.filter(pk__in=object_permission_ids(user=user, model=model, codename=codename))


def schoolclass_list(*, user, include_archived: bool = False) -> QuerySet[SchoolClass]:
    queryset = SchoolClass.objects.select_related("school", "class_teacher")
    if not include_archived:
        queryset = queryset.filter(status=SchoolClass.Status.ACTIVE)
    return visible_to(user, queryset)


def led_class_ids(*, user) -> QuerySet:
    """Ids of the classes the user leads as class teacher (object permission
    ``lead_schoolclass``)."""
    return object_permission_ids(user=user, model=SchoolClass, codename="lead_schoolclass")


# --- Lists of the staff screens (people, absences, movement, training, platform statuses) ---------


def person_list(*, user, include_left: bool = False) -> QuerySet[Person]:
    """Staff of the schools the user may see, with their platform status and whether they are away
    today."""
    today: datetime.date = timezone.localdate()
    queryset = Person.objects.select_related("school", "status_confirmation").annotate(
        absent_today=Exists(
            Absence.objects.filter(person=OuterRef("pk"), starts_on__lte=today, ends_on__gte=today)
        ),
        trained=Exists(TrainingRecord.objects.filter(person=OuterRef("pk"))),
    )
    if not include_left:
        queryset = queryset.filter(is_active=True)
    return visible_to(user, queryset)


def absence_list(*, user) -> QuerySet:
    return visible_to(user, Absence.objects.select_related("person"))


def movement_list(*, user) -> QuerySet:
    return visible_to(
        user,
        Movement.objects.select_related(
            "school_class", "person", "previous_person", "recorded_by__person"
        ),
    )
