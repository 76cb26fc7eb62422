"""URLconf of the ``bench_invite`` benchmark only (never mounted in the portal).

The portal's own URLs plus two minimal views to compare link use against, served by the same
gunicorn in the same run: ``/bench/baseline/`` (no database) and ``/bench/baseline-db/`` (one
``SELECT 1``, like a health check).
"""

from django.db import connection
from django.http import HttpResponse
from django.urls import path

from gymnasium_portal.urls import urlpatterns as portal_urlpatterns


def baseline(request):
    return HttpResponse("ok", content_type="text/plain")


def baseline_db(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/baseline/", baseline),
    path("bench/baseline-db/", baseline_db),
    *portal_urlpatterns,
]
