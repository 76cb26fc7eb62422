"""The import pages of the coordinator and the operator: upload, progress (htmx polling), preview
with every problem by row and column, «Применить». Thin: the services read and write."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from staff.access import visible_to
from staff.selectors import user_school

from ..access import may_import
from ..models import ImportRun
from ..tasks import import_upload
from .api import template_response
from .checking import COLUMNS
from .services import ImportConflict, import_apply, validate_upload

PAGE_SIZE = 50


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Что загружаете"),
        choices=[
            ("staff", gettext_lazy("Список сотрудников")),
            ("classes", gettext_lazy("Список классов")),
        ],
        widget=forms.RadioSelect,
        initial="staff",
    )
    file = forms.FileField(
        label=gettext_lazy("Файл"),
        validators=[validate_upload],
        help_text=gettext_lazy(
            ".xlsx или .csv (UTF-8 или Windows-1251, разделитель «;» или «,»), не больше 5 МБ."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


def _require_importer(request):
    if not may_import(request.user):
        raise PermissionDenied
    school = user_school(request.user)
    assert school is not None  # may_import says so
    return school


def _run(request, pk) -> ImportRun:
    _require_importer(request)
    return get_object_or_404(visible_to(request.user, ImportRun.objects.defer("content")), pk=pk)


@login_required
def import_list_view(request):
    school = _require_importer(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        run = import_upload(
            school=school,
            kind=form.cleaned_data["kind"],
            file_name=upload.name,
            content=upload.read(),
            by=request.user,
        )
        return redirect("staff:import_detail", pk=run.pk)
    runs = visible_to(request.user, ImportRun.objects.defer("content", "rows", "errors"))
    runs = runs.select_related("created_by__person")
    page = Paginator(runs, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "roster/imports.html",
        {"form": form, "page": page, "columns": COLUMNS},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def import_detail_view(request, pk):
    run = _run(request, pk)
    return render(request, "roster/import_detail.html", _detail_context(request, run))


@login_required
def import_progress_view(request, pk):
    """The part of the page that htmx polls while the worker reads (every second)."""
    run = _run(request, pk)
    if run.finished_reading and request.htmx:
        # The whole page again, now with the preview (HX-Refresh: no partial to stitch).
        response = render(request, "roster/_import_progress.html", {"run": run})
        response["HX-Refresh"] = "true"
        return response
    return render(request, "roster/_import_progress.html", {"run": run})


def _detail_context(request, run: ImportRun) -> dict:
    errors = Paginator(run.errors or [], PAGE_SIZE).get_page(request.GET.get("errors_page"))
    show = request.GET.get("show", "changes")
    rows = run.rows or []
    if show != "all":
        rows = [row for row in rows if row.get("action") != "unchanged"]
    rows_page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "run": run,
        "errors_page": errors,
        "rows_page": rows_page,
        "show": show,
        "failed": run.status == ImportRun.Status.FAILED,
    }


@login_required
@require_POST
def import_apply_view(request, pk):
    run = _run(request, pk)
    try:
        run = import_apply(run=run, by=request.user)
    except ImportConflict as conflict:
        messages.error(request, str(conflict))
        context = _detail_context(request, run)
        return render(request, "roster/import_detail.html", context, status=409)
    summary = run.summary
    messages.success(
        request,
        _(
            "Загрузка применена: добавлено %(create)d, изменено %(update)d, без изменений "
            "%(unchanged)d."
        )
        % summary,
    )
    return redirect("staff:import_detail", pk=run.pk)


@login_required
def import_template_view(request, kind):
    _require_importer(request)
    if kind not in ImportRun.Kind.values:
        raise Http404
    return template_response(kind)
