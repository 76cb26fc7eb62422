"""Writes for orders: the order and its points, responsibility, evidence, the acknowledgement
sheet, the regulation and its publication, the e-mail registering a new administrator, the
deadlines job."""

from __future__ import annotations

import datetime
import logging
from typing import cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, models, transaction
from django.db.models import Max, Value
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.sql import insert_from_select
from staff.models import Person, School

from .models import (
    Acknowledgement,
    AdminRegistrationRequest,
    Order,
    OrderEvent,
    OrderPoint,
    PointEvidence,
    Regulation,
    Responsibility,
)

logger = logging.getLogger(__name__)

ORDER_FIELDS = (
    "number",
    "date",
    "title",
    "basis",
    "preamble",
    "signed_by",
    "distribution_note",
    "status",
    "file",
)
POINT_FIELDS = ("number", "position", "parent", "text", "deadline", "check_key")


def _event(
    *, order: Order, kind: str, by, point: OrderPoint | None = None, message: str = ""
) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order, point=point, kind=kind, actor=by, message=message[:300]
    )


def _verbose_name(model: type[models.Model], name: str) -> str:
    """The verbose name of a field (ORDER_FIELDS and POINT_FIELDS are fields, not relations)."""
    return str(cast(models.Field, model._meta.get_field(name)).verbose_name)


def _check_school(obj, school_id: int, what: str) -> None:
    if obj is not None and obj.school_id != school_id:
        raise ValidationError({what: _("Сотрудник другой школы.")})


# --- Orders and points ------------------------------------------------------------------------


@transaction.atomic
def order_create(*, school: School, by, distribute: bool = True, **fields) -> Order:
    """Enter an order; by default it is sent to every active member of staff (the distribution
    list)."""
    _check_school(fields.get("signed_by"), school.pk, "signed_by")
    order = Order(
        school=school, **{name: value for name, value in fields.items() if name in ORDER_FIELDS}
    )
    order.full_clean()
    order.save()
    _event(order=order, kind=OrderEvent.Kind.ORDER_CREATED, by=by, message=str(order))
    if distribute:
        acknowledgements_distribute(order=order, by=by)
    return order


@transaction.atomic
def order_update(*, order: Order, by, **fields) -> Order:
    _check_school(fields.get("signed_by"), order.school_id, "signed_by")
    changed = [
        name for name in ORDER_FIELDS if name in fields and getattr(order, name) != fields[name]
    ]
    for name in changed:
        setattr(order, name, fields[name])
    if changed:
        order.full_clean()
        order.save()
        labels = ", ".join(_verbose_name(Order, name) for name in changed)
        _event(order=order, kind=OrderEvent.Kind.ORDER_CHANGED, by=by, message=labels)
    return order


def _point_validate(point: OrderPoint) -> None:
    parent = point.parent if point.parent_id else None
    if parent is not None and parent.order_id != point.order_id:
        raise ValidationError({"parent": _("Пункт другого приказа.")})
    if point.parent_id and point.pk and point.parent_id == point.pk:
        raise ValidationError({"parent": _("Пункт не может входить сам в себя.")})
    point.full_clean()


@transaction.atomic
def point_create(*, order: Order, by, **fields) -> OrderPoint:
    point = OrderPoint(
        order=order, **{name: value for name, value in fields.items() if name in POINT_FIELDS}
    )
    if "position" not in fields or fields["position"] is None:
        point.position = (order.points.aggregate(last=Max("position"))["last"] or 0) + 1
    _point_validate(point)
    point.save()
    _event(
        order=order,
        point=point,
        kind=OrderEvent.Kind.POINT_CREATED,
        by=by,
        message=f"п. {point.number}",
    )
    return point


