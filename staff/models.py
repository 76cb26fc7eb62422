"""Who and where: schools, their classes and people, absences, training and platform statuses."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, IntegerField, Q, Value
from django.db.models.functions import Greatest
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from gymnasium_portal.uploads import PrivateFileField, RandomName


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    class Meta:
        abstract = True


class Municipality(TimeStampedModel):
    """A municipal education department's territory (Syktyvkar is one; a region has ~20)."""

    name = models.CharField(_("наименование"), max_length=200, unique=True)
    department = models.CharField(_("орган управления образованием"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("муниципалитет")
        verbose_name_plural = _("муниципалитеты")
        ordering = ["name"]

    def __str__(self):
        return self.name


class School(TimeStampedModel):
    name = models.CharField(_("полное наименование"), max_length=300)
    short_name = models.CharField(_("краткое наименование"), max_length=120)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="schools",
        verbose_name=_("муниципалитет"),
    )
    academic_year = models.PositiveSmallIntegerField(
        _("текущий учебный год (год начала)"),
        default=2025,
        help_text=_("Меняется только шагом «Новый учебный год»."),
    )
    site_url = models.URLField(_("сайт"), blank=True)
    invitation_term_days = models.PositiveSmallIntegerField(
        _("срок действия ссылки-приглашения, дней"), default=14
    )
    new_class_grace_days = models.PositiveSmallIntegerField(
        _("отсрочка проверки чатов нового класса, дней"), default=7
    )
    join_request_max_pending_days = models.PositiveSmallIntegerField(
        _("допустимое ожидание заявки на присоединение, дней"), default=3
    )
    # Point 4 counts only the chats MAX confirmed (bound to the portal's bot and verified).
    verified_chats_only = models.BooleanField(
        _("п. 4: учитывать только чаты, подтверждённые в МАХ"), default=False
    )

    class Meta:
        verbose_name = _("школа")
        verbose_name_plural = _("школы")
        ordering = ["short_name"]
        permissions = [("view_all_schools", _("Просмотр исполнения во всех школах"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(invitation_term_days__gte=1), name="school_invitation_term_positive"
            ),
        ]

    def __str__(self):
        return self.short_name


class Person(TimeStampedModel):
    """A member of staff, with or without a user account; contacts are personal data (152-FZ)."""

    class StaffKind(models.TextChoices):
        TEACHING = "teaching", _("педагогический работник")
        OTHER = "other", _("иной работник")

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="people", verbose_name=_("школа")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("учётная запись"),
    )
    full_name = models.CharField(_("ФИО"), max_length=200)
    position = models.CharField(_("должность"), max_length=200, blank=True)
    staff_kind = models.CharField(
        _("категория"), max_length=16, choices=StaffKind.choices, default=StaffKind.TEACHING
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("мобильный телефон"), max_length=32, blank=True)
    is_active = models.BooleanField(_("работает"), default=True)
    left_on = models.DateField(_("дата увольнения"), null=True, blank=True)
    personal_data_erased_at = models.DateTimeField(
        _("персональные данные удалены"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("сотрудник")
        verbose_name_plural = _("сотрудники")
        ordering = ["full_name"]
        indexes = [models.Index(fields=["school", "full_name"])]

    def __str__(self):
        return self.full_name


class SchoolClassQuerySet(models.QuerySet):
    def current(self) -> SchoolClassQuerySet:
        """Active classes of their school's current academic year: what the board and checks
        count."""
        return self.filter(
            status=SchoolClass.Status.ACTIVE, academic_year=F("school__academic_year")
        )


class SchoolClass(TimeStampedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("действующий")
        ARCHIVED = "archived", _("в архиве")

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="classes", verbose_name=_("школа")
    )
    academic_year = models.PositiveSmallIntegerField(
        _("учебный год (год начала)"), help_text=_("Например, 2025 для 2025/2026 учебного года.")
    )
    grade = models.PositiveSmallIntegerField(_("параллель"))
    letter = models.CharField(_("литера"), max_length=4)
    class_teacher = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_classes",
        verbose_name=_("классный руководитель"),
    )
    students_expected = models.PositiveSmallIntegerField(_("учащихся по списку"), default=0)
    parents_expected = models.PositiveSmallIntegerField(_("родителей по списку"), default=0)
    # Joining МАХ is voluntary (DESIGN.md §9): those of the list who declined are counted apart,
    # with the channel the school reaches them by instead, and the class chats are expected to
    # reach the others only (``to_reach``).
    students_declined = models.PositiveSmallIntegerField(_("учащихся отказались от МАХ"), default=0)
    parents_declined = models.PositiveSmallIntegerField(_("родителей отказались от МАХ"), default=0)
    declined_channel = models.CharField(
        _("связь с отказавшимися от МАХ"), max_length=200, blank=True
    )
    status = models.CharField(
        _("статус"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )

    objects = SchoolClassQuerySet.as_manager()

    class Meta:
        verbose_name = _("класс")
        verbose_name_plural = _("классы")
        ordering = ["school", "grade", "letter"]
        permissions = [("lead_schoolclass", _("Классное руководство: чаты, приглашения, чек-лист"))]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "academic_year", "grade", "letter"],
                name="schoolclass_unique_per_year",
            ),
            models.CheckConstraint(
                condition=Q(grade__gte=1, grade__lte=11), name="schoolclass_grade_1_11"
            ),
            models.CheckConstraint(condition=~Q(letter=""), name="schoolclass_letter_not_empty"),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return f"{self.grade}{self.letter}"

    # «Whom the class chats are to reach»: the list less those who declined МАХ, never below 0 (a
    # list made shorter by an import after the declines were recorded). One rule, in a query over
    # classes (``to_reach("students")``) and for a row read (``students_to_reach``).

    @staticmethod
    def to_reach(who: str):
        """The expression of ``<who>_expected − <who>_declined``; ``who``: students or parents."""
        return Greatest(
            F(f"{who}_expected") - F(f"{who}_declined"), Value(0), output_field=IntegerField()
        )

    def _to_reach(self, who: str) -> int:
        return max(getattr(self, f"{who}_expected") - getattr(self, f"{who}_declined"), 0)

    @property
    def students_to_reach(self) -> int:
        return self._to_reach("students")

    @property
    def parents_to_reach(self) -> int:
        return self._to_reach("parents")

    @property
    def declined(self) -> int:
        return self.students_declined + self.parents_declined


class SchoolClassUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(SchoolClass, on_delete=models.CASCADE)


class SchoolClassGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(SchoolClass, on_delete=models.CASCADE)


class Absence(TimeStampedModel):
    """A period when a person is away; the backup answers for their duties meanwhile (point 2)."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="absences", verbose_name=_("сотрудник")
    )
    starts_on = models.DateField(_("с"))
    ends_on = models.DateField(_("по"))
    reason = models.CharField(_("причина"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("отсутствие")
        verbose_name_plural = _("отсутствия")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="absence_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.person}: {self.starts_on:%d.%m.%Y}–{self.ends_on:%d.%m.%Y}"


class TrainingRecord(TimeStampedModel):
    """Completion of the free online course of point 7.2 by a teacher."""

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="training_records", verbose_name=_("школа")
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="training_records",
        verbose_name=_("сотрудник"),
    )
    course_title = models.CharField(_("программа"), max_length=400)
    course_url = models.URLField(_("ссылка на программу"), max_length=500, blank=True)
    completed_on = models.DateField(_("дата окончания"))
    certificate_number = models.CharField(_("номер удостоверения"), max_length=100, blank=True)
    certificate_file = PrivateFileField(
        _("удостоверение"),
        upload_to=RandomName("training"),
        url_name="staff:training_certificate",
        original_name_field="certificate_file_name",
        blank=True,
    )
    certificate_file_name = models.CharField(
        _("имя файла удостоверения"), max_length=255, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("обучение")
        verbose_name_plural = _("обучение")
        ordering = ["-completed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "course_url"], name="training_once_per_course"
            ),
        ]

    def __str__(self):
        return f"{self.person}: {self.course_title}"


class StatusConfirmation(TimeStampedModel):
    """The platform status («учитель» / «сотрудник») confirmed by the operator (point 3)."""

    class PlatformStatus(models.TextChoices):
        TEACHER = "teacher", _("учитель")
        EMPLOYEE = "employee", _("сотрудник")

    person = models.OneToOneField(
        Person,
        on_delete=models.CASCADE,
        related_name="status_confirmation",
        verbose_name=_("сотрудник"),
    )
    status = models.CharField(
        _("статус на платформе"), max_length=16, choices=PlatformStatus.choices
    )
    confirmed_on = models.DateField(_("дата подтверждения"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("подтвердил"),
    )

    class Meta:
        verbose_name = _("подтверждение статуса")
        verbose_name_plural = _("подтверждения статуса")

    def __str__(self):
        return f"{self.person}: {self.get_status_display()}"


class Movement(TimeStampedModel):
    """A record of movement of people between classes or out of the school (point 3)."""

    class Kind(models.TextChoices):
        CLASS_TEACHER_CHANGED = "class_teacher_changed", _("смена классного руководителя")
        STUDENTS_CHANGED = "students_changed", _("изменение числа учащихся")
        STAFF_LEFT = "staff_left", _("увольнение сотрудника")
        CLASS_ARCHIVED = "class_archived", _("класс переведён в архив")

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="movements", verbose_name=_("школа")
    )
    kind = models.CharField(_("вид"), max_length=32, choices=Kind.choices)
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="movements",
        verbose_name=_("класс"),
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="movements",
        verbose_name=_("сотрудник"),
    )
    previous_person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("прежний сотрудник"),
    )
    previous_value = models.IntegerField(_("прежнее значение"), null=True, blank=True)
    new_value = models.IntegerField(_("новое значение"), null=True, blank=True)
    comment = models.CharField(_("комментарий"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("внёс"),
    )

    class Meta:
        verbose_name = _("движение")
        verbose_name_plural = _("движение")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.created_at:%d.%m.%Y})"


class Inspector(TimeStampedModel):
    """An education department's reader (role «inspector»): the schools of one municipality, or,
    with no municipality, of every municipality of the region (a regional inspector).

    A user of the inspector group without this record reads every school, as before.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="inspector",
        verbose_name=_("учётная запись"),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspectors",
        verbose_name=_("муниципалитет"),
        help_text=_("Пусто — региональный уровень: все муниципалитеты."),
    )

    class Meta:
        verbose_name = _("инспектор управления образования")
        verbose_name_plural = _("инспекторы управления образования")

    def __str__(self):
        return f"{self.user}: {self.municipality or _('весь регион')}"


