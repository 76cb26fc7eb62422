"""Work across people and classes that needs rows of its own: imports and one-time login codes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from staff.models import Person, School, TimeStampedModel


class ImportRun(TimeStampedModel):
    """One uploaded spreadsheet of classes or staff (API.md, Imports): read and checked by a
    worker, shown as a preview, applied once in one transaction."""

    class Kind(models.TextChoices):
        CLASSES = "classes", _("классы")
        STAFF = "staff", _("сотрудники")

    class Status(models.TextChoices):
        PENDING = "pending", _("в очереди")
        RUNNING = "running", _("читается")
        PREVIEW = "preview", _("предпросмотр")
        APPLIED = "applied", _("применён")
        FAILED = "failed", _("не прочитан")

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="import_runs", verbose_name=_("школа")
    )
    kind = models.CharField(_("что загружается"), max_length=16, choices=Kind.choices)
    status = models.CharField(
        _("статус"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    file_name = models.CharField(_("файл"), max_length=255)
    # The file itself (at most 5 MB): kept in the database so that a worker on another machine
    # reads exactly what was uploaded, with no shared media folder.
    content = models.BinaryField(_("содержимое файла"), editable=False)
    progress_done = models.PositiveIntegerField(_("прочитано строк"), default=0)
    progress_total = models.PositiveIntegerField(_("всего строк (оценка)"), default=0)
    rows_total = models.PositiveIntegerField(_("строк данных"), default=0)
    rows_valid = models.PositiveIntegerField(_("строк без ошибок"), default=0)
    errors = models.JSONField(_("ошибки"), default=list, blank=True)
    summary = models.JSONField(_("итог"), default=dict, blank=True)
    # The checked rows, normalised, as apply will read them (never the raw cells again).
    rows = models.JSONField(_("строки"), default=list, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("загрузил"),
    )
    applied_at = models.DateTimeField(_("применён"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("применил"),
    )

    class Meta:
        verbose_name = _("загрузка из таблицы")
        verbose_name_plural = _("загрузки из таблиц")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["school", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="applied") | Q(applied_at__isnull=True),
                name="importrun_applied_at_only_when_applied",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.file_name}"

    @property
    def may_apply(self) -> bool:
        return self.status == self.Status.PREVIEW and not self.errors

    @property
    def rows_invalid(self) -> int:
        return self.rows_total - self.rows_valid

    @property
    def finished_reading(self) -> bool:
        return self.status not in (self.Status.PENDING, self.Status.RUNNING)

    @property
    def progress_percent(self) -> int:
        if self.finished_reading:
            return 100
        if not self.progress_total:
            return 0
        return min(99, self.progress_done * 100 // self.progress_total)


class LoginCodeQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(used_at__isnull=True, expires_at__gt=timezone.now())


class LoginCode(models.Model):
    """A one-time code on the printed sheet for a person without e-mail: with their login it opens
    the page where they set their password. Only a keyed hash is stored; used once; expires."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="login_codes", verbose_name=_("сотрудник")
    )
    code_hash = models.CharField(_("хеш кода"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("выдан"), auto_now_add=True)
    expires_at = models.DateTimeField(_("действует до"))
    used_at = models.DateTimeField(_("использован"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("выдал"),
    )

    objects = LoginCodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("одноразовый код входа")
        verbose_name_plural = _("одноразовые коды входа")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.person}: {self.created_at:%d.%m.%Y}"
