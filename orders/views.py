"""HTML screens of the orders app: the list, the order with its points, responsibility and evidence.

The order's papers (acknowledgement sheet, regulation, the registration e-mail) are in
``papers_views.py``. Views are thin: ``staff.access`` answers who may (the rules of
``orders/access.py``), selectors read, services write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from staff.access import user_can
from staff.selectors import user_person, user_school

from . import services
from .forms import (
    EvidenceForm,
    OrderForm,
    PointForm,
    ResponsibilityForm,
)
from .models import Order, OrderPoint, Responsibility
from .selectors import (
    acknowledgement_summary,
    acknowledgements_pending,
    my_tasks,
    order_list,
    order_points,
    point_people,
    point_responsibilities,
    regulation_list,
    user_acts_as,
)

PAGE_SIZE = 20


def order_or_404(request, pk) -> Order:
    return get_object_or_404(order_list(user=request.user), pk=pk)


def point_or_404(request, pk) -> OrderPoint:
    point = get_object_or_404(OrderPoint.objects.select_related("order"), pk=pk)
    order_or_404(request, point.order_id)
    return point


def require_edit(request, order: Order) -> None:
    if not user_can(request.user, "edit", order):
        raise PermissionDenied


def safe_next(request, default: str) -> str:
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
            "my_tasks": my_tasks(user=request.user),
            "acting": user_acts_as(request.user),
            "pending": acknowledgements_pending(user=request.user),
            "may_create": school is not None and user_can(request.user, "add_order", school),
            "may_send_admin_request": school is not None
            and user_can(request.user, "send_admin_request", school),
            "to_publish": [
                regulation
                for regulation in regulation_list(user=request.user).filter(
                    published_on__isnull=True
                )[:20]
                if user_can(request.user, "publish", regulation)
            ]
            if school is not None
            else [],
            "person": user_person(request.user),
        },
    )


@login_required
def order_detail_view(request, pk):
    order = order_or_404(request, pk)
    today = timezone.localdate()
    rows = order_points(order=order, today=today)
    may_edit = user_can(request.user, "edit", order)
    person = user_person(request.user)
    for row in rows:  # the people came with the page's one query: no query per row
        row.may_add_evidence = user_can(request.user, "add_evidence", row.point)
    my_acknowledgement = order.acknowledgements.filter(person=person).first() if person else None
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "rows": rows,
            "today": today,
            "may_edit": may_edit,
            "may_view_sheet": user_can(request.user, "view_sheet", order),
            "summary": acknowledgement_summary(order=order),
            "my_acknowledgement": my_acknowledgement,
            "regulations": list(order.regulations.order_by("-version")),
        },
    )


# --- Creating and editing (the coordinator) -------------------------------------------------------


@login_required
def order_create_view(request):
    school = user_school(request.user)
    if school is None or not user_can(request.user, "add_order", school):
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
        status=form_status(request, form),
    )


@login_required
def order_edit_view(request, pk):
    order = order_or_404(request, pk)
    require_edit(request, order)
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
        status=form_status(request, form),
    )


def form_status(request, form) -> int:
    return 400 if request.method == "POST" and form.errors else 200


@login_required
def point_create_view(request, pk):
    order = order_or_404(request, pk)
    require_edit(request, order)
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
        status=form_status(request, form),
    )


@login_required
def point_edit_view(request, pk):
    point = point_or_404(request, pk)
    order = point.order
    require_edit(request, order)
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
        status=form_status(request, form),
    )


@login_required
@require_POST
def responsibility_add_view(request, pk):
    point = point_or_404(request, pk)
    require_edit(request, point.order)
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
    point = point_or_404(request, responsibility.point_id)
    require_edit(request, point.order)
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
    point = point_or_404(request, pk)
    if not user_can(request.user, "add_evidence", point):
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
        status=form_status(request, form),
    )
