"""Staff screens for links and join requests (operator, coordinator, director, class teachers).

Views are thin: ``staff.access`` says what the user may see (a link outside it answers 404) and what
they may do (403), by the rules of ``invitations/access.py``; the services do it.
"""

from __future__ import annotations

import io
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gymnasium_portal.params import parse_id
from staff.access import user_can

from .access import link_filter_classes, link_issue_choices
from .forms import (
    BulkAnnulForm,
    InvitationCreateForm,
    InvitationFilterForm,
    JoinRequestFilterForm,
    ReasonForm,
)
from .links import invitation_link
from .models import Invitation, JoinRequest, Role
from .selectors import (
    invitation_get,
    invitation_history,
    invitation_join_requests,
    invitation_list,
    invitation_status_counts,
    join_request_get,
    join_request_list,
    join_requests_mark_duplicates,
)
from .services import (
    InvitationAlreadyReplaced,
    InvitationNotActive,
    JoinRequestNotPending,
    invitation_annul,
    invitation_create,
    invitation_reissue,
    invitations_annul,
    join_request_review,
    join_requests_approve,
)

PAGE_SIZE = 25
BULK_ANNUL_SHOWN = 200


def _require(request, action: str, obj) -> None:
    if not user_can(request.user, action, obj):
        raise PermissionDenied


def _invitation_or_404(request, pk) -> Invitation:
    invitation = invitation_get(user=request.user, pk=pk)
    if invitation is None:
        raise Http404
    return invitation


