"""«Новый учебный год»: the coordinator previews the turnover, names the new class teachers and
confirms it; the record page shows what it did and offers to undo it while that is possible."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gymnasium_portal.params import parse_id
from staff.access import user_can
from staff.models import Person, School, YearTurnover
from staff.selectors import user_school

from .turnover import (
    ImportedDistribution,
    TurnoverError,
    turnover_apply,
    turnover_distribution_from_import,
    turnover_imports,
    turnover_latest,
    turnover_plan,
    turnover_reversible,
    turnover_revert,
    year_label,
)


def _school(request) -> School:
    school = user_school(request.user)
    if school is None or not user_can(request.user, "turn_over_year", school):
        raise PermissionDenied
    return school


def _distribution(request, plan, teachers: dict[int, Person]) -> tuple[dict, list[str]]:
    """The new class teachers from the form (``teacher_<class id>``: a person's id, or empty for
    none); a class the form does not mention keeps its teacher."""
    distribution: dict[int, Person | None] = {}
    errors = []
    for item in plan.promoted:
        key = f"teacher_{item.school_class.pk}"
        if key not in request.POST:
            continue
        raw = request.POST[key].strip()
        if not raw:
            distribution[item.school_class.pk] = None
        elif raw.isdigit() and int(raw) in teachers:
            distribution[item.school_class.pk] = teachers[int(raw)]
        else:
            errors.append(
                _("%(name)s: выберите сотрудника школы из списка.") % {"name": item.new_name}
            )
    return distribution, errors


@login_required
def turnover_view(request):
    school = _school(request)
    teachers = {
        person.pk: person
        for person in Person.objects.filter(school=school, is_active=True).order_by("full_name")
    }
    errors: list[str] = []
    distribution: dict = {}
    imported: ImportedDistribution | None = None
    run = None
    imports = turnover_imports(school=school)
    status = 200
    if request.method == "GET" and "import" in request.GET:
        # «Взять из загрузки»: the selects come pre-filled from a checked classes file; nothing is
        # applied before the coordinator confirms the form.
        run_id = parse_id(request.GET["import"])
        run = imports.filter(pk=run_id).first() if run_id is not None else None
        if run is None:
            raise Http404
        imported = turnover_distribution_from_import(plan=turnover_plan(school=school), run=run)
        distribution = imported.distribution
    if request.method == "POST":
        plan = turnover_plan(school=school)
        distribution, errors = _distribution(request, plan, teachers)
        from_year = request.POST.get("from_year", "")
        if not request.POST.get("confirm"):
            errors.append(_("Поставьте отметку «Подтверждаю»: переход меняет все классы школы."))
        if not from_year.isdigit():
            errors.append(_("Не указан учебный год."))
        if not errors:
            try:
                turnover = turnover_apply(
                    school=school,
                    from_year=int(from_year),
                    distribution=distribution,
                    by=request.user,
                )
            except TurnoverError as error:
                errors.append(str(error))
            else:
                messages.success(
                    request,
                    _("Школа перешла на %(year)s учебный год.")
                    % {"year": year_label(turnover.to_year)},
                )
                return redirect("staff:turnover_record", pk=turnover.pk)
        status = 400
    plan = turnover_plan(school=school, distribution=distribution)
    latest = turnover_latest(school=school)
    return render(
        request,
        "roster/turnover.html",
        {
            "school": school,
            "plan": plan,
            "from_label": year_label(plan.from_year),
            "to_label": year_label(plan.to_year),
            "teachers": list(teachers.values()),
            "errors": errors,
            # The list names the files; only the one chosen is read with its rows.
            "imports": imports.only("pk", "file_name", "created_at")[:20],
            "imported": imported,
            "imported_run": run,
            "latest": latest,
            "latest_reversible": latest is not None and turnover_reversible(latest),
        },
        status=status,
    )


@login_required
def turnover_record_view(request, pk: int):
    school = _school(request)
    turnover = get_object_or_404(
        YearTurnover.objects.select_related("school"), pk=pk, school=school
    )
    return render(
        request,
        "roster/turnover_record.html",
        {
            "turnover": turnover,
            "from_label": year_label(turnover.from_year),
            "to_label": year_label(turnover.to_year),
            "reversible": turnover_reversible(turnover),
        },
    )


@login_required
@require_POST
def turnover_revert_view(request, pk: int):
    school = _school(request)
    turnover = get_object_or_404(
        YearTurnover.objects.select_related("school"), pk=pk, school=school
    )
    if not request.POST.get("confirm"):
        messages.error(request, _("Поставьте отметку «Подтверждаю», чтобы отменить переход."))
        return redirect("staff:turnover_record", pk=turnover.pk)
    try:
        turnover_revert(turnover=turnover, by=request.user)
    except TurnoverError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Переход отменён: школа снова в %(year)s учебном году.")
            % {"year": year_label(turnover.from_year)},
        )
    return redirect("staff:turnover_record", pk=turnover.pk)
