"""HTML screens of the staff app: people, classes and movement (point 3), absences (point 2),
training (point 7.2), platform statuses (point 3). Thin: ``staff.access`` answers who may (the rules
of ``staff/rules.py``), selectors read, services write."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from gymnasium_portal.uploads import file_response
from orders.models import Order, OrderPoint
from staff import services as staff_services
from staff.access import user_can, visible_to
from staff.models import Absence, Movement, Person, School, StatusConfirmation, TrainingRecord
from staff.selectors import (
    absence_list,
    movement_list,
    person_list,
    schoolclass_list,
    user_person,
    user_school,
)

from . import services as roster_services
from .forms import (
    AbsenceForm,
    ClassTeacherForm,
    PersonLeaveForm,
    StatusConfirmForm,
    StudentsForm,
    TrainingForm,
)

PAGE_SIZE = 50


def _school_where(request, action: str) -> School | None:
    """The user's school, if they may ``action`` there (``staff/rules.py``); None otherwise."""
    school = user_school(request.user)
    return school if school is not None and user_can(request.user, action, school) else None


def _require(request, action: str) -> School:
    """The user's school, if they may ``action`` there; 403 otherwise."""
    school = _school_where(request, action)
    if school is None:
        raise PermissionDenied
    return school


def _require_list(request, model) -> None:
    """The screen of ``model`` at all (its rows are then the list selector's)."""
    if not user_can(request.user, "list", model):
        raise PermissionDenied


