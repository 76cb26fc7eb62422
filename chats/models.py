"""Chats on the platform: what the order requires (points 4, 6), what exists, meetings (5, 7.3)."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from staff.models import Person, School, SchoolClass, TimeStampedModel


class ChatKind(models.TextChoices):
    CLASS_STUDENTS = "class_students", _("чат с учащимися класса")
    CLASS_PARENTS = "class_parents", _("чат с родителями класса")
    CLASS_OTHER = "class_other", _("иной чат класса")
    SCHOOL_GENERAL = "school_general", _("общешкольный чат")
    SCHOOL_LEADERSHIP = "school_leadership", _("руководитель и заместители")
    SCHOOL_STAFF = "school_staff", _("руководитель, педагогические и иные работники")
    SCHOOL_PARENT_COMMITTEE = "school_parent_committee", _("родительский комитет (актив)")
    SCHOOL_STUDENT_COUNCIL = "school_student_council", _("ученическое самоуправление (актив)")


CLASS_KINDS = (ChatKind.CLASS_STUDENTS, ChatKind.CLASS_PARENTS, ChatKind.CLASS_OTHER)
SCHOOL_KINDS = (
    ChatKind.SCHOOL_GENERAL,
    ChatKind.SCHOOL_LEADERSHIP,
    ChatKind.SCHOOL_STAFF,
    ChatKind.SCHOOL_PARENT_COMMITTEE,
    ChatKind.SCHOOL_STUDENT_COUNCIL,
)
# Kinds of which a class (or the school) may have only one active chat.
SINGLE_CLASS_KINDS = (ChatKind.CLASS_STUDENTS, ChatKind.CLASS_PARENTS)


def is_class_kind(kind: str) -> bool:
    return kind in CLASS_KINDS


def _class_refs(school_class) -> tuple:
    """The school, grade and pk of ``school_class`` as a subquery over requirements refers to
    them: values for a class, outer references for ``OuterRef(path)`` to a class outside."""
    if isinstance(school_class, SchoolClass):
        return school_class.school_id, school_class.grade, school_class.pk
    if isinstance(school_class, OuterRef):
        name = school_class.name  # type: ignore[attr-defined]  # set by F.__init__, not in django-stubs
        if isinstance(name, str):
            prefix = "" if name == "pk" else f"{name}__"
            return OuterRef(f"{prefix}school"), OuterRef(f"{prefix}grade"), school_class
    raise TypeError(f"A class or OuterRef(path to a class) expected, not {school_class!r}")


class ChatRequirementQuerySet(models.QuerySet):
    """What the order requires of chats (points 4 and 6), said once: every check, job, page and
    figure that asks «which chats must this class (school) have» asks here."""

    def in_force(self):
        """Requirements the school has not switched off (``is_required``)."""
        return self.filter(is_required=True)

    def school_wide(self):
        """The school-wide chats (п. 6) a school must have: one requirement per kind."""
        return self.in_force().filter(kind__in=SCHOOL_KINDS)

    def required_for_class(self, school_class):
        """The class chats (п. 4) ``school_class`` must have, one requirement per kind: those of
        its school in force whose range of grades includes the class's grade.

        ``school_class`` is a class, or ``OuterRef("pk")`` in a query over classes: then this is a
        correlated subquery — ``Exists(…)`` (does the class need any chat, or ``.filter(kind=…)``
        one kind), ``count_subquery(…)`` (how many). Whether the class itself is active is the
        caller's: an archived class needs nothing, but its page still shows what it had.
        """
        school, grade, _pk = _class_refs(school_class)
        return self.in_force().filter(
            kind__in=CLASS_KINDS, school=school, min_grade__lte=grade, max_grade__gte=grade
        )

    def missing_for_class(self, school_class):
        """Of ``required_for_class(school_class)``, the kinds the class has no active chat of."""
        _school, _grade, pk = _class_refs(school_class)
        if isinstance(pk, OuterRef):
            pk = OuterRef(pk)  # one level further down: the chats are a subquery of this one
        # A school may count only the chats MAX confirms (staff.School.verified_chats_only).
        active_chat = Chat.objects.filter(
            school_class=pk, kind=OuterRef("kind"), status=Chat.Status.ACTIVE
        ).filter(Q(school__verified_chats_only=False) | Q(verified_at__isnull=False))
        return self.required_for_class(school_class).filter(~Exists(active_chat))


class ChatRequirement(TimeStampedModel):
    """Which chat kinds a school must have: per class for a range of grades, or once school-wide."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="chat_requirements", verbose_name=_("школа")
    )
    kind = models.CharField(_("вид чата"), max_length=32, choices=ChatKind.choices)
    min_grade = models.PositiveSmallIntegerField(_("с параллели"), null=True, blank=True)
    max_grade = models.PositiveSmallIntegerField(_("по параллель"), null=True, blank=True)
    is_required = models.BooleanField(_("обязателен"), default=True)
    owners = models.ManyToManyField(
        Person,
        blank=True,
        related_name="owned_chat_requirements",
        verbose_name=_("ответственные (п. 6)"),
    )
    basis = models.CharField(_("основание"), max_length=200, blank=True)

    objects = ChatRequirementQuerySet.as_manager()

    class Meta:
        verbose_name = _("требование к чатам")
        verbose_name_plural = _("требования к чатам")
        ordering = ["school", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["school", "kind"], name="chatrequirement_unique_kind"),
            models.CheckConstraint(
                condition=(
                    # NULL grades would make the comparisons unknown, and CHECK lets unknown
                    # through.
                    Q(kind__in=CLASS_KINDS, min_grade__isnull=False, max_grade__isnull=False)
                    & Q(min_grade__gte=1, max_grade__lte=11, min_grade__lte=F("max_grade"))
                    | Q(kind__in=SCHOOL_KINDS, min_grade__isnull=True, max_grade__isnull=True)
                ),
                name="chatrequirement_grades_match_kind",
            ),
        ]

    def __str__(self):
        if is_class_kind(self.kind):
            return f"{self.get_kind_display()}: {self.min_grade}–{self.max_grade} кл."
        return self.get_kind_display()


