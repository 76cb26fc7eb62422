"""HTML screens of the chats app: «Мой класс», the school at a glance, chat edit, meetings.

Views are thin: scope and rights come from ``staff.access`` by the rules of ``chats/access.py``
(object outside the user's scope → 404, visible but not theirs to change → 403), reads from
``chats.selectors``, writes go through ``chats.services``.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_htmx.http import reswap, retarget

from gymnasium_portal.params import MAX_ID, parse_id
from invitations.models import Invitation
from staff import services as staff_services
from staff.access import user_can
from staff.models import School, SchoolClass
from staff.selectors import led_class_ids, user_school

from . import matrix, selectors, services
from . import meetings as meeting_reads
from .access import meeting_chat_choices
from .forms import (
    ChatEditForm,
    ClassChatAddForm,
    DeclinedForm,
    MeetingForm,
    SchoolChatAddForm,
    apply_service_errors,
)
from .models import CLASS_KINDS, SCHOOL_KINDS, Chat, ChatKind

MEETINGS_PER_PAGE = 20


# --- «Мой класс» ----------------------------------------------------------------------------------


@login_required
def my_class(request):
    """The entry point: the teacher's (first) class; ``?class=ID`` from the switcher; the school's
    chats for staff who lead no class."""
    chosen = parse_id(request.GET.get("class"))
    if chosen is not None:
        return redirect("chats:my_class_detail", class_id=chosen)
    first = (
        SchoolClass.objects.filter(
            pk__in=led_class_ids(user=request.user), status=SchoolClass.Status.ACTIVE
        )
        .order_by("grade", "letter")
        .values_list("pk", flat=True)
        .first()
    )
    if first is not None:
        return redirect("chats:my_class_detail", class_id=first)
    if matrix.matrix_school(user=request.user) is not None:
        return redirect("chats:school_matrix")
    return render(request, "chats/my_class_none.html")


def _add_forms(checklist) -> dict[str, ClassChatAddForm]:
    """One inline form per missing chat of point 4 (the action that fixes the ✗ in place)."""
    school_class = checklist.school_class
    return {
        state.kind: ClassChatAddForm(
            prefix=state.kind,
            initial={"kind": state.kind, "title": _default_title(school_class, state.kind)},
        )
        for state in checklist.kind_states
        if not state.present
    }


def _default_title(school_class: SchoolClass, kind: str) -> str:
    if kind == ChatKind.CLASS_STUDENTS:
        return _("%(class)s класс — ученики") % {"class": school_class.name}
    if kind == ChatKind.CLASS_PARENTS:
        return _("%(class)s класс — родители") % {"class": school_class.name}
    return ""


def _checklist_context(request, checklist):
    add_forms = _add_forms(checklist)
    items = [
        {
            "state": state,
            "chats": [chat for chat in checklist.class_chats if chat.kind == state.kind],
            "form": add_forms.get(state.kind),
        }
        for state in checklist.kind_states
    ]
    shown = {state.kind for state in checklist.kind_states}
    context = {
        "checklist": checklist,
        "school_class": checklist.school_class,
        "items": items,
        "other_chats": [chat for chat in checklist.class_chats if chat.kind not in shown],
        "other_form": ClassChatAddForm(
            prefix=ChatKind.CLASS_OTHER, initial={"kind": ChatKind.CLASS_OTHER}
        ),
        "switcher": checklist.led_classes,
        "may_view_links": checklist.school_class.is_led
        or user_can(request.user, "list", Invitation),
        # Known from the checklist's own query: spares the navigation its separate ones.
        "nav_leads_class": bool(checklist.led_classes),
    }
    if checklist.nav_pending_known:
        context["nav_pending_join_requests"] = checklist.nav_pending_join_requests
    return context


def _get_checklist(request, class_id: int):
    checklist = selectors.class_checklist(user=request.user, school_class_id=class_id)
    if checklist is None:
        raise Http404
    return checklist


def _class_to_keep(request, class_id: int) -> SchoolClass:
    """A class whose chats the user keeps (another's: 404; one they only see: 403)."""
    school_class = _get_checklist(request, class_id).school_class
    if not user_can(request.user, "add_chat", school_class):
        raise PermissionDenied
    return school_class


@login_required
def my_class_detail(request, class_id: int):
    checklist = _get_checklist(request, class_id)
    return render(request, "chats/my_class.html", _checklist_context(request, checklist))


@login_required
@require_http_methods(["GET", "POST"])
def class_chat_add(request, class_id: int, kind: str):
    """Add a chat of ``kind`` to the class: inline (htmx) on the checklist, or as a page without
    JS."""
    if kind not in CLASS_KINDS:
        raise Http404
    school_class = _class_to_keep(request, class_id)
    form = ClassChatAddForm(
        request.POST if request.method == "POST" else None,
        prefix=kind,
        initial={"kind": kind, "title": _default_title(school_class, kind)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.chat_create(
                school=school_class.school,
                kind=kind,
                school_class=school_class,
                title=form.cleaned_data["title"],
                url=form.cleaned_data["url"],
                members_count=form.cleaned_data["members_count"],
                by=request.user,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if request.htmx:
                checklist = _get_checklist(request, class_id)
                context = _checklist_context(request, checklist)
                context["just_added"] = kind
                response = render(request, "chats/partials/required_chats.html", context)
                return reswap(retarget(response, "#required-chats"), "outerHTML")
            messages.success(request, _("Чат добавлен."))
            return redirect("chats:my_class_detail", class_id=class_id)
    if request.htmx:
        # The form with its errors goes back into the card it came from; nothing was written.
        return render(
            request,
            "chats/partials/add_chat_form.html",
            {
                "form": form,
                "school_class": school_class,
                "kind": kind,
                "kind_label": ChatKind(kind).label,
            },
        )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "chats/chat_add.html",
        {
            "form": form,
            "school_class": school_class,
            "kind": kind,
            "kind_label": ChatKind(kind).label,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def class_declined(request, class_id: int):
    """Who of the class list declined МАХ, and the channel the school uses for them instead: the
    coverage of point 4 counts them apart (DESIGN.md §9). The class teacher and the school's
    operator record it, as they add the class's chats."""
    school_class = _class_to_keep(request, class_id)
    form = DeclinedForm(
        request.POST if request.method == "POST" else None,
        initial={name: getattr(school_class, name) for name in DeclinedForm.base_fields},
    )
    if request.method == "POST" and form.is_valid():
        try:
            staff_services.schoolclass_declined_set(
                school_class=school_class,
                students=form.cleaned_data["students_declined"],
                parents=form.cleaned_data["parents_declined"],
                channel=form.cleaned_data["declined_channel"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Отказавшиеся от МАХ сохранены."))
            return redirect("chats:my_class_detail", class_id=class_id)
    return render(
        request,
        "chats/declined.html",
        {"form": form, "school_class": school_class},
        status=400 if request.method == "POST" else 200,
    )


# --- Editing and archiving one chat -------------------------------------------------------------


def _get_changeable_chat(request, chat_id: int) -> Chat:
    chat = get_object_or_404(
        selectors.chat_list(user=request.user).select_related("school"), pk=chat_id
    )
    if not user_can(request.user, "change", chat):
        raise PermissionDenied
    return chat


def _chat_home(chat: Chat) -> str:
    if chat.school_class_id:
        return reverse("chats:my_class_detail", args=[chat.school_class_id])
    return reverse("chats:school_matrix")


@login_required
@require_http_methods(["GET", "POST"])
def chat_edit(request, chat_id: int):
    chat = _get_changeable_chat(request, chat_id)
    may_assign_owner = user_can(request.user, "manage", chat)
    form = ChatEditForm(request.POST or None, chat=chat, may_assign_owner=may_assign_owner)
    if request.method == "POST" and form.is_valid():
        changes = {key: form.cleaned_data[key] for key in ("title", "url", "members_count")}
        if may_assign_owner:
            changes["owner"] = form.cleaned_data["owner"]
        try:
            services.chat_update(chat=chat, by=request.user, **changes)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Чат сохранён."))
            return redirect(_chat_home(chat))
    return render(
        request,
        "chats/chat_edit.html",
        {"chat": chat, "form": form, "back_url": _chat_home(chat)},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def chat_archive(request, chat_id: int):
    """Archiving asks for confirmation first (GET shows what will happen)."""
    chat = _get_changeable_chat(request, chat_id)
    if request.method == "POST":
        services.chat_archive(chat=chat, by=request.user)
        messages.success(request, _("Чат «%(title)s» отправлен в архив.") % {"title": chat.title})
        return redirect(_chat_home(chat))
    return render(
        request, "chats/chat_archive_confirm.html", {"chat": chat, "back_url": _chat_home(chat)}
    )


# --- School at a glance --------------------------------------------------------------------------


def _int_param(request, name: str, low: int | None = None, high: int | None = None) -> int | None:
    return parse_id(
        request.GET.get(name), low=0 if low is None else low, high=MAX_ID if high is None else high
    )


def _matrix_school_or_403(request):
    school = matrix.matrix_school(user=request.user, school_id=_int_param(request, "school"))
    if school is None:
        if user_can(request.user, "view_all", School):
            raise Http404
        raise PermissionDenied
    return school


@login_required
def school_matrix(request):
    school = _matrix_school_or_403(request)
    grade = _int_param(request, "grade", 1, 11)
    requirements = matrix.school_requirements(school=school)
    kinds = matrix.matrix_class_kinds(requirements)
    classes = matrix.matrix_classes(school=school, grade=grade)
    rows = [
        {
            "school_class": school_class,
            "states": selectors.class_kind_states(school_class, kinds),
            "missing": selectors.missing_chat_kinds(school_class),
        }
        for school_class in classes
    ]
    compliant = sum(1 for row in rows if not row["missing"])
    school_chats = matrix.school_chat_rows(
        user=request.user, school=school, requirements=requirements
    )
    context = {
        "school": school,
        "grade": grade,
        "grades": range(1, 12),
        "kinds": [{"kind": kind, "label": ChatKind(kind).label} for kind in kinds],
        "rows": rows,
        "compliant": compliant,
        "school_chats": school_chats,
        # The figure of point 6 as the check counts it: required kinds with an active chat and an
        # owner.
        "school_chats_done": sum(
            1 for row in school_chats if row.required and row.chat and row.chat.owner_id
        ),
        "school_chats_required": sum(1 for row in school_chats if row.required),
        "may_manage": user_can(request.user, "manage_chats", school),
        "other_school": user_can(request.user, "view_all", School),
    }
    return render(request, "chats/school_matrix.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def school_chat_add(request):
    school = user_school(request.user)
    if school is None or not user_can(request.user, "manage_chats", school):
        raise PermissionDenied
    kind = request.GET.get("kind") if request.GET.get("kind") in SCHOOL_KINDS else None
    form = SchoolChatAddForm(request.POST or None, school=school, initial={"kind": kind})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.chat_create(
                school=school,
                kind=data["kind"],
                title=data["title"],
                url=data["url"],
                members_count=data["members_count"],
                owner=data["owner"],
                by=request.user,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Общешкольный чат добавлен."))
            return redirect("chats:school_matrix")
    return render(
        request,
        "chats/school_chat_add.html",
        {"form": form, "school": school},
        status=400 if request.method == "POST" else 200,
    )


# --- Meetings (points 5 and 7.3) ------------------------------------------------------------------


def _month_param(request) -> datetime.date:
    value = request.GET.get("month", "")
    try:
        month = datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        return meeting_reads.current_month()
    if not 1900 <= month.year <= 2100:  # 9999-12 has no following month, 0001-01 no previous one
        raise Http404
    return month


def _meetings_school_or_403(request):
    school = user_school(request.user)
    if school is None:
        raise PermissionDenied
    return school


@login_required
def meetings(request):
    school = _meetings_school_or_403(request)
    month = _month_param(request)
    start, following = selectors.month_bounds(month)
    queryset = (
        meeting_reads.meeting_list(user=request.user)
        .filter(school=school, held_on__gte=start, held_on__lt=following)
        .order_by("-held_on", "-pk")
    )
    page = Paginator(queryset, MEETINGS_PER_PAGE).get_page(request.GET.get("page"))
    previous_month = (start - datetime.timedelta(days=1)).replace(day=1)
    manager = user_can(request.user, "manage_meetings", school)
    return render(
        request,
        "chats/meetings.html",
        {
            "school": school,
            "month": start,
            "previous_month": previous_month,
            "next_month": following if following <= meeting_reads.current_month() else None,
            "page": page,
            "manager": manager,
            "kind_counts": meeting_reads.meeting_kind_counts(
                school=school, start=start, following=following
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_add(request):
    school = _meetings_school_or_403(request)
    form = MeetingForm(
        request.POST or None,
        chats=meeting_chat_choices(request.user),
        initial={"held_on": meeting_reads.today()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(school=school, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Встреча внесена в журнал."))
            return redirect(f"{reverse('chats:meetings')}?month={meeting.held_on:%Y-%m}")
    return render(
        request,
        "chats/meeting_form.html",
        {"form": form, "meeting": None},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, meeting_id: int):
    meeting = get_object_or_404(meeting_reads.meeting_list(user=request.user), pk=meeting_id)
    if not user_can(request.user, "change", meeting):
        raise PermissionDenied
    chats = meeting_chat_choices(request.user)
    if meeting.chat_id:  # a chat chosen earlier by someone else stays selectable
        chats = chats | Chat.objects.filter(pk=meeting.chat_id)
    form = MeetingForm(request.POST or None, chats=chats, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(meeting=meeting, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Запись журнала сохранена."))
            return redirect(f"{reverse('chats:meetings')}?month={meeting.held_on:%Y-%m}")
    return render(
        request,
        "chats/meeting_form.html",
        {"form": form, "meeting": meeting},
        status=400 if request.method == "POST" else 200,
    )
