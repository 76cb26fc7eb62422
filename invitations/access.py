"""Who sees and acts on invitation links and join requests (registered in ``staff.access``).

- the operator and the coordinator (``invitations.add_invitation`` / ``change_joinrequest``): every
  link and request of their own school, and may act on them;
- the director (``invitations.view_invitation`` only): every link and request of the school,
  read-only;
- a class teacher (object permission ``staff.lead_schoolclass``) while they lead an active class of
  their school: the links and requests of the classes they lead, and may issue pupils' and parents'
  links there, annul them and review the requests;
- everybody else, the inspector included, nothing: links and requests are operational data with the
  names of children and parents, while the inspector reads compliance figures (the dashboard).

The scope is decided without a query; a class teacher's «while they lead an active class» is an
EXISTS inside the list's own query, or one query for a yes/no answer. Nothing is cached on the user
object: rights change (a class teacher replaced) while a client object lives on, and the answer
must follow at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.db.models import Exists, QuerySet

from staff.access import rule, visibility
from staff.models import School, SchoolClass
from staff.selectors import led_class_ids, user_school, user_sees_all_schools

from .models import CLASS_ROLES, ConsentText, Invitation, JoinRequest, Role


@dataclass(frozen=True)
class _Scope:
    kind: Literal["all", "school", "classes", "none"] = "none"
    school: School | None = None
    may_issue: bool = False
    may_annul: bool = False
    may_review: bool = False

    @property
    def may_view(self) -> bool:
        return self.kind != "none"


def _scope(user) -> _Scope:
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return _Scope()  # for the form choices; ``staff.access`` refuses such users itself
    if user.is_superuser:
        return _Scope("all", may_issue=True, may_annul=True, may_review=True)
    school = user_school(user)
    if school is None:
        return _Scope()
    if user.has_perm("invitations.view_invitation"):
        return _Scope(
            "school",
            school,
            may_issue=user.has_perm("invitations.add_invitation"),
            may_annul=user.has_perm("invitations.change_invitation"),
            may_review=user.has_perm("invitations.change_joinrequest"),
        )
    return _Scope("classes", school, may_issue=True, may_annul=True, may_review=True)


def _leads_active_class(user, school: School | None) -> QuerySet:
    return led_class_ids(user=user).filter(
        content_object__school=school, content_object__status=SchoolClass.Status.ACTIVE
    )


def _narrow(user, scope: _Scope, queryset: QuerySet, *, classes_field: str) -> QuerySet:
    if scope.kind == "all":
        return queryset
    if scope.kind == "school":
        return queryset.filter(school=scope.school)
    if scope.kind == "classes":
        return queryset.filter(
            Exists(_leads_active_class(user, scope.school)),
            **{f"{classes_field}__in": led_class_ids(user=user)},
        )
    return queryset.none()


@visibility(Invitation)
@visibility(JoinRequest)
def _links_and_requests(user, queryset: QuerySet) -> QuerySet:
    return _narrow(user, _scope(user), queryset, classes_field="school_class")


def _may(user, flag: str, obj) -> bool:
    """The scope's ``flag``, for ``obj`` (a link or request within the scope) or the whole model."""
    scope = _scope(user)
    if not getattr(scope, flag):
        return False
    if scope.kind == "all":
        return True
    if isinstance(obj, type):
        return scope.kind == "school" or _leads_active_class(user, scope.school).exists()
    if scope.kind == "school":
        return scope.school is not None and obj.school_id == scope.school.pk
    rows = type(obj)._default_manager.filter(pk=obj.pk)
    return _narrow(user, scope, rows, classes_field="school_class").exists()


@visibility(ConsentText)
def _consent_texts(user, queryset: QuerySet) -> QuerySet:
    """The school's consent wording: for those who change the school's settings (the coordinator),
    and the inspector."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if user_sees_all_schools(user):
        return queryset
    school = user_school(user)
    if school is None or not user.has_perm("staff.change_school"):
        return queryset.none()
    return queryset.filter(school=school)


@rule(Invitation, "list")
@rule(JoinRequest, "list")
def _list(user, model) -> bool:
    """Open the links and the join requests at all."""
    return _may(user, "may_view", model)


@rule(Invitation, "issue")
def _issue(user, model) -> bool:
    return _may(user, "may_issue", model)


@rule(Invitation, "annul")
def _annul(user, obj) -> bool:
    """Annul this link (or, given the model, links at all: the bulk annulment)."""
    return _may(user, "may_annul", obj)


@rule(Invitation, "reissue")
def _reissue(user, invitation: Invitation) -> bool:
    """A new link in place of this one: issuing and annulling both."""
    return _scope(user).may_issue and _may(user, "may_annul", invitation)


@rule(JoinRequest, "review")
def _review(user, obj) -> bool:
    """Approve or reject this request (or, given the model, requests at all)."""
    return _may(user, "may_review", obj)


# --- What the forms offer ------------------------------------------------------------------------


def link_filter_classes(user) -> QuerySet[SchoolClass]:
    """Classes offered in the list filters (archived ones too: their links stay on record)."""
    return _narrow(user, _scope(user), SchoolClass.objects.all(), classes_field="pk")


@dataclass(frozen=True)
class IssueChoices:
    """What a user who may issue links (``user_can(user, "issue", Invitation)``) may issue."""

    roles: list[str]
    classes: QuerySet[SchoolClass]  # active classes to issue pupils' and parents' links into
    school_wide: bool  # links to the whole school (teachers, staff) too
    school: School | None  # the school of a link without a class


def link_issue_choices(user) -> IssueChoices:
    scope = _scope(user)
    classes = SchoolClass.objects.filter(status=SchoolClass.Status.ACTIVE).select_related("school")
    school_wide = scope.kind in ("all", "school")
    if not scope.may_issue:
        return IssueChoices([], classes.none(), school_wide, None)
    return IssueChoices(
        roles=list(Role.values) if school_wide else [str(r) for r in CLASS_ROLES],
        classes=_narrow(user, scope, classes, classes_field="pk"),
        school_wide=school_wide,
        school=scope.school if scope.kind == "school" else None,
    )
