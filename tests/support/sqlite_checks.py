# Run with `manage.py shell` on the embedded SQLite database (tests/test_embedded_sqlite.py): every
# compliance check counts there too, and the per-school wait of join_requests_timely is computed
# in SQLite's own arithmetic (durations as microseconds) — checked against known figures.
import datetime

from django.utils import timezone

from compliance.registry import Figure, all_checks, checks_evaluate
from invitations.models import JoinRequest
from staff.models import School
from staff.services import municipality_named

now = timezone.now()
town = municipality_named("Сыктывкар")
strict = School.objects.create(
    name="Школа А", short_name="А", municipality=town, join_request_max_pending_days=3
)
lenient = School.objects.create(
    name="Школа Б", short_name="Б", municipality=town, join_request_max_pending_days=10
)
for school, ages in ((strict, (0, 5)), (lenient, (5,))):
    for days in ages:
        request = JoinRequest.objects.create(
            school=school, role="staff", full_name="Иванов", consent=True
        )
        JoinRequest.objects.filter(pk=request.pk).update(
            created_at=now - datetime.timedelta(days=days, hours=1)
        )

figures = checks_evaluate(
    school_ids_by_check={"join_requests_timely": [strict.pk, lenient.pk]},
    today=timezone.localdate(),
)["join_requests_timely"]
assert figures == {strict.pk: Figure(1, 2), lenient.pk: Figure(1, 1)}, figures

every = checks_evaluate(
    school_ids_by_check={
        key: list(School.objects.values_list("pk", flat=True)) for key in all_checks()
    },
    today=timezone.localdate(),
)
assert set(every) == set(all_checks()), every
print("sqlite checks ok:", len(every), "checks")