def _back(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


# --- Links ------------------------------------------------------------------------------------


@login_required
@require_GET
def invitation_list_view(request):
    _require(request, "list", Invitation)
    filter_form = InvitationFilterForm(
        request.GET or None, classes=link_filter_classes(request.user)
    )
    filters = filter_form.filters()
    page = Paginator(invitation_list(user=request.user, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "invitations/list.html",
        {
            "may_issue": user_can(request.user, "issue", Invitation),
            "may_annul": user_can(request.user, "annul", Invitation),
            "filter_form": filter_form,
            "filters": filters,
            "page": page,
            "status_counts": invitation_status_counts(user=request.user),
            "statuses": Invitation.Status,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitation_create_view(request):
    _require(request, "issue", Invitation)
    choices = link_issue_choices(request.user)
    initial = {
        "role": request.GET.get("role") or (Role.PARENT if not choices.school_wide else ""),
        "school_class": request.GET.get("school_class"),
        "max_uses": 1,
    }
    form = InvitationCreateForm(request.POST or None, choices=choices, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            invitation = invitation_create(
                school=data["school"],
                role=data["role"],
                platform_url=data["platform_url"],
                by=request.user,
                school_class=data.get("school_class"),
                max_uses=data["max_uses"],
                expires_at=data["expires_at"],
            )
            messages.success(
                request, _("Ссылка выдана. Отправьте её адресату или распечатайте QR-код.")
            )
            return redirect("invitations:detail", pk=invitation.pk)
        return render(request, "invitations/create.html", {"form": form}, status=400)
    return render(request, "invitations/create.html", {"form": form})


def _gone_label(invitation: Invitation) -> str:
    """Why the public page of the link answers 410, in words; "" while it can be used.

    A link past its term is gone before the hourly job has moved its status.
    """
    reason = invitation.gone_reason()
    return str(Invitation.Status(reason).label) if reason else ""


@login_required
@require_GET
def invitation_detail_view(request, pk):
    _require(request, "list", Invitation)
    invitation = _invitation_or_404(request, pk)
    join_requests = invitation_join_requests(invitation=invitation)
    return render(
        request,
        "invitations/detail.html",
        {
            "may_annul": user_can(request.user, "annul", invitation),
            "may_reissue": user_can(request.user, "reissue", invitation),
            "invitation": invitation,
            "link": invitation_link(invitation, request=request),
            "join_requests": join_requests,
            "history": invitation_history(invitation=invitation, join_requests=join_requests),
            "is_active": invitation.status == Invitation.Status.ACTIVE,  # may still be annulled
            "gone": _gone_label(invitation),
        },
    )


@login_required
@require_GET
def invitation_qr_view(request, pk):
    _require(request, "list", Invitation)
    invitation = _invitation_or_404(request, pk)
    qr = segno.make(invitation_link(invitation, request=request), error="m")
    svg = io.BytesIO()
    qr.save(
        svg,
        kind="svg",
        scale=8,
        border=2,
        xmldecl=True,
        svgns=True,
        title=_("QR-код ссылки-приглашения"),
        encoding="utf-8",
    )
    response = HttpResponse(svg.getvalue(), content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = f'inline; filename="invitation-{invitation.pk}.svg"'
    return response


@login_required
@require_GET
def invitation_print_view(request, pk):
    _require(request, "list", Invitation)
    invitation = _invitation_or_404(request, pk)
    return render(
        request,
        "invitations/print.html",
        {
            "invitation": invitation,
            "link": invitation_link(invitation, request=request),
            "gone": _gone_label(invitation),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitation_annul_view(request, pk):
    invitation = _invitation_or_404(request, pk)
    _require(request, "annul", invitation)
    form = ReasonForm(request.POST or None)
    if invitation.status != Invitation.Status.ACTIVE:
        messages.warning(request, _("Ссылка уже не действует: аннулировать нечего."))
        return redirect("invitations:detail", pk=invitation.pk)
    if request.method == "POST":
        if form.is_valid():
            try:
                invitation_annul(
                    invitation=invitation, by=request.user, reason=form.cleaned_data["reason"]
                )
            except InvitationNotActive:
                messages.warning(request, _("Ссылка уже не действует: аннулировать нечего."))
            else:
                messages.success(request, _("Ссылка аннулирована."))
            return redirect("invitations:detail", pk=invitation.pk)
        return render(
            request, "invitations/annul.html", {"invitation": invitation, "form": form}, status=400
        )
    return render(request, "invitations/annul.html", {"invitation": invitation, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def invitation_reissue_view(request, pk):
    invitation = _invitation_or_404(request, pk)
    _require(request, "reissue", invitation)
    if invitation.replaced_by_id:
        messages.info(request, _("Ссылка уже перевыпущена."))
        return redirect("invitations:detail", pk=invitation.replaced_by_id)
    if request.method == "POST":
        try:
            new = invitation_reissue(invitation=invitation, by=request.user)
        except InvitationAlreadyReplaced:
            invitation.refresh_from_db()
            messages.info(request, _("Ссылка уже перевыпущена."))
            return redirect("invitations:detail", pk=invitation.replaced_by_id)
        except ValidationError as error:  # the class was archived meanwhile
            messages.error(request, " ".join(error.messages))
            return redirect("invitations:detail", pk=invitation.pk)
        messages.success(request, _("Выдана новая ссылка; прежняя аннулирована."))
        return redirect("invitations:detail", pk=new.pk)
    return render(request, "invitations/reissue.html", {"invitation": invitation})


@login_required
@require_http_methods(["GET", "POST"])
def invitation_bulk_annul_view(request):
    _require(request, "annul", Invitation)
    data = request.POST if request.method == "POST" else request.GET
    filter_form = InvitationFilterForm(data, classes=link_filter_classes(request.user))
    if not filter_form.is_valid():
        raise Http404
    filters = filter_form.filters()
    selection = invitation_list(user=request.user, filters=filters).filter(
        status=Invitation.Status.ACTIVE
    )
    form = BulkAnnulForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data.get("as_of"):
            # Links issued after the confirmation was shown are not part of what the user confirmed.
            selection = selection.filter(created_at__lte=form.cleaned_data["as_of"])
        count = invitations_annul(
            queryset=selection, by=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("Аннулировано ссылок: %(count)s.") % {"count": count})
        return redirect(
            f"{reverse('invitations:list')}?{_filter_query(filters, status='annulled')}"
        )
    return render(
        request,
        "invitations/bulk_annul.html",
        {
            "form": form,
            "filter_form": filter_form,
            "filters": filters,
            "count": selection.count(),
            # What the confirmation names, link by link (the first BULK_ANNUL_SHOWN of them).
            "links": list(
                selection.select_related("school_class").order_by("pk")[:BULK_ANNUL_SHOWN]
            ),
            "shown": BULK_ANNUL_SHOWN,
            "as_of": request.POST.get("as_of") or timezone.now().isoformat(),
            "list_query": _filter_query(filters),
        },
        status=400 if request.method == "POST" else 200,
    )


def _filter_query(filters, **override) -> str:
    params = {
        "status": filters.status,
        "role": filters.role,
        "school_class": filters.school_class or "",
    }
    params.update(override)
    return urlencode({key: value for key, value in params.items() if value})


# --- Join requests ----------------------------------------------------------------------------


@login_required
@require_GET
def join_request_list_view(request):
    _require(request, "list", JoinRequest)
    data = request.GET.copy()
    data.setdefault("status", JoinRequest.Status.PENDING)
    filter_form = JoinRequestFilterForm(data, classes=link_filter_classes(request.user))
    filters = filter_form.filters()
    queryset = join_requests_mark_duplicates(
        join_request_list(user=request.user, filters=filters)
    ).order_by("created_at", "pk")
    if filters.status != JoinRequest.Status.PENDING:
        queryset = queryset.order_by("-created_at", "-pk")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "invitations/join_requests.html",
        {
            "may_review": user_can(request.user, "review", JoinRequest),
            "filter_form": filter_form,
            "filters": filters,
            "page": page,
            "pending": JoinRequest.Status.PENDING,
        },
    )


@login_required
@require_POST
def join_request_approve_view(request, pk):
    join_request = join_request_get(user=request.user, pk=pk)
    if join_request is None:
        raise Http404
    _require(request, "review", join_request)
    try:
        join_request_review(join_request=join_request, by=request.user, approve=True)
    except JoinRequestNotPending:
        messages.warning(request, _("Заявка уже рассмотрена."))
    else:
        messages.success(request, _("Заявка %(name)s принята.") % {"name": join_request.full_name})
    return redirect(_back(request, reverse("invitations:join_requests")))


@login_required
@require_http_methods(["GET", "POST"])
def join_request_reject_view(request, pk):
    join_request = join_request_get(user=request.user, pk=pk)
    if join_request is None:
        raise Http404
    _require(request, "review", join_request)
    if join_request.status != JoinRequest.Status.PENDING:
        messages.warning(request, _("Заявка уже рассмотрена."))
        return redirect(reverse("invitations:join_requests"))
    form = ReasonForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                join_request_review(
                    join_request=join_request,
                    by=request.user,
                    approve=False,
                    reason=form.cleaned_data["reason"],
                )
            except JoinRequestNotPending:
                messages.warning(request, _("Заявка уже рассмотрена."))
            else:
                messages.success(
                    request, _("Заявка %(name)s отклонена.") % {"name": join_request.full_name}
                )
            return redirect(_back(request, reverse("invitations:join_requests")))
        return render(
            request,
            "invitations/reject.html",
            {"join_request": join_request, "form": form},
            status=400,
        )
    return render(request, "invitations/reject.html", {"join_request": join_request, "form": form})


@login_required
@require_POST
def join_request_bulk_approve_view(request):
    _require(request, "review", JoinRequest)
    ids = [
        number
        for number in (parse_id(value) for value in request.POST.getlist("ids"))
        if number is not None
    ]
    if not ids:
        messages.warning(request, _("Отметьте заявки, которые нужно принять."))
        return redirect(_back(request, reverse("invitations:join_requests")))
    count = join_requests_approve(
        queryset=join_request_list(user=request.user).filter(pk__in=ids), by=request.user
    )
    messages.success(request, _("Принято заявок: %(count)s.") % {"count": count})
    return redirect(_back(request, reverse("invitations:join_requests")))
