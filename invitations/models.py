"""Invitation links issued by the portal (point 3) and the join requests made through them."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gymnasium_portal.text import fold
from staff.models import School, SchoolClass, TimeStampedModel


class Role(models.TextChoices):
    TEACHER = "teacher", _("учитель")
    STAFF = "staff", _("сотрудник")
    STUDENT = "student", _("учащийся")
    PARENT = "parent", _("родитель (законный представитель)")


CLASS_ROLES = (Role.STUDENT, Role.PARENT)
SCHOOL_ROLES = (Role.TEACHER, Role.STAFF)


def new_token() -> str:
    """192 random bits, URL-safe (32 characters)."""
    return secrets.token_urlsafe(24)


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def usable(self, now: datetime.datetime | None = None) -> InvitationQuerySet:
        """The links that can be used at ``now``: active, within their term, a use left."""
        return self.filter(self.model.usable_condition(now))


class Invitation(TimeStampedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("действует")
        USED = "used", _("использована")
        EXPIRED = "expired", _("истёк срок")
        ANNULLED = "annulled", _("аннулирована")

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="invitations", verbose_name=_("школа")
    )
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("класс"),
    )
    role = models.CharField(_("роль"), max_length=16, choices=Role.choices)
    token = models.CharField(
        _("токен"), max_length=64, unique=True, default=new_token, editable=False
    )
    max_uses = models.PositiveIntegerField(_("число использований"), default=1)
    uses = models.PositiveIntegerField(_("использовано"), default=0)
    expires_at = models.DateTimeField(_("действует до"))
    status = models.CharField(
        _("статус"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    platform_url = models.URLField(_("ссылка на платформе"), max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="issued_invitations",
        verbose_name=_("выдал"),
    )
    annulled_at = models.DateTimeField(_("аннулирована / истекла"), null=True, blank=True)
    annulled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("аннулировал"),
    )
    annul_reason = models.CharField(_("причина"), max_length=300, blank=True)
    replaced_by = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name=_("заменена ссылкой"),
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("ссылка-приглашение")
        verbose_name_plural = _("ссылки-приглашения")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_uses__gte=1), name="invitation_max_uses_positive"
            ),
            models.CheckConstraint(
                condition=Q(uses__lte=F("max_uses")), name="invitation_uses_within_max"
            ),
            models.CheckConstraint(
                condition=(
                    Q(role__in=CLASS_ROLES, school_class__isnull=False)
                    | Q(role__in=SCHOOL_ROLES, school_class__isnull=True)
                ),
                name="invitation_class_matches_role",
            ),
            models.CheckConstraint(
                condition=Q(platform_url__startswith="https://"), name="invitation_platform_https"
            ),
            models.CheckConstraint(
                condition=~Q(status="used") | Q(uses=F("max_uses")),
                name="invitation_used_means_used_up",
            ),
        ]
        indexes = [
            # The expire job reads exactly this: active links by term.
            models.Index(
                fields=["expires_at"],
                condition=Q(status="active"),
                name="invitation_active_expiry_idx",
            ),
            models.Index(fields=["school", "status"], name="invitation_school_status_idx"),
            models.Index(fields=["school_class", "status"], name="invitation_class_status_idx"),
        ]

    def __str__(self):
        unit = self.school_class.name if self.school_class_id else _("вся школа")
        return f"{self.get_role_display()} — {unit} ({self.get_status_display()})"

    @classmethod
    def usable_condition(cls, now: datetime.datetime | None = None) -> Q:
        """«This link can be used» as a condition: for ``objects.usable()`` and aggregates.

        ``gone_reason`` is the same rule for a row already read (and says which part of it fails);
        a test keeps the two in step.
        """
        return Q(
            status=cls.Status.ACTIVE,
            expires_at__gt=now or timezone.now(),
            uses__lt=F("max_uses"),
        )

    def gone_reason(self, now: datetime.datetime | None = None) -> str | None:
        """Why the link can no longer be used (a status), or None if it can.

        The rule of ``Invitation.objects.usable()`` for this row: a link past its term is expired
        even before the hourly job has retired it, and a link without a use left is used.
        """
        if self.status != self.Status.ACTIVE:
            return self.status
        if self.expires_at <= (now or timezone.now()):
            return self.Status.EXPIRED
        if self.uses >= self.max_uses:
            return self.Status.USED
        return None


def person_key(full_name: str, child_name: str = "") -> str:
    """Who asks, for spotting the same person asking twice: the names without case, «ё», spacing
    or punctuation («Иванова  Ольга» and «иванова ольга» are one person; the child's name apart)."""

    def plain(name: str) -> str:
        return fold("".join(ch if ch.isalnum() or ch == "-" else " " for ch in name))

    name = plain(full_name)
    return f"{name}|{plain(child_name)}"[:402] if name else ""


DEFAULT_CONSENT_TEXT = (
    "В соответствии с Федеральным законом от 27.07.2006 № 152-ФЗ «О персональных данных» даю "
    "согласие {school} на обработку моих персональных данных (фамилия, имя, отчество) в целях "
    "подключения к платформе «Сферум» и учёта участников чатов школы. Согласие действует до "
    "достижения цели обработки или до его отзыва письменным заявлением в школу."
)
DEFAULT_CONSENT_PARENT_TEXT = (
    "В соответствии с Федеральным законом от 27.07.2006 № 152-ФЗ «О персональных данных» даю "
    "согласие {school} на обработку моих персональных данных и персональных данных моего "
    "ребёнка (фамилия, имя, отчество) в целях подключения к платформе «Сферум» и учёта "
    "участников чатов школы. Согласие действует до достижения цели обработки или до его отзыва "
    "письменным заявлением в школу."
)


class ConsentTextQuerySet(models.QuerySet["ConsentText"]):
    """Which wording of the consent a visitor is shown and agrees to.

    Version 1 is always the portal's own wording, written the first time someone agrees to it or
    the school writes its own (then version 2); showing a page writes nothing.
    """

    def current(self, *, school: School) -> ConsentText:
        """The school's latest version; the portal's wording as version 1 (not saved) if none."""
        latest = self.filter(school=school).order_by("-version").first()
        return latest if latest is not None else self.model.portal_wording(school)

    def portal_wording_saved(self, *, school: School) -> ConsentText:
        """Version 1, the portal's wording, saved (once, whoever comes first)."""
        wording = self.model.portal_wording(school)
        try:
            with transaction.atomic():
                wording.save(force_insert=True)
                return wording
        except IntegrityError:  # another visitor's page created it a moment ago
            return self.get(school=school, version=1)

    def shown(
        self, *, school: School, version: int | None, current: ConsentText | None = None
    ) -> ConsentText:
        """The saved version the form says it showed (a text changed meanwhile stays the one
        agreed to); the current one, saved, for a form without a known version. ``current``: the
        version already read with the link, which saves the query when it is the one shown."""
        if current is not None and current.pk and version in (None, current.version):
            return current
        if version is not None:
            shown = self.filter(school=school, version=version).first()
            if shown is not None:
                return shown
        latest = self.current(school=school)
        return latest if latest.pk else self.portal_wording_saved(school=school)


class ConsentText(models.Model):
    """One version of a school's consent to the processing of personal data (152-ФЗ: a separate
    document). The school is the operator and words it; a change is a new version, never an edit,
    so each join request points at the exact text its author agreed to."""

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="consent_texts", verbose_name=_("школа")
    )
    version = models.PositiveIntegerField(_("версия"))
    text = models.TextField(_("текст согласия (учащиеся, сотрудники)"))
    parent_text = models.TextField(_("текст согласия (родители)"))
    created_at = models.DateTimeField(_("создана"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("автор"),
    )

    objects = ConsentTextQuerySet.as_manager()

    class Meta:
        verbose_name = _("текст согласия на обработку ПДн")
        verbose_name_plural = _("тексты согласия на обработку ПДн")
        ordering = ["school", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "version"], name="consenttext_unique_version"
            ),
        ]

    def __str__(self):
        return f"{self.school}: версия {self.version}"

    def text_for(self, role: str) -> str:
        return self.parent_text if role == Role.PARENT else self.text

    @classmethod
    def portal_wording(cls, school: School) -> ConsentText:
        """Version 1 as the portal words it, not saved."""
        return cls(
            school=school,
            version=1,
            text=DEFAULT_CONSENT_TEXT.format(school=school.name),
            parent_text=DEFAULT_CONSENT_PARENT_TEXT.format(school=school.name),
        )

    @classmethod
    def of_link(cls, invitation) -> ConsentText:
        """The school's current version for a link read by ``selectors.invitation_by_token``,
        which brings it in the same query (no query here). Read for a use (``wording=False``),
        the wording is not there: it is deferred, loaded if something asks for it (a form sent
        back with its errors shows it again)."""
        if getattr(invitation, "consent_id", None) is None:
            return cls.portal_wording(invitation.school)
        if not hasattr(invitation, "consent_text"):
            consent = cls.from_db(
                invitation._state.db,
                ["id", "school_id", "version"],
                [invitation.consent_id, invitation.school_id, invitation.consent_version],
            )
            consent.school = invitation.school
            return consent
        return cls(
            pk=invitation.consent_id,
            school=invitation.school,
            version=invitation.consent_version,
            text=invitation.consent_text,
            parent_text=invitation.consent_parent_text,
        )


