"""URLconf of the benchmarks served over HTTP (``bench_invite``, ``bench_board``; never mounted in
the portal).

The portal's own URLs plus minimal views to compare with, served by the same gunicorn in the same
run: ``/bench/baseline/`` (no database), ``/bench/baseline-db/`` (one ``SELECT 1``, like a health
check) and ``/bench/use-floor/<id>/`` — the floor of a link use: only the two durable writes every
use must make, in one transaction; ``/bench/use-floor-read/<token>/`` — the same after the read
every use must also make (the link by its token); ``/bench/signed-in-one-query/`` — the floor of a
signed-in page: the session and the user loaded, one query, a tiny page (the board's yardstick).
"""

import functools

from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.db.models import F
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_POST

from gymnasium_portal.urls import urlpatterns as portal_urlpatterns
from invitations.models import Invitation, JoinRequest
from staff.models import School


def baseline(request):
    return HttpResponse("ok", content_type="text/plain")


def baseline_db(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok", content_type="text/plain")


@functools.cache
def _link(invitation_id: int) -> tuple[int, int | None, str]:
    """The link's school, class and role, read once per worker: the floor measures the writes."""
    return Invitation.objects.values_list("school_id", "school_class_id", "role").get(
        pk=invitation_id
    )


def the_two_writes(
    *, invitation_id: int, school_id, school_class_id, role, full_name: str, child_name: str = ""
) -> None:
    """One counted use and one join request, in one transaction: what every use must write (also
    timed alone by ``devtools/use_breakdown.py``)."""
    with transaction.atomic():
        Invitation.objects.filter(pk=invitation_id).update(uses=F("uses") + 1)
        JoinRequest.objects.create(
            school_id=school_id,
            invitation_id=invitation_id,
            role=role,
            school_class_id=school_class_id,
            full_name=full_name,
            child_name=child_name,
            consent=True,
        )


def _the_two_writes_of(request, invitation_id: int, school_id, school_class_id, role) -> None:
    the_two_writes(
        invitation_id=invitation_id,
        school_id=school_id,
        school_class_id=school_class_id,
        role=role,
        full_name=request.POST["full_name"],
        child_name=request.POST.get("child_name", ""),
    )


@require_POST
def use_floor(request, invitation_id: int):
    """The unavoidable part of ``POST /invite/<token>/``: one counted use and one join request, in
    one transaction, behind the same middleware (CSRF included) — no token lookup, no checks, no
    form, no page. Bench only: it counts a use whatever the link's state."""
    _the_two_writes_of(request, invitation_id, *_link(invitation_id))
    return HttpResponse("ok", content_type="text/plain")


@require_POST
def use_floor_read(request, token: str):
    """The floor again with the read every use must also make: the link found by its token (one
    query, no joins), then the same two writes in one transaction."""
    invitation_id, *link = Invitation.objects.values_list(
        "pk", "school_id", "school_class_id", "role"
    ).get(token=token)
    _the_two_writes_of(request, invitation_id, *link)
    return HttpResponse("ok", content_type="text/plain")


@login_required
def signed_in_one_query_view(request):
    """One query behind the login, as the board is: the session and the user are loaded first."""
    return HttpResponse(f"<p>{request.user.username}: {School.objects.count()}</p>")


urlpatterns = [
    path("bench/baseline/", baseline),
    path("bench/baseline-db/", baseline_db),
    path("bench/use-floor/<int:invitation_id>/", use_floor),
    path("bench/use-floor-read/<str:token>/", use_floor_read),
    path("bench/signed-in-one-query/", signed_in_one_query_view),
    *portal_urlpatterns,
]