class MembersSource(models.TextChoices):
    PLATFORM = "platform", _("по данным МАХ")
    MANUAL = "manual", _("вручную")


class Chat(TimeStampedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("действует")
        ARCHIVED = "archived", _("в архиве")

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="chats", verbose_name=_("школа")
    )
    kind = models.CharField(_("вид"), max_length=32, choices=ChatKind.choices)
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="chats",
        verbose_name=_("класс"),
    )
    title = models.CharField(_("название"), max_length=200)
    url = models.URLField(_("ссылка на чат"), max_length=500)
    owner = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_chats",
        verbose_name=_("владелец"),
    )
    members_count = models.PositiveIntegerField(_("участников"), null=True, blank=True)
    status = models.CharField(
        _("статус"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    last_verified_at = models.DateTimeField(_("проверен"), null=True, blank=True)
    # The chat in MAX it is bound to (API.md «MAX messenger integration»): ids are 64-bit and
    # negative for group chats. ``verified_at`` is when MAX last confirmed the chat (the bot in
    # it, status active); None once the bot is removed or the chat is gone.
    platform_chat_id = models.BigIntegerField(
        _("id чата в МАХ"), null=True, blank=True, unique=True
    )
    verified_at = models.DateTimeField(_("подтверждён в МАХ"), null=True, blank=True)
    # NULL, not "": API.md's members_source is null for a chat with no number at all.
    members_source = models.CharField(  # noqa: DJ001
        _("источник числа участников"),
        max_length=16,
        choices=MembersSource.choices,
        null=True,
        blank=True,
    )
    platform_status = models.CharField(_("состояние в МАХ"), max_length=16, blank=True)
    platform_error = models.CharField(_("последняя ошибка МАХ"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("создал"),
    )

    class Meta:
        verbose_name = _("чат")
        verbose_name_plural = _("чаты")
        ordering = ["school", "kind", "title"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind__in=CLASS_KINDS, school_class__isnull=False)
                    | Q(kind__in=SCHOOL_KINDS, school_class__isnull=True)
                ),
                name="chat_class_matches_kind",
            ),
            models.CheckConstraint(condition=Q(url__startswith="https://"), name="chat_url_https"),
            models.UniqueConstraint(
                fields=["school_class", "kind"],
                condition=Q(status="active", kind__in=SINGLE_CLASS_KINDS),
                name="chat_one_active_per_class_kind",
            ),
            models.UniqueConstraint(
                fields=["school", "kind"],
                condition=Q(status="active", kind__in=SCHOOL_KINDS),
                name="chat_one_active_per_school_kind",
            ),
        ]
        indexes = [
            models.Index(
                fields=["school_class", "kind"],
                condition=Q(status="active"),
                name="chat_active_class_idx",
            ),
        ]

    def __str__(self):
        return self.title

    def members_origin(self) -> str | None:
        """Where ``members_count`` comes from: MAX (bound and verified), typed in, or nowhere."""
        if self.members_count is None:
            return None
        if self.verified_at is not None and self.members_source == MembersSource.PLATFORM:
            return MembersSource.PLATFORM
        return MembersSource.MANUAL


class ChatUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Chat, on_delete=models.CASCADE)


class ChatGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Chat, on_delete=models.CASCADE)


class Meeting(TimeStampedModel):
    """An online or hybrid meeting (point 5) or an event on using the platform (point 7.3)."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("рабочая встреча / совещание")
        LESSON = "lesson", _("занятие с применением ДОТ")
        EVENT = "event", _("мероприятие по использованию «Сферума»")

    class Format(models.TextChoices):
        ONLINE = "online", _("онлайн")
        HYBRID = "hybrid", _("гибридный")

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("школа")
    )
    kind = models.CharField(_("вид"), max_length=16, choices=Kind.choices, default=Kind.MEETING)
    format = models.CharField(
        _("формат"), max_length=16, choices=Format.choices, default=Format.ONLINE
    )
    held_on = models.DateField(_("дата"))
    topic = models.CharField(_("тема"), max_length=300)
    chat = models.ForeignKey(
        Chat,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("чат"),
    )
    participants = models.PositiveIntegerField(_("участников"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("внёс"),
    )

    class Meta:
        verbose_name = _("встреча / мероприятие")
        verbose_name_plural = _("встречи и мероприятия")
        ordering = ["-held_on"]
        indexes = [models.Index(fields=["school", "held_on"])]

    def __str__(self):
        return f"{self.held_on:%d.%m.%Y} {self.topic}"
