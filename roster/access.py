"""Who imports the school's spreadsheets and who runs its accounts (registered in ``staff.access``).

- imports (API.md): the coordinator and the operator of the school — they may add classes and
  people (``staff.add_schoolclass`` and ``staff.add_person``); an import is seen only by them, in
  their own school (another school's import is a 404);
- accounts (logins of the school's people): the coordinator (``staff.change_school``), own school.
"""

from __future__ import annotations

from django.db.models import QuerySet

from staff.access import rule, visibility
from staff.models import School
from staff.rules import own_school
from staff.selectors import user_school

from .models import ImportRun, LoginCode

IMPORT_PERMS = ("staff.add_schoolclass", "staff.add_person")
ACCOUNTS_PERM = "staff.change_school"


def may_import(user) -> bool:
    return user_school(user) is not None and user.has_perms(IMPORT_PERMS)


@rule(School, "import_roster")
def _import_roster(user, school: School) -> bool:
    return own_school(user, school.pk) and user.has_perms(IMPORT_PERMS)


@rule(ImportRun, "list")
def _list_imports(user, _model) -> bool:
    return may_import(user)


@visibility(ImportRun)
def _imports(user, queryset: QuerySet[ImportRun]) -> QuerySet[ImportRun]:
    school = user_school(user)
    if school is None or not user.has_perms(IMPORT_PERMS):
        return queryset.none()
    return queryset.filter(school=school)


@rule(ImportRun, "apply")
def _apply_import(user, run: ImportRun) -> bool:
    return own_school(user, run.school_id) and user.has_perms(IMPORT_PERMS)


@rule(School, "manage_accounts")
def _manage_accounts(user, school: School) -> bool:
    return own_school(user, school.pk) and user.has_perm(ACCOUNTS_PERM)


@visibility(LoginCode)
def _codes(user, queryset: QuerySet[LoginCode]) -> QuerySet[LoginCode]:
    school = user_school(user)
    if school is None or not user.has_perm(ACCOUNTS_PERM):
        return queryset.none()
    return queryset.filter(person__school=school)