def _page(request, queryset, size: int = PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _status(request, form) -> int:
    return 400 if request.method == "POST" and form.errors else 200


# --- People and their leaving ------------------------------------------------------------------


@login_required
def people_view(request):
    _require_list(request, Person)
    people = person_list(user=request.user).order_by("school__short_name", "full_name")
    return render(
        request,
        "roster/people.html",
        {
            "page": _page(request, people),
            "show_contacts": user_can(request.user, "see_contacts", Person),
            "may_change": _school_where(request, "change_people") is not None,
        },
    )


@login_required
def person_leave_view(request, pk):
    school = _require(request, "change_people")
    person = get_object_or_404(person_list(user=request.user), pk=pk, school=school)
    form = PersonLeaveForm(request.POST or None, initial={"left_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        roster_services.person_leave(person=person, by=request.user, **form.cleaned_data)
        messages.success(
            request,
            _("%(name)s: увольнение записано, права и ссылки отозваны.")
            % {"name": person.full_name},
        )
        return redirect("staff:people")
    led = list(person.led_classes.filter(status="active"))
    return render(
        request,
        "roster/person_leave.html",
        {"person": person, "form": form, "led": led},
        status=_status(request, form),
    )


# --- Classes and movement ------------------------------------------------------------------------


@login_required
def classes_view(request):
    classes = schoolclass_list(user=request.user).order_by("school__short_name", "grade", "letter")
    without_teacher = request.GET.get("without_teacher") == "1"
    if without_teacher:
        classes = classes.filter(Q(class_teacher__isnull=True) | Q(class_teacher__is_active=False))
    return render(
        request,
        "roster/classes.html",
        {
            "page": _page(request, classes),
            "without_teacher": without_teacher,
            "may_change": _school_where(request, "change_classes") is not None,
        },
    )


def _class_for_change(request, pk):
    school = _require(request, "change_classes")
    return get_object_or_404(schoolclass_list(user=request.user), pk=pk, school=school), school


@login_required
def class_teacher_view(request, pk):
    school_class, school = _class_for_change(request, pk)
    form = ClassTeacherForm(
        request.POST or None, school=school, initial={"person": school_class.class_teacher_id}
    )
    if request.method == "POST" and form.is_valid():
        roster_services.class_teacher_assign(
            school_class=school_class, person=form.cleaned_data["person"], by=request.user
        )
        messages.success(
            request,
            _("Класс %(name)s: классный руководитель сохранён.") % {"name": school_class.name},
        )
        return redirect("staff:classes")
    return render(
        request,
        "roster/class_form.html",
        {
            "form": form,
            "school_class": school_class,
            "title": _("Классный руководитель"),
            "help": _(
                "Права на класс перейдут к новому руководителю; неиспользованные ссылки "
                "прежнего руководителя для этого класса будут аннулированы."
            ),
        },
        status=_status(request, form),
    )


@login_required
def class_students_view(request, pk):
    school_class, _school = _class_for_change(request, pk)
    form = StudentsForm(
        request.POST or None, initial={"students_expected": school_class.students_expected}
    )
    if request.method == "POST" and form.is_valid():
        staff_services.schoolclass_students_change(
            school_class=school_class, by=request.user, **form.cleaned_data
        )
        messages.success(
            request, _("Класс %(name)s: число учащихся сохранено.") % {"name": school_class.name}
        )
        return redirect("staff:classes")
    return render(
        request,
        "roster/class_form.html",
        {
            "form": form,
            "school_class": school_class,
            "title": _("Число учащихся"),
            "help": "",
        },
        status=_status(request, form),
    )


@login_required
def movements_view(request):
    _require_list(request, Movement)
    return render(
        request, "roster/movements.html", {"page": _page(request, movement_list(user=request.user))}
    )


# --- Absences (point 2: the backup answers meanwhile) ---------------------------------------------


@login_required
def absences_view(request):
    _require_list(request, Absence)
    school = user_school(request.user)
    may_add = _school_where(request, "add_absence") is not None
    form = AbsenceForm(request.POST or None, school=school) if may_add else None
    if request.method == "POST":
        if not may_add:
            raise PermissionDenied
        if form.is_valid():
            absence = staff_services.absence_save(**form.cleaned_data)
            messages.success(request, _("Отсутствие записано: %(absence)s.") % {"absence": absence})
            return redirect("staff:absences")
    today = timezone.localdate()
    absences = (
        absence_list(user=request.user)
        .filter(ends_on__gte=today)
        .order_by("starts_on", "person__full_name")
    )
    return render(
        request,
        "roster/absences.html",
        {
            "form": form,
            "page": _page(request, absences),
            "today": today,
            "may_change": _school_where(request, "change_absences") is not None,
        },
        status=_status(request, form) if form else 200,
    )


@login_required
def absence_edit_view(request, pk):
    school = _require(request, "change_absences")
    absence = get_object_or_404(
        Absence.objects.select_related("person"), pk=pk, person__school=school
    )
    form = AbsenceForm(request.POST or None, instance=absence, school=school)
    if request.method == "POST" and form.is_valid():
        staff_services.absence_save(absence=absence, **form.cleaned_data)
        messages.success(request, _("Отсутствие исправлено."))
        return redirect("staff:absences")
    return render(
        request,
        "roster/absence_form.html",
        {"form": form, "absence": absence},
        status=_status(request, form),
    )


# --- Training (point 7.2) -------------------------------------------------------------------------

_URL = re.compile(r"https?://[^\s<>»]+")
_COURSE_TITLE = re.compile(r"«(.+?)\s*<https?://", re.S)


def course_of_school(school) -> tuple[str, str]:
    """The course named by the point bound to ``teachers_trained`` (its «title» and URL), if any."""
    point = (
        OrderPoint.objects.filter(order__school=school, check_key="teachers_trained")
        .exclude(order__status=Order.Status.CLOSED)
        .order_by("-order__date")
        .first()
    )
    if point is None:
        return _("Курс повышения квалификации по работе со «Сферумом»"), ""
    url = _URL.search(point.text)
    title = _COURSE_TITLE.search(point.text)
    return (
        (title.group(1).strip() if title else point.text.strip())[:400],
        url.group(0).rstrip(".,;)") if url else "",
    )


@login_required
def training_view(request):
    person = user_person(request.user)
    may_view_all = user_can(request.user, "list", TrainingRecord)
    if person is None and not may_view_all:
        raise PermissionDenied
    course_title, course_url = course_of_school(person.school) if person else ("", "")
    mine = (
        TrainingRecord.objects.filter(person=person, course_url=course_url).first()
        if person
        else None
    )
    form = (
        TrainingForm(
            request.POST or None,
            request.FILES or None,
            initial={
                "completed_on": mine.completed_on if mine else None,
                "certificate_number": mine.certificate_number if mine else "",
            },
        )
        if person
        else None
    )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            staff_services.training_record(
                person=person, course_title=course_title, course_url=course_url, **form.cleaned_data
            )
            messages.success(request, _("Обучение записано."))
            return redirect("staff:training")
    untrained_only = request.GET.get("untrained") == "1"
    teachers = None
    if may_view_all:
        teachers = (
            person_list(user=request.user)
            .filter(staff_kind=Person.StaffKind.TEACHING)
            .order_by("full_name")
        )
        if untrained_only:
            teachers = teachers.filter(trained=False)
        teachers = _page(request, teachers)
    return render(
        request,
        "roster/training.html",
        {
            "form": form,
            "mine": mine,
            "course_title": course_title,
            "course_url": course_url,
            "teachers": teachers,
            "untrained_only": untrained_only,
        },
        status=_status(request, form) if form else 200,
    )


@login_required
def training_certificate_view(request, pk):
    """The certificate's file: for its owner, and for those who see the school's training."""
    record = get_object_or_404(TrainingRecord.objects.select_related("person"), pk=pk)
    own = record.person.user_id == request.user.pk
    if not own and not (
        user_can(request.user, "list", TrainingRecord)
        and visible_to(request.user, TrainingRecord.objects.filter(pk=pk)).exists()
    ):
        raise Http404
    return file_response(record.certificate_file, record.certificate_file_name)


# --- Platform statuses (point 3) -----------------------------------------------------------------


@login_required
def statuses_view(request):
    _require_list(request, StatusConfirmation)
    school = user_school(request.user)
    may_confirm = _school_where(request, "confirm_statuses") is not None
    form = (
        StatusConfirmForm(
            request.POST or None, school=school, initial={"confirmed_on": timezone.localdate()}
        )
        if may_confirm
        else None
    )
    if request.method == "POST":
        if not may_confirm:
            raise PermissionDenied
        if form.is_valid():
            confirmation = staff_services.status_confirm(by=request.user, **form.cleaned_data)
            messages.success(
                request,
                _("%(name)s: статус «%(status)s» подтверждён.")
                % {
                    "name": confirmation.person.full_name,
                    "status": confirmation.get_status_display(),
                },
            )
            return redirect(request.get_full_path())
    show_all = request.GET.get("show") == "all"
    people = person_list(user=request.user).order_by("full_name")
    if not show_all:
        people = people.filter(status_confirmation__isnull=True)
    return render(
        request,
        "roster/statuses.html",
        {
            "form": form,
            "page": _page(request, people),
            "show_all": show_all,
            "may_confirm": may_confirm,
            "today": timezone.localdate(),
        },
        status=_status(request, form) if form else 200,
    )