def _date(value: datetime.date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else str(_("постоянно"))


def _date_changed(*, order, point, what: str, old, new, reason: str, by) -> None:
    """A recorded date moved: only with a reason, and the history says from what to what and why."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"date_change_reason": _("Дата уже записана: укажите причину её изменения.")}
        )
    message = _("%(what)s: %(old)s → %(new)s. Причина: %(reason)s") % {
        "what": what,
        "old": _date(old),
        "new": _date(new),
        "reason": reason,
    }
    _event(
        order=order, point=point, kind=OrderEvent.Kind.DATE_CHANGED, by=by, message=message[:300]
    )


@transaction.atomic
def point_update(*, point: OrderPoint, by, date_change_reason: str = "", **fields) -> OrderPoint:
    """Change a point; moving a deadline already recorded needs ``date_change_reason`` (issue 12,
    item 5: a deadline is not quietly moved past the day the point was done)."""
    changed = [
        name for name in POINT_FIELDS if name in fields and getattr(point, name) != fields[name]
    ]
    old_deadline = point.deadline
    for name in changed:
        setattr(point, name, fields[name])
    if "deadline" in changed and old_deadline is not None:
        _date_changed(
            order=point.order,
            point=point,
            what=_("Срок пункта"),
            old=old_deadline,
            new=point.deadline,
            reason=date_change_reason,
            by=by,
        )
    return _point_save_changed(point=point, by=by, changed=changed)


def _point_save_changed(*, point: OrderPoint, by, changed: list[str]) -> OrderPoint:
    if changed:
        _point_validate(point)
        point.save()
        details = []
        for name in changed:
            label = _verbose_name(OrderPoint, name)
            if name == "deadline":
                value = point.deadline.strftime("%d.%m.%Y") if point.deadline else _("постоянно")
                label = f"{label}: {value}"
            elif name == "check_key":
                label = f"{label}: {point.check_key or '—'}"
            details.append(label)
        _event(
            order=point.order,
            point=point,
            kind=OrderEvent.Kind.POINT_CHANGED,
            by=by,
            message=", ".join(details),
        )
    return point


def responsibility_assign(*, point: OrderPoint, person: Person, role: str, by) -> Responsibility:
    """Name a person on a point; a point has at most one primary and names a person once."""
    if person.school_id != point.order.school_id:
        raise ValidationError({"person": _("Сотрудник другой школы.")})
    if not person.is_active:
        raise ValidationError({"person": _("Сотрудник уволен.")})
    if role == Responsibility.Role.PRIMARY and point.responsibilities.filter(role=role).exists():
        raise ValidationError(
            {"role": _("У пункта уже есть ответственный; снимите его или назначьте замещающего.")}
        )
    if point.responsibilities.filter(person=person).exists():
        raise ValidationError({"person": _("Этот сотрудник уже назначен на пункт.")})
    try:
        with transaction.atomic():
            responsibility = Responsibility.objects.create(point=point, person=person, role=role)
            _event(
                order=point.order,
                point=point,
                kind=OrderEvent.Kind.RESPONSIBLE_ADDED,
                by=by,
                message=f"{person.full_name} ({responsibility.get_role_display()})",
            )
    except IntegrityError as exc:  # a concurrent assignment won the race
        raise ValidationError(
            _("Назначение уже изменено другим пользователем; обновите страницу.")
        ) from exc
    return responsibility


@transaction.atomic
def responsibility_remove(*, responsibility: Responsibility, by) -> None:
    point = responsibility.point
    _event(
        order=point.order,
        point=point,
        kind=OrderEvent.Kind.RESPONSIBLE_REMOVED,
        by=by,
        message=f"{responsibility.person.full_name} ({responsibility.get_role_display()})",
    )
    responsibility.delete()


@transaction.atomic
def evidence_add(
    *, point: OrderPoint, by, file=None, url: str = "", comment: str = ""
) -> PointEvidence:
    evidence = PointEvidence(point=point, file=file or "", url=url, comment=comment, added_by=by)
    if not (file or url or comment):
        raise ValidationError(_("Приложите файл, укажите ссылку или напишите комментарий."))
    evidence.full_clean()
    evidence.save()
    _event(
        order=point.order,
        point=point,
        kind=OrderEvent.Kind.EVIDENCE_ADDED,
        by=by,
        message=url or (file.name if file else comment[:120]),
    )
    return evidence


# --- The acknowledgement sheet (the footer: «направлен всем заинтересованным лицам») --------------


def acknowledgements_distribute(*, order: Order, by=None, persons=None) -> int:
    """Put people on the order's distribution list: every active member of staff by default.

    One INSERT … SELECT; people already on the list are skipped, so it is safe to repeat (e.g. to
    add staff hired after the order was sent).
    """
    people = (
        persons
        if persons is not None
        else Person.objects.filter(school_id=order.school_id, is_active=True)
    )
    rows = (
        people.filter(school_id=order.school_id)
        .order_by()
        .annotate(f_order=Value(order.pk), f_created=Value(timezone.now()))
        .values_list("f_order", "pk", "f_created", "f_created")
    )
    added = insert_from_select(
        Acknowledgement, ("order", "person", "created_at", "updated_at"), rows
    )
    if added:
        _event(
            order=order,
            kind=OrderEvent.Kind.DISTRIBUTED,
            by=by,
            message=_("в лист ознакомления добавлено: %d") % added,
        )
    return added


def acknowledgement_confirm(*, order: Order, person: Person) -> bool:
    """One click: the person has read the order. Only the first click counts (the date stays)."""
    now = timezone.now()
    changed = Acknowledgement.objects.filter(
        order=order, person=person, acknowledged_at__isnull=True
    ).update(acknowledged_at=now, updated_at=now)
    return bool(changed)


# --- The regulation (points 1 and 8) -------------------------------------------------------------


@transaction.atomic
def regulation_upload(
    *, order: Order, title: str, approved_on: datetime.date, file, by
) -> Regulation:
    """A new version of the regulation approved by the order (the previous versions stay)."""
    Order.objects.select_for_update().filter(
        pk=order.pk
    ).first()  # versions are numbered one at a time
    version = (order.regulations.aggregate(last=Max("version"))["last"] or 0) + 1
    regulation = Regulation(
        school_id=order.school_id,
        order=order,
        title=title,
        approved_on=approved_on,
        file=file,
        version=version,
    )
    regulation.full_clean()
    regulation.save()
    _event(
        order=order,
        kind=OrderEvent.Kind.REGULATION_UPLOADED,
        by=by,
        message=_("версия %(version)d от %(date)s")
        % {"version": version, "date": approved_on.strftime("%d.%m.%Y")},
    )
    return regulation


@transaction.atomic
def regulation_publish(
    *,
    regulation: Regulation,
    url: str,
    published_on: datetime.date,
    by,
    date_change_reason: str = "",
) -> Regulation:
    """Point 8: record where and when the regulation was put on the school site. A publication
    date already recorded is changed only with ``date_change_reason``, kept in the history."""
    if not url:
        raise ValidationError({"url": _("Укажите адрес страницы на сайте.")})
    if published_on < regulation.approved_on:
        raise ValidationError(
            {"published_on": _("Дата публикации раньше даты утверждения положения.")}
        )
    if published_on > timezone.localdate():
        raise ValidationError({"published_on": _("Дата публикации не может быть в будущем.")})
    points: list[OrderPoint | None] = list(
        regulation.order.points.filter(check_key="regulation_published")
    ) or [None]
    if regulation.published_on is not None and regulation.published_on != published_on:
        for point in points:
            _date_changed(
                order=regulation.order,
                point=point,
                what=_("Дата публикации положения"),
                old=regulation.published_on,
                new=published_on,
                reason=date_change_reason,
                by=by,
            )
    regulation.published_url = url
    regulation.published_on = published_on
    regulation.published_by = by
    regulation.full_clean()
    regulation.save(update_fields=["published_url", "published_on", "published_by", "updated_at"])
    for point in points:
        _event(
            order=regulation.order,
            point=point,
            kind=OrderEvent.Kind.REGULATION_PUBLISHED,
            by=by,
            message=f"{published_on:%d.%m.%Y}: {url}",
        )
    return regulation


# --- The e-mail registering a new administrator (point 3) -----------------------------------------


class OrderHasNoFile(Exception):
    """The request must carry the order appointing the administrator, and this order has no file."""


def admin_registration_send(
    *, school: School, order: Order, full_name: str, email: str, phone: str, consent: bool, by
) -> AdminRegistrationRequest:
    """Compose the request to Sferum support in Russian, attach the order and send it; record the
    outcome.

    Nothing is written when the order has no file or consent is missing; a failed sending is
    recorded with its error (the form tells the operator to try again).
    """
    if order.school_id != school.pk:
        raise ValidationError({"order": _("Приказ другой школы.")})
    if not order.file:
        raise OrderHasNoFile
    if not consent:
        raise ValidationError({"consent": _("Нужно согласие на обработку персональных данных.")})
    request = AdminRegistrationRequest(
        school=school,
        order=order,
        full_name=full_name,
        email=email,
        phone=phone,
        consent=True,
        created_by=by,
    )
    request.full_clean()
    request.save()

    context = {"request": request, "school": school, "order": order}
    subject = " ".join(
        render_to_string("orders/email/admin_registration_subject.txt", context).split()
    )
    body = render_to_string("orders/email/admin_registration_body.txt", context)
    message = EmailMessage(
        subject=subject,
        body=body,
        to=[settings.SFERUM_SUPPORT_EMAIL],
        reply_to=[by.email] if getattr(by, "email", "") else None,
    )
    try:
        with order.file.open("rb") as handle:
            assert order.file.name  # open() above needs a file
            name = order.file_name or order.file.name.rsplit("/", 1)[-1]
            message.attach(
                name, handle.read(), "application/pdf" if name.lower().endswith(".pdf") else None
            )
        message.send(fail_silently=False)
    except Exception as exc:  # the SMTP server, the file storage: record and let the operator retry
        logger.warning(
            "Admin registration request %s was not sent: %s", request.pk, type(exc).__name__
        )
        AdminRegistrationRequest.objects.filter(pk=request.pk).update(
            status=AdminRegistrationRequest.Status.FAILED,
            error=str(exc)[:2000],
            updated_at=timezone.now(),
        )
    else:
        AdminRegistrationRequest.objects.filter(pk=request.pk).update(
            status=AdminRegistrationRequest.Status.SENT,
            sent_at=timezone.now(),
            error="",
            updated_at=timezone.now(),
        )
    request.refresh_from_db()
    return request