class JoinRequest(TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("ожидает")
        APPROVED = "approved", _("принята")
        REJECTED = "rejected", _("отклонена")

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="join_requests", verbose_name=_("школа")
    )
    invitation = models.ForeignKey(
        Invitation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="join_requests",
        verbose_name=_("ссылка"),
    )
    role = models.CharField(_("роль"), max_length=16, choices=Role.choices)
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="join_requests",
        verbose_name=_("класс"),
    )
    full_name = models.CharField(_("ФИО"), max_length=200)
    child_name = models.CharField(_("ФИО ребёнка"), max_length=200, blank=True)
    consent = models.BooleanField(_("согласие на обработку персональных данных"), default=False)
    status = models.CharField(
        _("статус"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("рассмотрел"),
    )
    reviewed_at = models.DateTimeField(_("рассмотрена"), null=True, blank=True)
    reason = models.CharField(_("причина / комментарий"), max_length=300, blank=True)
    consent_text = models.ForeignKey(
        ConsentText,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="join_requests",
        verbose_name=_("версия текста согласия"),
    )
    consent_given_at = models.DateTimeField(_("согласие дано"), null=True, blank=True)
    consent_withdrawn_at = models.DateTimeField(_("согласие отозвано"), null=True, blank=True)
    consent_withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("отзыв записал"),
    )
    consent_withdrawal_note = models.CharField(_("основание отзыва"), max_length=300, blank=True)
    personal_data_erased_at = models.DateTimeField(
        _("персональные данные удалены"), null=True, blank=True
    )
    submission_key = models.CharField(
        _("ключ отправки формы"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_(
            "Повторная отправка той же формы (двойное нажатие) не расходует ссылку ещё раз."
        ),
    )

    person_key = models.CharField(
        _("ключ заявителя"),
        max_length=402,
        blank=True,
        editable=False,
        help_text=_("ФИО заявителя и ребёнка без регистра и пробелов: так видна повторная заявка."),
    )

    class Meta:
        verbose_name = _("заявка на присоединение")
        verbose_name_plural = _("заявки на присоединение")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(consent=True), name="joinrequest_requires_consent"),
            models.CheckConstraint(
                condition=~Q(role="parent") | ~Q(child_name=""),
                name="joinrequest_parent_names_child",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", reviewed_at__isnull=True)
                | (~Q(status="pending") & Q(reviewed_at__isnull=False)),
                name="joinrequest_reviewed_iff_not_pending",
            ),
            models.UniqueConstraint(
                fields=["invitation", "submission_key"],
                condition=~Q(submission_key=""),
                name="joinrequest_one_per_submission",
            ),
            # The same person through the same link once: a second form finds the first request.
            models.UniqueConstraint(
                fields=["invitation", "person_key"],
                condition=~Q(person_key=""),
                name="joinrequest_one_per_person_and_link",
            ),
        ]
        indexes = [
            models.Index(fields=["school", "status", "created_at"], name="joinrequest_queue_idx"),
            models.Index(fields=["school", "person_key"], name="joinrequest_person_idx"),
        ]

    def __str__(self):
        return f"{self.full_name} ({self.get_role_display()})"
