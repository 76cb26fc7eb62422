"""Compliance checks of the invitations app (order No. 883, point 3).

- ``no_stale_invitations``: «аннулирует невостребованные ссылки-приглашения» — of the school's
  active links, how many are still within their term (a link past its term that is still active is
  stale: the hourly job has not retired it).
- ``join_requests_timely``: «рассматривает и принимает заявки на присоединение» — of the pending
  join requests, how many wait less than the school's ``join_request_max_pending_days``.

Each counts every school asked for in one grouped query; a school with nothing to count gets
0 of 0, which is complete (no stale link, no request waiting too long).
"""

from __future__ import annotations

import datetime

from django.db.models import Count, F, Q, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance.registry import Check, register
from compliance.sql import Days

from .models import Invitation, JoinRequest


def _moment(today: datetime.date) -> datetime.datetime:
    """The instant the figures are for: now for today, the end of the day for another date."""
    if today == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(
        datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time.min)
    )


@register
class NoStaleInvitations(Check):
    key = "no_stale_invitations"
    title = _("Нет действующих ссылок-приглашений с истёкшим сроком")
    unit = _("ссылок")

    def figure_rows(self, *, school_ids, today):
        moment = _moment(today)
        return (
            Invitation.objects.filter(school_id__in=school_ids, status=Invitation.Status.ACTIVE)
            .order_by()
            .values("school_id")
            .annotate(
                total=Count("pk"), done=Count("pk", filter=Invitation.usable_condition(moment))
            )
        )

    def missing_url(self, *, school_id):
        return reverse("invitations:list") + "?status=active"


@register
class JoinRequestsTimely(Check):
    key = "join_requests_timely"
    title = _("Заявки на присоединение рассматриваются в срок")
    unit = _("заявок")

    def figure_rows(self, *, school_ids, today):
        moment = _moment(today)
        # Each school has its own allowed wait: in time while created after «moment − that many
        # days».
        allowed_wait = Days("school__join_request_max_pending_days")
        return (
            JoinRequest.objects.filter(
                school_id__in=school_ids, status=JoinRequest.Status.PENDING, created_at__lte=moment
            )
            .alias(cutoff=Value(moment) - allowed_wait)
            .order_by()
            .values("school_id")
            .annotate(total=Count("pk"), done=Count("pk", filter=Q(created_at__gt=F("cutoff"))))
        )

    def missing_url(self, *, school_id):
        return reverse("invitations:join_requests") + "?status=pending"
