"""HTML screens of the orders app: the order with its points, the acknowledgement sheet, the regulation,
the e-mail registering a new administrator. Views are thin: selectors read, services write."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from staff.selectors import user_may_see_contacts, user_person, user_school, user_sees_all_schools

from . import services
from .forms import (
    AdminRegistrationForm,
    EvidenceForm,
    OrderForm,
    PointForm,
    PublicationForm,
    RegulationForm,
    ResponsibilityForm,
)
from .models import Order, OrderPoint, Regulation, Responsibility
from .selectors import (
    acknowledgement_sheet,
    acknowledgement_summary,
    acknowledgements_pending,
    admin_request_list,
    order_list,
    order_points,
    point_people,
    point_responsibilities,
    points_in_charge,
    regulation_list,
    user_acts_as,
    user_has_perm_today,
    user_may_add_evidence,
    user_may_edit_order,
    user_may_manage_regulation,
    user_may_publish_regulation,
)

PAGE_SIZE = 20


def _order_or_404(request, pk) -> Order:
    return get_object_or_404(order_list(user=request.user), pk=pk)


def _point_or_404(request, pk) -> OrderPoint:
    point = get_object_or_404(OrderPoint.objects.select_related("order"), pk=pk)
    _order_or_404(request, point.order_id)
    return point


def _require_edit(request, order: Order) -> None:
    if not user_may_edit_order(user=request.user, order=order):
        raise PermissionDenied


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


# --- The list and the order page -----------------------------------------------------------------


@login_required
def order_list_view(request):
    orders = order_list(user=request.user).order_by("-date", "-number")
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    school = user_school(request.user)
    return render(
        request,
        "orders/order_list.html",
        {
            "page": page,
            "orders": page.object_list,
            "my_points": points_in_charge(user=request.user),
            "acting": user_acts_as(request.user),
            "pending": acknowledgements_pending(user=request.user),
            "may_create": school is not None and request.user.has_perm("orders.add_order"),
            "may_send_admin_request": school is not None
            and request.user.has_perm("orders.add_adminregistrationrequest"),
            "to_publish": [
                regulation
                for regulation in regulation_list(user=request.user).filter(
                    published_on__isnull=True
                )[:20]
                if user_may_publish_regulation(user=request.user, regulation=regulation)
            ]
            if school is not None
            else [],
            "person": user_person(request.user),
        },
    )


@login_required
def order_detail_view(request, pk):
    order = _order_or_404(request, pk)
    today = timezone.localdate()
    rows = order_points(order=order, today=today)
    may_edit = user_may_edit_order(user=request.user, order=order)
    person = user_person(request.user)
    for row in rows:
        row.may_add_evidence = user_may_add_evidence(
            user=request.user, point=row.point, people=row.people
        )
    my_acknowledgement = order.acknowledgements.filter(person=person).first() if person else None
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "rows": rows,
            "today": today,
            "may_edit": may_edit,
            "may_view_sheet": _may_view_sheet(request, order),
            "summary": acknowledgement_summary(order=order),
            "my_acknowledgement": my_acknowledgement,
            "regulations": list(order.regulations.order_by("-version")),
        },
    )


# --- Creating and editing (the coordinator) --------------------------------------------------------


@login_required
def order_create_view(request):
    school = user_school(request.user)
    if school is None or not request.user.has_perm("orders.add_order"):
        raise PermissionDenied
    form = OrderForm(request.POST or None, request.FILES or None, school=school)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        distribute = data.pop("distribute", False)
        try:
            order = services.order_create(
                school=school, by=request.user, distribute=distribute, **data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Приказ внесён. Добавьте его пункты."))
            return redirect("orders:detail", pk=order.pk)
    return render(
        request,
        "orders/order_form.html",
        {"form": form, "order": None},
        status=_form_status(request, form),
    )


@login_required
def order_edit_view(request, pk):
    order = _order_or_404(request, pk)
    _require_edit(request, order)
    form = OrderForm(
        request.POST or None, request.FILES or None, instance=order, school=order.school
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if not data.get("file"):
            data.pop("file", None)  # «очистить» is not offered: the scan stays unless replaced
        try:
            services.order_update(order=Order.objects.get(pk=order.pk), by=request.user, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Изменения сохранены."))
            return redirect("orders:detail", pk=order.pk)
    return render(
        request,
        "orders/order_form.html",
        {"form": form, "order": order},
        status=_form_status(request, form),
    )


def _form_status(request, form) -> int:
    return 400 if request.method == "POST" and form.errors else 200


@login_required
def point_create_view(request, pk):
    order = _order_or_404(request, pk)
    _require_edit(request, order)
    form = PointForm(request.POST or None, order=order)
    if request.method == "POST" and form.is_valid():
        try:
            point = services.point_create(order=order, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Пункт %(number)s добавлен.") % {"number": point.number})
            return redirect(reverse("orders:detail", args=[order.pk]) + f"#point-{point.pk}")
    return render(
        request,
        "orders/point_form.html",
        {"form": form, "order": order, "point": None},
        status=_form_status(request, form),
    )


@login_required
def point_edit_view(request, pk):
    point = _point_or_404(request, pk)
    order = point.order
    _require_edit(request, order)
    form = PointForm(request.POST or None, instance=point, order=order)
    people = point_people(points=[point])[point.pk]
    if request.method == "POST" and form.is_valid():
        try:
            services.point_update(
                point=OrderPoint.objects.select_related("order").get(pk=point.pk),
                by=request.user,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Пункт сохранён."))
            return redirect(reverse("orders:detail", args=[order.pk]) + f"#point-{point.pk}")
    return render(
        request,
        "orders/point_form.html",
        {
            "form": form,
            "order": order,
            "point": point,
            "people": people,
            "responsibility_form": ResponsibilityForm(point=point),
            "responsibilities": point_responsibilities(point=point),
        },
        status=_form_status(request, form),
    )


@login_required
@require_POST
def responsibility_add_view(request, pk):
    point = _point_or_404(request, pk)
    _require_edit(request, point.order)
    form = ResponsibilityForm(request.POST, point=point)
    if form.is_valid():
        try:
            services.responsibility_assign(point=point, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Назначение сохранено."))
            return redirect("orders:point_edit", pk=point.pk)
    return render(
        request,
        "orders/point_form.html",
        {
            "form": PointForm(instance=point, order=point.order),
            "order": point.order,
            "point": point,
            "people": point_people(points=[point])[point.pk],
            "responsibility_form": form,
            "responsibilities": point_responsibilities(point=point),
        },
        status=400,
    )


@login_required
def responsibility_remove_view(request, pk):
    responsibility = get_object_or_404(
        Responsibility.objects.select_related("point__order", "person"), pk=pk
    )
    point = _point_or_404(request, responsibility.point_id)
    _require_edit(request, point.order)
    if request.method == "POST":
        services.responsibility_remove(responsibility=responsibility, by=request.user)
        messages.success(request, _("Назначение снято."))
        return redirect("orders:point_edit", pk=point.pk)
    return render(
        request,
        "orders/confirm.html",
        {
            "title": _("Снять назначение"),
            "question": _("Снять %(name)s (%(role)s) с пункта %(number)s?")
            % {
                "name": responsibility.person.full_name,
                "role": responsibility.get_role_display(),
                "number": point.number,
            },
            "confirm_label": _("Снять"),
            "cancel_url": reverse("orders:point_edit", args=[point.pk]),
        },
    )


@login_required
def evidence_add_view(request, pk):
    point = _point_or_404(request, pk)
    people = point_people(points=[point])[point.pk]
    if not user_may_add_evidence(user=request.user, point=point, people=people):
        raise PermissionDenied
    form = EvidenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.evidence_add(point=point, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Подтверждение добавлено."))
            return redirect(reverse("orders:detail", args=[point.order_id]) + f"#point-{point.pk}")
    return render(
        request,
        "orders/evidence_form.html",
        {"form": form, "point": point, "order": point.order},
        status=_form_status(request, form),
    )


# --- The acknowledgement sheet -------------------------------------------------------------------


def _may_view_sheet(request, order: Order) -> bool:
    if user_sees_all_schools(request.user):
        return True
    school = user_school(request.user)
    return (
        school is not None
        and school.pk == order.school_id
        and user_has_perm_today(request.user, "orders.view_acknowledgement")
    )


@login_required
@require_POST
def acknowledge_view(request, pk):
    """One click from the start page (or the order page): «Ознакомлен(а)»."""
    order = _order_or_404(request, pk)
    person = user_person(request.user)
    if person is None or not order.acknowledgements.filter(person=person).exists():
        raise PermissionDenied
    services.acknowledgement_confirm(order=order, person=person)
    if request.htmx:
        return render(
            request,
            "orders/_acknowledge_prompt.html",
            {
                "acknowledged_order": order,
                "ack_next": _safe_next(request, reverse("home")),
            },
        )
    messages.success(
        request, _("Отмечено: вы ознакомлены с приказом № %(number)s.") % {"number": order.number}
    )
    return redirect(_safe_next(request, reverse("orders:detail", args=[order.pk])))


@login_required
def acknowledgements_view(request, pk):
    order = _order_or_404(request, pk)
    if not _may_view_sheet(request, order):
        raise PermissionDenied
    rows = list(acknowledgement_sheet(order=order))
    show = request.GET.get("show", "")
    if show == "pending":
        rows = [row for row in rows if row.acknowledged_at is None and row.person.is_active]
    return render(
        request,
        "orders/acknowledgements.html",
        {
            "order": order,
            "rows": rows,
            "show": show,
            "summary": acknowledgement_summary(order=order),
            "may_edit": user_may_edit_order(user=request.user, order=order),
        },
    )


@login_required
def acknowledgement_print_view(request, pk):
    order = _order_or_404(request, pk)
    if not _may_view_sheet(request, order):
        raise PermissionDenied
    return render(
        request,
        "orders/acknowledgement_print.html",
        {
            "order": order,
            "rows": acknowledgement_sheet(order=order),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def distribute_view(request, pk):
    order = _order_or_404(request, pk)
    _require_edit(request, order)
    added = services.acknowledgements_distribute(order=order, by=request.user)
    if added:
        messages.success(
            request, _("В лист ознакомления добавлено сотрудников: %(n)d.") % {"n": added}
        )
    else:
        messages.info(request, _("Все работающие сотрудники уже в листе ознакомления."))
    return redirect("orders:acknowledgements", pk=order.pk)


# --- The regulation: versions (point 1) and the publication (point 8) ---------------------------------


def _order_for_regulation(request, pk) -> Order:
    """The order's regulation page: whoever reads the order, and the school's web editor."""
    user = request.user
    condition = Q(pk__in=order_list(user=user).values("pk"))
    school = user_school(user)
    if school is not None and user.has_perm("orders.view_regulation"):
        condition |= Q(school=school)
    return get_object_or_404(Order.objects.select_related("school").filter(condition), pk=pk)


@login_required
def regulations_view(request, pk):
    order = _order_for_regulation(request, pk)
    regulations = list(
        order.regulations.select_related("published_by__person").order_by("-version")
    )
    may_manage = user_may_manage_regulation(user=request.user, order=order)
    for regulation in regulations:
        regulation.may_publish = user_may_publish_regulation(
            user=request.user, regulation=regulation
        )
    deadline = (
        order.points.filter(check_key="regulation_published", deadline__isnull=False)
        .order_by("deadline")
        .first()
    )
    return render(
        request,
        "orders/regulations.html",
        {
            "order": order,
            "regulations": regulations,
            "may_manage": may_manage,
            "upload_form": RegulationForm() if may_manage else None,
            "deadline": deadline.deadline if deadline else None,
        },
    )


@login_required
def regulation_upload_view(request, pk):
    order = _order_for_regulation(request, pk)
    if not user_may_manage_regulation(user=request.user, order=order):
        raise PermissionDenied
    form = RegulationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            regulation = services.regulation_upload(
                order=order, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Загружена версия %(v)d положения.") % {"v": regulation.version}
            )
            return redirect("orders:regulations", pk=order.pk)
    return render(
        request,
        "orders/regulation_form.html",
        {"form": form, "order": order},
        status=_form_status(request, form),
    )


@login_required
def regulation_publish_view(request, pk):
    regulation = get_object_or_404(Regulation.objects.select_related("order"), pk=pk)
    order = _order_for_regulation(request, regulation.order_id)
    if not user_may_publish_regulation(user=request.user, regulation=regulation):
        raise PermissionDenied
    initial = {
        "url": regulation.published_url,
        "published_on": regulation.published_on or timezone.localdate(),
    }
    form = PublicationForm(request.POST or None, initial=initial, regulation=regulation)
    if request.method == "POST" and form.is_valid():
        try:
            services.regulation_publish(regulation=regulation, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Публикация положения на сайте записана."))
            return redirect("orders:regulations", pk=order.pk)
    return render(
        request,
        "orders/publication_form.html",
        {"form": form, "order": order, "regulation": regulation},
        status=_form_status(request, form),
    )


# --- The e-mail registering a new administrator (point 3) ---------------------------------------------


@login_required
def admin_request_view(request):
    school = user_school(request.user)
    may_send = school is not None and request.user.has_perm("orders.add_adminregistrationrequest")
    if school is None or not (
        may_send or request.user.has_perm("orders.view_adminregistrationrequest")
    ):
        raise PermissionDenied
    if request.method == "POST" and not may_send:
        raise PermissionDenied  # the director reads the sent requests, the operator sends them
    form = AdminRegistrationForm(request.POST or None, school=school) if may_send else None
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.admin_registration_send(
                school=school, by=request.user, **form.cleaned_data
            )
        except services.OrderHasNoFile:
            form.add_error("order", _("К приказу не приложен файл: заявка не отправлена."))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if sent.status == sent.Status.SENT:
                messages.success(
                    request, _("Заявка отправлена на %(email)s.") % {"email": sent_to()}
                )
            else:
                messages.error(
                    request,
                    _(
                        "Заявку не удалось отправить: %(error)s. Она сохранена, попробуйте ещё раз позже."
                    )
                    % {"error": sent.error[:200]},
                )
            return redirect("orders:admin_request")
    requests = admin_request_list(user=request.user).filter(school=school)
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "orders/admin_request.html",
        {
            "form": form,
            "page": page,
            "support_email": sent_to(),
            "show_contacts": user_may_see_contacts(request.user),
        },
        status=_form_status(request, form) if form else 200,
    )


def sent_to() -> str:
    return settings.SFERUM_SUPPORT_EMAIL
