"""The coordinator's accounts page (create, reset, deactivate — own school only) and the person's
side: set the password through the one-time link, or redeem a one-time code first."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_ratelimit.decorators import ratelimit

from staff.access import user_can
from staff.models import Person, School
from staff.selectors import user_school

from . import services

DONE_SESSION_KEY = "roster_account_username"
PAGE_SIZE = 50
FILTERS = {
    "all": Q(),
    "none": Q(user__isnull=True),
    "pending": Q(user__isnull=False, user__is_active=True, user__password__startswith="!"),
    "disabled": Q(user__is_active=False),
}


def _school(request) -> School:
    school = user_school(request.user)
    if school is None or not user_can(request.user, "manage_accounts", school):
        raise PermissionDenied
    return school


def _person(request, pk) -> tuple[School, Person]:
    school = _school(request)
    person = get_object_or_404(
        Person.objects.select_related("user", "school"), pk=pk, school=school, is_active=True
    )
    return school, person


def _origin(request) -> str:
    return request.build_absolute_uri("/")


@login_required
def accounts_view(request):
    school = _school(request)
    shown = request.GET.get("show", "all")
    people = (
        Person.objects.filter(school=school, is_active=True)
        .filter(FILTERS.get(shown, Q()))
        .select_related("user")
        .order_by("full_name", "pk")
    )
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    for person in page.object_list:
        person.account_state = services.account_state(person)
    return render(
        request,
        "roster/accounts.html",
        {
            "page": page,
            "show": shown,
            "without_login": services.people_without_login(school).count(),
        },
    )


def _issued_response(request, issued: list[services.Issued]):
    """E-mails are on their way; codes are shown once, on a sheet to print, and never again."""
    emailed = [i for i in issued if i.emailed]
    codes = [i for i in issued if i.code]
    if emailed:
        messages.success(
            request,
            ngettext(
                "Письмо со ссылкой для установки пароля отправлено %(count)d сотруднику.",
                "Письма со ссылкой для установки пароля отправлены %(count)d сотрудникам.",
                len(emailed),
            )
            % {"count": len(emailed)},
        )
    if not codes:
        return redirect("staff:accounts")
    return render(
        request,
        "roster/account_codes.html",
        {
            "codes": codes,
            "code_url": request.build_absolute_uri(reverse("account:code"))
            if not services.base_url()
            else services.base_url() + reverse("account:code"),
            "days": services.CODE_TERM.days,
        },
    )


@login_required
def account_create_view(request, pk):
    _school_, person = _person(request, pk)
    if request.method != "POST":
        return redirect("staff:accounts")
    if person.user_id:
        messages.info(request, _("У сотрудника уже есть учётная запись."))
        return redirect("staff:accounts")
    issued = services.account_create(person=person, by=request.user, origin=_origin(request))
    return _issued_response(request, [issued])


@login_required
def accounts_create_all_view(request):
    school = _school(request)
    people = list(services.people_without_login(school))
    if request.method == "POST":
        if not people:
            messages.info(request, _("У всех сотрудников уже есть учётные записи."))
            return redirect("staff:accounts")
        issued = services.accounts_create_missing(
            school=school, by=request.user, origin=_origin(request)
        )
        return _issued_response(request, issued)
    return render(request, "roster/accounts_create_all.html", {"people": people})


@login_required
def account_reset_view(request, pk):
    _school_, person = _person(request, pk)
    if person.user is None:
        raise PermissionDenied
    if request.method == "POST":
        issued = services.account_password_reset(
            person=person, by=request.user, origin=_origin(request)
        )
        return _issued_response(request, [issued])
    return render(
        request,
        "roster/account_confirm.html",
        {
            "person": person,
            "title": _("Сбросить пароль"),
            "text": _("Прежний пароль перестанет действовать сразу. %(how)s")
            % {
                "how": _("На %(email)s придёт новая ссылка для установки пароля.")
                % {"email": person.email}
                if person.email
                else _("Будет напечатан новый одноразовый код.")
            },
            "button": _("Сбросить пароль"),
            "danger": True,
        },
    )


@login_required
def account_active_view(request, pk, active: bool):
    _school_, person = _person(request, pk)
    if person.user is None:
        raise PermissionDenied
    if person.user_id == request.user.pk and not active:
        messages.error(request, _("Свою учётную запись отключить нельзя."))
        return redirect("staff:accounts")
    if request.method == "POST":
        services.account_set_active(person=person, active=active, by=request.user)
        messages.success(
            request,
            (
                _("%(name)s: учётная запись включена.")
                if active
                else _("%(name)s: учётная запись отключена, вход невозможен.")
            )
            % {"name": person.full_name},
        )
        return redirect("staff:accounts")
    return render(
        request,
        "roster/account_confirm.html",
        {
            "person": person,
            "title": _("Включить учётную запись") if active else _("Отключить учётную запись"),
            "text": _("Сотрудник снова сможет входить на портал.")
            if active
            else _(
                "Сотрудник не сможет войти на портал; ключи API перестанут действовать. "
                "Права на классы и чаты остаются за сотрудником."
            ),
            "button": _("Включить") if active else _("Отключить"),
            "danger": not active,
        },
    )


# --- The person's side (no login) ----------------------------------------------------------------


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """Django's password-reset confirmation: the token dies once the password is set."""

    template_name = "roster/account_set_password.html"
    success_url = reverse_lazy("account:done")
    reset_url_token = "set-password"

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form):
        self.request.session[DONE_SESSION_KEY] = form.user.get_username()
        return super().form_valid(form)

    def render_to_response(self, context, **kwargs):
        if not context.get("validlink"):
            kwargs.setdefault("status", 410)
        return super().render_to_response(context, **kwargs)


def account_done_view(request):
    username = request.session.pop(DONE_SESSION_KEY, None)
    return render(request, "roster/account_done.html", {"username": username})


class CodeForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Логин (с листка)"), max_length=150)
    code = forms.CharField(label=gettext_lazy("Одноразовый код"), max_length=32)


@ratelimit(key="post:username", rate="10/h", method="POST", block=False)
def account_code_view(request):
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if getattr(request, "limited", False):
            form.add_error(None, _("Слишком много попыток. Попробуйте через час."))
            status = 429
        elif form.is_valid():
            user = services.login_code_redeem(
                username=form.cleaned_data["username"], code=form.cleaned_data["code"]
            )
            if user is not None:
                return redirect(
                    "account:set_password",
                    uidb64=urlsafe_base64_encode(force_bytes(user.pk)),
                    token=default_token_generator.make_token(user),
                )
            form.add_error(None, _("Неверный логин или код, или код уже использован."))
            status = 400
        else:
            status = 400
    return render(request, "roster/account_code.html", {"form": form}, status=status)
