"""The messenger's addresses: the MAX webhook, the operator's «Неподключённые чаты», the person's
own MAX page (their one-time deep link)."""

from __future__ import annotations

import hmac
import json
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from staff.selectors import user_person, user_school
from staff.services import school_verified_chats_only_set

from .bindings import person_max_link, platform_chat_bind_by_hand, unbound_platform_chats
from .client import integration_enabled
from .forms import BindChatForm
from .inbox import BadUpdate, inbox_store
from .models import MaxAccount
from .tasks import process_update_enqueue

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Max-Bot-Api-Secret"
UNBOUND_PER_PAGE = 25


def _secret_matches(request: HttpRequest) -> bool:
    expected = settings.MAX_WEBHOOK_SECRET.encode()
    given = request.headers.get(SECRET_HEADER, "").encode()
    # Constant time whatever the secret given; an unset secret matches nothing.
    return bool(expected) & hmac.compare_digest(given, expected)


@csrf_exempt
@require_POST
def webhook(request):
    """``POST /max/webhook/``: store the update, queue its processing, answer at once (API.md)."""
    if not integration_enabled():
        return JsonResponse({"detail": _("Интеграция с МАХ выключена.")}, status=404)
    if not _secret_matches(request):
        return JsonResponse({"detail": _("Неверный секрет вебхука.")}, status=401)
    try:
        update = json.loads(request.body)
        with transaction.atomic():
            stored, created = inbox_store(update)
            if created:
                transaction.on_commit(lambda: process_update_enqueue(stored.pk))
    except (ValueError, UnicodeDecodeError, BadUpdate) as exc:
        return JsonResponse({"detail": _("Некорректное событие: %s") % exc}, status=400)
    return JsonResponse({"success": True})


def _operator_school_or_403(request):
    school = user_school(request.user)
    if school is None or not request.user.has_perm("chats.change_chat"):
        raise PermissionDenied
    return school


@login_required
@require_http_methods(["GET", "POST"])
def unbound_chats(request):
    """The MAX chats the bot is in that no portal chat is bound to; the operator binds one by hand
    to a chat of a class (by class and kind)."""
    school = _operator_school_or_403(request)
    enabled = integration_enabled()
    chats = unbound_platform_chats(school=school) if enabled else None
    form = None
    if enabled and request.method == "POST":
        assert chats is not None
        platform_chat = get_object_or_404(chats, pk=request.POST.get("platform_chat", ""))
        form = BindChatForm(request.POST, school=school, platform_chat=platform_chat)
        if form.is_valid():
            try:
                chat = platform_chat_bind_by_hand(
                    platform_chat=platform_chat, chat=form.target_chat(by=request.user)
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request, _("Чат МАХ «%(title)s» привязан.") % {"title": chat.title}
                )
                return redirect("messenger:unbound_chats")
    page = Paginator(chats, UNBOUND_PER_PAGE).get_page(request.GET.get("page")) if chats else None
    rows = [
        (platform_chat, BindChatForm(school=school, platform_chat=platform_chat))
        for platform_chat in (page.object_list if page else [])
    ]
    return render(
        request,
        "messenger/unbound_chats.html",
        {"enabled": enabled, "page": page, "rows": rows, "form": form, "school": school},
        status=400 if form is not None else 200,
    )


@login_required
@require_POST
def point4_setting(request):
    """The school's setting: point 4 counts only the chats MAX confirms, or every chat."""
    school = _operator_school_or_403(request)
    value = request.POST.get("verified_chats_only") == "on"
    school_verified_chats_only_set(school=school, value=value)
    messages.success(
        request,
        _("П. 4 теперь учитывает только чаты, подтверждённые в МАХ.")
        if value
        else _("П. 4 учитывает все внесённые чаты."),
    )
    return redirect("messenger:unbound_chats")


@login_required
@require_GET
def my_account(request):
    """The person's own MAX page: bound or not, and the one-time deep link to bind."""
    person = user_person(request.user)
    if person is None:
        raise Http404
    enabled = integration_enabled()
    link = person_max_link(person=person) if enabled else None
    account = MaxAccount.objects.filter(person=person).first()
    return render(
        request,
        "messenger/my_account.html",
        {"enabled": enabled, "link": link, "account": account, "person": person},
    )
