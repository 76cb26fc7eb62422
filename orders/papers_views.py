"""HTML screens of the order's papers: the acknowledgement sheet, the regulation (points 1 and 8)
and the e-mail registering a new administrator (point 3). Views are thin: ``staff.access`` answers
who may (the rules of ``orders/access.py``)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from staff.access import user_can
from staff.models import Person
from staff.selectors import user_person, user_school

from . import services
from .forms import (
    AdminRegistrationForm,
    PublicationForm,
    RegulationForm,
)
from .models import Order, Regulation
from .selectors import (
    acknowledgement_sheet,
    acknowledgement_summary,
    admin_request_list,
    regulation_orders,
)
from .views import PAGE_SIZE, form_status, order_or_404, require_edit, safe_next

# --- The acknowledgement sheet -------------------------------------------------------------------


@login_required
@require_POST
def acknowledge_view(request, pk):
    """«Ознакомлен(а) с приказом № … от …», ticked on the order's page under the order itself."""
    order = order_or_404(request, pk)
    if not user_can(request.user, "acknowledge", order):
        raise PermissionDenied
    if request.POST.get("confirm") != "1":
        messages.error(
            request,
            _("Отметьте «Ознакомлен(а) с приказом № %(number)s от %(date)s», чтобы подтвердить.")
            % {"number": order.number, "date": f"{order.date:%d.%m.%Y}"},
        )
        return redirect(reverse("orders:detail", args=[order.pk]) + "#acknowledge")
    services.acknowledgement_confirm(order=order, person=user_person(request.user))
    if request.htmx:
        return render(
            request,
            "orders/_acknowledge_prompt.html",
            {
                "acknowledged_order": order,
                "ack_next": safe_next(request, reverse("home")),
            },
        )
    messages.success(
        request, _("Отмечено: вы ознакомлены с приказом № %(number)s.") % {"number": order.number}
    )
    return redirect(safe_next(request, reverse("orders:detail", args=[order.pk])))


@login_required
def acknowledgements_view(request, pk):
    order = order_or_404(request, pk)
    if not user_can(request.user, "view_sheet", order):
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
            "may_edit": user_can(request.user, "edit", order),
        },
    )


@login_required
def acknowledgement_print_view(request, pk):
    order = order_or_404(request, pk)
    if not user_can(request.user, "view_sheet", order):
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
    order = order_or_404(request, pk)
    require_edit(request, order)
    added = services.acknowledgements_distribute(order=order, by=request.user)
    if added:
        messages.success(
            request, _("В лист ознакомления добавлено сотрудников: %(n)d.") % {"n": added}
        )
    else:
        messages.info(request, _("Все работающие сотрудники уже в листе ознакомления."))
    return redirect("orders:acknowledgements", pk=order.pk)


# --- The regulation: versions (point 1) and the publication (point 8) -----------------------------


def _order_for_regulation(request, pk) -> Order:
    """The order's regulation page: whoever reads the order, and the school's web editor."""
    return get_object_or_404(regulation_orders(user=request.user), pk=pk)


@login_required
def regulations_view(request, pk):
    order = _order_for_regulation(request, pk)
    regulations = list(
        order.regulations.select_related("published_by__person").order_by("-version")
    )
    may_manage = user_can(request.user, "manage_regulation", order)
    for regulation in regulations:
        regulation.may_publish = user_can(request.user, "publish", regulation)
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
    if not user_can(request.user, "manage_regulation", order):
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
        status=form_status(request, form),
    )


@login_required
def regulation_publish_view(request, pk):
    regulation = get_object_or_404(Regulation.objects.select_related("order"), pk=pk)
    order = _order_for_regulation(request, regulation.order_id)
    if not user_can(request.user, "publish", regulation):
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
        status=form_status(request, form),
    )


# --- The e-mail registering a new administrator (point 3) -----------------------------------------


@login_required
def admin_request_view(request):
    school = user_school(request.user)
    if school is None or not user_can(request.user, "view_admin_requests", school):
        raise PermissionDenied
    may_send = user_can(request.user, "send_admin_request", school)
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
                        "Заявку не удалось отправить: %(error)s. "
                        "Она сохранена, попробуйте ещё раз позже."
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
            "show_contacts": user_can(request.user, "see_contacts", Person),
        },
        status=form_status(request, form) if form else 200,
    )


def sent_to() -> str:
    return settings.SFERUM_SUPPORT_EMAIL
