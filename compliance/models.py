"""The platform of the order: findings, job runs and the board's daily snapshots.

Knows schools and classes (staff) and nothing of chats, links or orders: a finding names what it is
about by ``check_key`` and a stable ``subject_key``; the one reference upward, ``order_point``, is a
lazy model reference (no import) so that the drill-down can join an overdue point's finding to it.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from staff.models import School, SchoolClass


class Finding(models.Model):
    """Something a check or a job found missing; resolved, never deleted, once it is fixed."""

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="findings", verbose_name=_("школа")
    )
    check_key = models.CharField(_("проверка"), max_length=64)
    subject_key = models.CharField(
        _("предмет"),
        max_length=128,
        help_text=_("Устойчивый ключ предмета, например class:12:class_parents."),
    )
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name=_("класс"),
    )
    order_point = models.ForeignKey(
        "orders.OrderPoint",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name=_("пункт приказа"),
    )
    chat_kind = models.CharField(_("вид чата"), max_length=32, blank=True)
    message = models.CharField(_("описание"), max_length=300, blank=True)
    opened_at = models.DateTimeField(_("выявлено"), db_index=True)
    resolved_at = models.DateTimeField(_("устранено"), null=True, blank=True)
    notified_at = models.DateTimeField(_("уведомление отправлено"), null=True, blank=True)

    class Meta:
        verbose_name = _("замечание")
        verbose_name_plural = _("замечания")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["check_key", "subject_key"],
                condition=Q(resolved_at__isnull=True),
                name="finding_one_open_per_subject",
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_at__gte=models.F("opened_at")),
                name="finding_resolved_after_opened",
            ),
        ]
        indexes = [
            models.Index(
                fields=["school", "check_key"],
                condition=Q(resolved_at__isnull=True),
                name="finding_open_idx",
            ),
        ]

    def __str__(self):
        return self.message or self.subject_key

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class JobRun(models.Model):
    """One run of a periodic job: when, how long, what changed
    (the dashboard's "проверено … назад")."""

    class Status(models.TextChoices):
        RUNNING = "running", _("выполняется")
        SUCCESS = "success", _("успешно")
        FAILED = "failed", _("ошибка")

    name = models.CharField(_("задание"), max_length=64)
    started_at = models.DateTimeField(_("начало"))
    finished_at = models.DateTimeField(_("окончание"), null=True, blank=True)
    status = models.CharField(
        _("статус"), max_length=16, choices=Status.choices, default=Status.RUNNING
    )
    rows_changed = models.PositiveIntegerField(_("изменено записей"), default=0)
    details = models.JSONField(_("подробности"), default=dict, blank=True)
    error = models.TextField(_("ошибка"), blank=True)

    class Meta:
        verbose_name = _("запуск задания")
        verbose_name_plural = _("запуски заданий")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["name", "-started_at"], name="jobrun_name_started_idx")]

    def __str__(self):
        return f"{self.name} {self.started_at:%d.%m.%Y %H:%M}"

    @property
    def duration(self):
        return self.finished_at - self.started_at if self.finished_at else None


class DashboardSnapshot(models.Model):
    """The dashboard's headline figures of one school on one day (trends)."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("школа")
    )
    date = models.DateField(_("дата"))
    figures = models.JSONField(_("показатели"), default=dict)
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)

    class Meta:
        verbose_name = _("снимок показателей")
        verbose_name_plural = _("снимки показателей")
        ordering = ["school", "-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "date"], name="snapshot_one_per_school_per_day"
            ),
        ]

    def __str__(self):
        return f"{self.school} {self.date:%d.%m.%Y}"
