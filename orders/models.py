"""The order and its execution: points, responsibility, regulation, acknowledgement,
evidence, history."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gymnasium_portal.uploads import PrivateFileField, RandomName
from staff.models import Municipality, Person, School, TimeStampedModel


class Order(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("проект")
        IN_FORCE = "in_force", _("действует")
        CLOSED = "closed", _("исполнен / утратил силу")

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="orders", verbose_name=_("школа")
    )
    number = models.CharField(_("номер"), max_length=32)
    date = models.DateField(_("дата"))
    title = models.TextField(_("заголовок"))
    basis = models.TextField(
        _("основание"), blank=True, help_text=_("Вышестоящий приказ, во исполнение которого издан.")
    )
    preamble = models.TextField(_("преамбула"), blank=True)
    signed_by = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signed_orders",
        verbose_name=_("подписал"),
    )
    distribution_note = models.CharField(_("рассылка"), max_length=300, blank=True)
    status = models.CharField(
        _("статус"), max_length=16, choices=Status.choices, default=Status.IN_FORCE
    )
    file = PrivateFileField(
        _("скан приказа"),
        upload_to=RandomName("orders"),
        url_name="orders:order_file",
        original_name_field="file_name",
        blank=True,
    )
    file_name = models.CharField(_("имя файла"), max_length=255, blank=True, editable=False)

    class Meta:
        verbose_name = _("приказ")
        verbose_name_plural = _("приказы")
        ordering = ["-date", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "number", "date"], name="order_unique_number_per_school"
            ),
        ]

    def __str__(self):
        return f"№ {self.number} от {self.date:%d.%m.%Y}"


class OrderPoint(TimeStampedModel):
    """One point of an order; where measurable, bound to a compliance check by its key."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="points", verbose_name=_("приказ")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subpoints",
        verbose_name=_("пункт"),
    )
    number = models.CharField(_("номер"), max_length=16)
    position = models.PositiveSmallIntegerField(_("порядок"), default=0)
    text = models.TextField(_("текст"))
    deadline = models.DateField(
        _("срок"), null=True, blank=True, help_text=_("Пусто — «постоянно».")
    )
    check_key = models.CharField(_("проверка"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("пункт приказа")
        verbose_name_plural = _("пункты приказа")
        ordering = ["order", "position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "number"], name="orderpoint_unique_number"),
        ]

    def __str__(self):
        return f"п. {self.number}"


class Responsibility(TimeStampedModel):
    class Role(models.TextChoices):
        PRIMARY = "primary", _("ответственный")
        BACKUP = "backup", _("замещающий")
        CO_EXECUTOR = "co_executor", _("соисполнитель")

    point = models.ForeignKey(
        OrderPoint,
        on_delete=models.CASCADE,
        related_name="responsibilities",
        verbose_name=_("пункт"),
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="responsibilities",
        verbose_name=_("сотрудник"),
    )
    role = models.CharField(_("роль"), max_length=16, choices=Role.choices, default=Role.PRIMARY)

    class Meta:
        verbose_name = _("ответственность")
        verbose_name_plural = _("ответственности")
        ordering = ["point", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["point"],
                condition=Q(role="primary"),
                name="responsibility_one_primary_per_point",
            ),
            models.UniqueConstraint(
                fields=["point", "person"], name="responsibility_person_once_per_point"
            ),
        ]

    def __str__(self):
        return f"{self.point}: {self.person} ({self.get_role_display()})"


class Regulation(TimeStampedModel):
    """The regulation (Положение) approved by an order (point 1) and its publication (point 8)."""

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="regulations", verbose_name=_("школа")
    )
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="regulations", verbose_name=_("приказ")
    )
    title = models.TextField(_("наименование"))
    version = models.PositiveSmallIntegerField(_("версия"), default=1)
    file = PrivateFileField(
        _("файл"),
        upload_to=RandomName("regulations"),
        url_name="orders:regulation_file",
        original_name_field="file_name",
        blank=True,
    )
    file_name = models.CharField(_("имя файла"), max_length=255, blank=True, editable=False)
    approved_on = models.DateField(_("дата утверждения"))
    published_url = models.URLField(_("адрес публикации на сайте"), max_length=500, blank=True)
    published_on = models.DateField(_("дата публикации"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("опубликовал"),
    )

    class Meta:
        verbose_name = _("положение")
        verbose_name_plural = _("положения")
        ordering = ["order", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["order", "version"], name="regulation_unique_version"),
            models.CheckConstraint(
                condition=Q(published_on__isnull=True) | ~Q(published_url=""),
                name="regulation_publication_has_url",
            ),
        ]

    def __str__(self):
        return f"{self.title[:60]} (в. {self.version})"


