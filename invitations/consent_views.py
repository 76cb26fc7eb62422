"""The coordinator records a withdrawal of consent from a person's or parent's paper request."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from staff.access import user_can

from .consent import ConsentAlreadyWithdrawn, join_request_consent_withdraw
from .selectors import join_request_get


class WithdrawalForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Основание (заявление: дата, номер)"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Укажите, на основании какого заявления.")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def join_request_withdraw_consent_view(request, pk):
    join_request = join_request_get(user=request.user, pk=pk)
    if join_request is None:
        raise Http404
    # The coordinator (who changes the school's settings), within the requests they may review.
    if not (
        user_can(request.user, "review", join_request)
        and request.user.has_perm("staff.change_school")
    ):
        raise PermissionDenied
    if join_request.consent_withdrawn_at is not None:
        messages.warning(request, _("Отзыв согласия по этой заявке уже записан."))
        return redirect(reverse("invitations:join_requests"))
    form = WithdrawalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            join_request_consent_withdraw(
                join_request=join_request, by=request.user, note=form.cleaned_data["note"]
            )
        except ConsentAlreadyWithdrawn:
            messages.warning(request, _("Отзыв согласия по этой заявке уже записан."))
        else:
            messages.success(request, _("Отзыв согласия записан."))
        return redirect(reverse("invitations:join_requests"))
    return render(
        request,
        "invitations/withdraw_consent.html",
        {
            "join_request": join_request,
            "form": form,
            "retention_days": settings.PERSONAL_DATA_RETENTION_DAYS,
        },
        status=400 if request.method == "POST" else 200,
    )
