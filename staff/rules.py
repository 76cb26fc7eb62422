"""Who sees and does what with schools, classes and people (registered in ``staff.access``).

Not ``staff/access.py`` like the other apps' rules: that module is the registry itself, below
``staff.selectors`` (whose lists narrow through it), while these rules read the user's school from
those selectors. ``school_scoped`` is the common rule, shared by the apps above.
"""

from __future__ import annotations

from django.db.models import Model, QuerySet

from .access import rule, visibility
from .models import (
    Absence,
    Inspector,
    Movement,
    Municipality,
    Person,
    School,
    SchoolClass,
    SchoolClassGroupObjectPermission,
    SchoolClassUserObjectPermission,
    StatusConfirmation,
    TrainingRecord,
    YearTurnover,
)
from .selectors import (
    filter_by_permission,
    inspected,
    inspected_municipality_id,
    inspects_school,
    user_school,
    user_sees_all_schools,
)


def school_scoped(*models: type[Model], school_field: str = "school") -> None:
    """Register the usual rule for each model: ``filter_by_permission`` with ``view_<model>`` —
    every school for the inspector, the user's school for a role's global right, else the rows
    granted one by one. ``school_field``: how the model reaches its school."""
    for model in models:
        visibility(model)(_by_view_permission(f"view_{model._meta.model_name}", school_field))


def _by_view_permission(codename: str, school_field: str):
    def narrow(user, queryset: QuerySet) -> QuerySet:
        return filter_by_permission(
            queryset=queryset, user=user, codename=codename, school_field=school_field
        )

    return narrow


def own_school(user, school_id: int) -> bool:
    """Is ``school_id`` the user's own school (no query: the person is cached for the request)."""
    school = user_school(user)
    return school is not None and school.pk == school_id


school_scoped(SchoolClass, Person, Movement, TrainingRecord)
school_scoped(Absence, StatusConfirmation, school_field="person__school")
school_scoped(
    SchoolClassUserObjectPermission,
    SchoolClassGroupObjectPermission,
    school_field="content_object__school",
)


# --- Schools ------------------------------------------------------------------------------------


@visibility(School)
def _schools(user, queryset: QuerySet[School]) -> QuerySet[School]:
    """Every school for the inspector, else one's own (no right needed to see where one works)."""
    if user_sees_all_schools(user):
        return inspected(user, queryset, school_field="")
    school = user_school(user)
    return queryset.filter(pk=school.pk) if school else queryset.none()


@rule(School, "view")
def _view_school(user, school: School) -> bool:
    """The rule above (without a query but for a municipal inspector: the kept board asks it
    before it reads the cache)."""
    return own_school(user, school.pk) or inspects_school(user, school.pk)


@rule(School, "view_all")
def _view_all_schools(user, _model) -> bool:
    """The inspector (and superusers): every school they read (their municipality's, or the
    region's), read-only."""
    return user_sees_all_schools(user)


@rule(School, "add")
def _add_school(user, _model) -> bool:
    """The municipal department adds its schools (and their directors): an inspector with a
    ``staff.Inspector`` record, or a superuser."""
    return user.is_superuser or (
        user_sees_all_schools(user) and Inspector.objects.filter(user=user).exists()
    )


@rule(School, "turn_over_year")
def _turn_over_year(user, school: School) -> bool:
    """«Новый учебный год»: the school's coordinator (who may change the school's settings)."""
    return own_school(user, school.pk) and user.has_perm("staff.change_school")


# The school's staff screens: who may change what there (the role's global right, own school only).
_SCHOOL_ACTIONS = {
    "change_people": "staff.change_person",
    "change_classes": "staff.change_schoolclass",
    "add_absence": "staff.add_absence",
    "change_absences": "staff.change_absence",
    "confirm_statuses": "staff.add_statusconfirmation",
}


def _school_action(perm: str):
    def check(user, school: School) -> bool:
        return own_school(user, school.pk) and user.has_perm(perm)

    return check


for _action, _perm in _SCHOOL_ACTIONS.items():
    rule(School, _action)(_school_action(_perm))


# --- The lists of the staff screens: who opens them at all (the rows are ``visible_to``'s) --------


def _list_rule(model: type[Model]):
    perm = f"{model._meta.app_label}.view_{model._meta.model_name}"

    def check(user, _model) -> bool:
        return user.has_perm(perm) or user.has_perm("staff.view_all_schools")

    return check


for _listed in (Person, Movement, Absence, StatusConfirmation, TrainingRecord):
    rule(_listed, "list")(_list_rule(_listed))


# --- Classes and people ---------------------------------------------------------------------------


@rule(SchoolClass, "lead")
def _lead_class(user, school_class: SchoolClass) -> bool:
    """Manage the class's chats and links: the school's operator rights, or its class teacher."""
    if own_school(user, school_class.school_id) and user.has_perm("staff.change_schoolclass"):
        return True
    return user.has_perm("staff.lead_schoolclass", school_class)


@rule(Person, "see_contacts")
def _see_contacts(user, _model) -> bool:
    """Phones and e-mails (152-FZ): the coordinator and the operator only."""
    return user.has_perm("staff.change_person")


# --- Municipalities, their inspectors, the academic year's turnovers ----------------------------


@visibility(Municipality)
def _municipalities(user, queryset: QuerySet[Municipality]) -> QuerySet[Municipality]:
    """An inspector's (one, or every one for the region); else the user's school's."""
    if user_sees_all_schools(user):
        municipality_id = inspected_municipality_id(user)
        return queryset if municipality_id is None else queryset.filter(pk=municipality_id)
    school = user_school(user)
    return queryset.filter(pk=school.municipality_id) if school else queryset.none()


@visibility(Inspector)
def _inspectors(user, queryset: QuerySet[Inspector]) -> QuerySet[Inspector]:
    """Who reads which municipality: the superuser's business (and one's own record)."""
    return queryset if user.is_superuser else queryset.filter(user=user)


school_scoped(YearTurnover)