class YearTurnover(TimeStampedModel):
    """One school's step «Новый учебный год», with what it changed so that it can be undone."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("проведён")
        REVERTED = "reverted", _("отменён")

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="turnovers", verbose_name=_("школа")
    )
    from_year = models.PositiveSmallIntegerField(_("из учебного года"))
    to_year = models.PositiveSmallIntegerField(_("в учебный год"))
    status = models.CharField(
        _("статус"), max_length=16, choices=Status.choices, default=Status.APPLIED
    )
    applied_at = models.DateTimeField(_("проведён"))
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("провёл"),
    )
    reverted_at = models.DateTimeField(_("отменён"), null=True, blank=True)
    reverted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("отменил"),
    )
    summary = models.JSONField(_("итог"), default=dict)
    changes = models.JSONField(_("изменения (для отмены)"), default=dict)

    class Meta:
        verbose_name = _("переход на новый учебный год")
        verbose_name_plural = _("переходы на новый учебный год")
        ordering = ["-applied_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "from_year"],
                condition=Q(status="applied"),
                name="turnover_once_per_year",
            ),
            models.CheckConstraint(
                condition=Q(to_year=F("from_year") + 1), name="turnover_next_year"
            ),
        ]

    def __str__(self):
        return f"{self.school}: {self.from_year}/{self.to_year} → {self.to_year}/{self.to_year + 1}"
