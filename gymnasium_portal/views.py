"""Project-level views: the start page, the health check and the error pages."""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from kombu import Connection
from rest_framework.exceptions import ParseError

from orders.selectors import my_tasks
from staff.access import user_can
from staff.models import Municipality, School
from staff.selectors import (
    inspected_municipality_id,
    school_list,
    user_person,
    user_sees_all_schools,
)

logger = logging.getLogger(__name__)

# A load balancer polls /healthz every few seconds: a broker that does not answer must cost it
# seconds, not the page's whole timeout.
BROKER_TIMEOUT_SECONDS = 2


@login_required
def home(request):
    overdue = [task for task in my_tasks(user=request.user) if task.overdue]
    context = {"greeting_name": _greeting_name(request.user), "overdue_tasks": overdue}
    if user_person(request.user) is None and user_sees_all_schools(request.user):
        context["inspected"] = _inspected(request.user)
    return render(request, "home.html", context)


def _inspected(user) -> dict:
    """The inspector's home page is about their schools: how many, in which municipality."""
    municipality_id = inspected_municipality_id(user)
    municipality = (
        Municipality.objects.filter(pk=municipality_id).first() if municipality_id else None
    )
    return {
        "municipality": municipality,
        "schools": school_list(user=user).count(),
        "municipalities": Municipality.objects.filter(schools__isnull=False).distinct().count()
        if municipality is None
        else 1,
        "can_add_school": user_can(user, "add", School),
    }


def _greeting_name(user) -> str:
    """«Мария Петровна» out of «Иванова Мария Петровна»: the polite Russian form of address; for an
    account without a staff record (an inspector), its first name («Ольга Николаевна»). Never the
    login."""
    person = user_person(user)
    if person is None:
        return user.first_name.strip() or user.get_full_name()
    parts = person.full_name.split()
    if len(parts) == 3:
        return f"{parts[1]} {parts[2]}"
    return person.full_name


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure means "not usable"; the reason goes to the log, not the page
        logger.warning("healthz: the database does not answer", exc_info=True)
        return False
    return True


def _broker_ok() -> bool:
    broker = Connection(
        settings.CELERY_BROKER_URL,
        transport_options=getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}),
        connect_timeout=BROKER_TIMEOUT_SECONDS,
    )
    try:
        broker.ensure_connection(
            max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT_SECONDS
        )
    except Exception:
        logger.warning("healthz: the Celery broker does not answer", exc_info=True)
        return False
    finally:
        broker.release()
    return True


def favicon(request):
    """/favicon.ico, which browsers ask for on pages without an icon link (the admin, the API
    docs): the portal's icon, resolved per request (production's file names carry a hash)."""
    return redirect(static("portal/favicon.svg"))


@never_cache
def healthz(request):
    """200 when the database and the broker both answer; 503 naming the part that does not."""
    parts = {
        "database": "ok" if _database_ok() else "error",
        "broker": "ok" if _broker_ok() else "error",
    }
    healthy = all(value == "ok" for value in parts.values())
    return JsonResponse(parts, status=200 if healthy else 503)


def bad_request(request, exception=None):
    # A malformed request (a NUL character, a body Django cannot parse): JSON under /api/, as DRF's
    # own «Искаженный запрос.»; the page takes nothing from the request's input.
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(ParseError.default_detail)}, status=400)
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    # An API client gets JSON, as from DRF's own 404s (e.g. a non-numeric id in /api/v1/orders/x/).
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Не найдено."}, status=404)
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors: whatever broke the page (the database, a template tag)
    # may break them too.
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render())