class Acknowledgement(TimeStampedModel):
    """A row of the acknowledgement sheet: the order was sent to the person; when they read it."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="acknowledgements", verbose_name=_("приказ")
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="acknowledgements",
        verbose_name=_("сотрудник"),
    )
    acknowledged_at = models.DateTimeField(_("ознакомлен"), null=True, blank=True)

    class Meta:
        verbose_name = _("ознакомление")
        verbose_name_plural = _("лист ознакомления")
        ordering = ["order", "person__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "person"], name="acknowledgement_once_per_person"
            ),
        ]

    def __str__(self):
        return f"{self.person} — {self.order}"


class AdminRegistrationRequest(TimeStampedModel):
    """The e-mail to Sferum registering a new school administrator (point 3)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("черновик")
        SENT = "sent", _("отправлена")
        FAILED = "failed", _("ошибка отправки")

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="admin_requests", verbose_name=_("школа")
    )
    order = models.ForeignKey(
        Order,
        on_delete=models.PROTECT,
        related_name="admin_requests",
        verbose_name=_("приказ о назначении"),
    )
    full_name = models.CharField(_("ФИО"), max_length=200)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("мобильный телефон"), max_length=32)
    consent = models.BooleanField(_("согласие на обработку персональных данных"), default=False)
    status = models.CharField(
        _("статус"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    sent_at = models.DateTimeField(_("отправлена"), null=True, blank=True)
    error = models.TextField(_("ошибка"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("составил"),
    )

    class Meta:
        verbose_name = _("заявка на регистрацию администратора")
        verbose_name_plural = _("заявки на регистрацию администратора")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(consent=True), name="adminrequest_requires_consent"),
        ]

    def __str__(self):
        return f"{self.full_name} ({self.get_status_display()})"


class PointEvidence(TimeStampedModel):
    """Proof that a point is carried out: a file, a link, a comment (at least one of them)."""

    point = models.ForeignKey(
        OrderPoint, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("пункт")
    )
    file = PrivateFileField(
        _("файл"),
        upload_to=RandomName("evidence"),
        url_name="orders:evidence_file",
        original_name_field="file_name",
        blank=True,
    )
    file_name = models.CharField(_("имя файла"), max_length=255, blank=True, editable=False)
    url = models.URLField(_("ссылка"), max_length=500, blank=True)
    comment = models.TextField(_("комментарий"), blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("добавил"),
    )

    class Meta:
        verbose_name = _("подтверждение исполнения")
        verbose_name_plural = _("подтверждения исполнения")
        ordering = ["point", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(file="") | ~Q(url="") | ~Q(comment=""), name="pointevidence_not_empty"
            ),
        ]

    def __str__(self):
        return f"{self.point}: {self.url or self.file.name or self.comment[:40]}"


class OrderEvent(models.Model):
    """The history of an order and its points: who changed what and when
    (an audit log, append-only)."""

    class Kind(models.TextChoices):
        ORDER_CREATED = "order_created", _("приказ внесён")
        ORDER_CHANGED = "order_changed", _("приказ изменён")
        POINT_CREATED = "point_created", _("пункт добавлен")
        POINT_CHANGED = "point_changed", _("пункт изменён")
        RESPONSIBLE_ADDED = "responsible_added", _("назначен ответственный")
        RESPONSIBLE_REMOVED = "responsible_removed", _("ответственный снят")
        EVIDENCE_ADDED = "evidence_added", _("добавлено подтверждение")
        REGULATION_UPLOADED = "regulation_uploaded", _("загружено положение")
        REGULATION_PUBLISHED = "regulation_published", _("положение опубликовано")
        DISTRIBUTED = "distributed", _("приказ разослан")
        REMINDER_SENT = "reminder_sent", _("отправлено напоминание")
        DATE_CHANGED = "date_changed", _("изменена записанная дата")

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="events", verbose_name=_("приказ")
    )
    point = models.ForeignKey(
        OrderPoint,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("пункт"),
    )
    kind = models.CharField(_("событие"), max_length=32, choices=Kind.choices)
    message = models.CharField(_("описание"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("кто"),
    )
    created_at = models.DateTimeField(_("когда"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("событие по приказу")
        verbose_name_plural = _("история исполнения")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["order", "-created_at"], name="orderevent_order_idx")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.message}"


class Reminder(models.Model):
    """A reminder e-mail about a point's deadline: one row per point, kind and deadline — sent once.

    The row is the claim: the deadlines job inserts it with ``ON CONFLICT DO NOTHING``
    and sends only
    the rows its own run inserted, so two workers (or two runs) never send the same reminder twice.
    A failed sending is retried by a later run through a compare-and-swap on the status.
    """

    class Kind(models.TextChoices):
        BEFORE_DEADLINE = "before_deadline", _("срок приближается")
        OVERDUE = "overdue", _("срок истёк")

    class Status(models.TextChoices):
        CLAIMED = "claimed", _("отправляется")
        SENT = "sent", _("отправлено")
        FAILED = "failed", _("ошибка отправки")

    point = models.ForeignKey(
        OrderPoint, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("пункт")
    )
    kind = models.CharField(_("вид"), max_length=16, choices=Kind.choices)
    deadline = models.DateField(_("срок пункта"))
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="reminders", verbose_name=_("получатель")
    )
    status = models.CharField(
        _("статус"), max_length=16, choices=Status.choices, default=Status.CLAIMED
    )
    claim_token = models.CharField(_("метка запуска"), max_length=32)
    claimed_at = models.DateTimeField(_("взято в работу"))
    sent_at = models.DateTimeField(_("отправлено"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("попыток"), default=0)
    error = models.TextField(_("ошибка"), blank=True)

    class Meta:
        verbose_name = _("напоминание о сроке")
        verbose_name_plural = _("напоминания о сроках")
        ordering = ["-claimed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["point", "kind", "deadline"], name="reminder_once_per_point_kind"
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="reminder_sent_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.point}: {self.get_kind_display()} → {self.person}"


class OrderTemplate(TimeStampedModel):
    """The education department's order (№ 935) that each school's order is made from: the same
    points bound to the same checks, with the school's own number, date, names and deadlines."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="order_templates",
        verbose_name=_("муниципалитет"),
    )
    number = models.CharField(_("номер приказа управления"), max_length=32)
    date = models.DateField(_("дата приказа управления"))
    issuer = models.CharField(_("издал"), max_length=300)
    title = models.TextField(_("заголовок приказа школы"))
    preamble = models.TextField(_("преамбула"), blank=True)
    is_active = models.BooleanField(_("действует"), default=True)

    class Meta:
        verbose_name = _("приказ управления (образец)")
        verbose_name_plural = _("приказы управления (образцы)")
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "number", "date"], name="ordertemplate_unique_number"
            ),
        ]

    def __str__(self):
        return f"№ {self.number} от {self.date:%d.%m.%Y} ({self.municipality})"

    @property
    def basis(self) -> str:
        return f"Приказ {self.issuer} от {self.date:%d.%m.%Y} № {self.number}"


class OrderTemplatePoint(TimeStampedModel):
    """A point of the department's order; ``{школа}`` in its text becomes the school's name and
    its deadline is counted in days from the school's order date (None: «постоянно»)."""

    template = models.ForeignKey(
        OrderTemplate, on_delete=models.CASCADE, related_name="points", verbose_name=_("образец")
    )
    number = models.CharField(_("номер"), max_length=16)
    parent_number = models.CharField(_("номер родительского пункта"), max_length=16, blank=True)
    position = models.PositiveSmallIntegerField(_("порядок"), default=0)
    text = models.TextField(_("текст"))
    deadline_days = models.PositiveSmallIntegerField(
        _("срок, дней от даты приказа школы"), null=True, blank=True
    )
    check_key = models.CharField(_("проверка"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("пункт образца")
        verbose_name_plural = _("пункты образца")
        ordering = ["template", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "number"], name="ordertemplatepoint_unique_number"
            ),
        ]

    def __str__(self):
        return f"п. {self.number}"
