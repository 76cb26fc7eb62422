"""What the portal keeps of MAX: every update received (the inbox), the chats the bot was added to,
people's MAX accounts and their one-time binding codes, and the outbox of reminders."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from staff.models import Person, School


class InboxUpdate(models.Model):
    """One MAX ``Update`` as it arrived (webhook or long polling), stored before anything else.

    ``dedupe_key`` is the update's identity for redelivery (API.md: same ``update_type``,
    ``timestamp``, chat and user): a second delivery finds it and is not stored again.
    """

    dedupe_key = models.CharField(_("ключ события"), max_length=64, unique=True)
    update_type = models.CharField(_("тип"), max_length=40)
    timestamp = models.BigIntegerField(_("время события, мс"))
    chat_id = models.BigIntegerField(_("id чата"), null=True, blank=True)
    user_id = models.BigIntegerField(_("id пользователя"), null=True, blank=True)
    payload = models.JSONField(_("событие"))
    received_at = models.DateTimeField(_("получено"), auto_now_add=True)
    processed_at = models.DateTimeField(_("обработано"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("попыток"), default=0)
    error = models.CharField(_("ошибка"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("событие МАХ")
        verbose_name_plural = _("события МАХ")
        ordering = ["timestamp", "pk"]
        indexes = [
            models.Index(
                fields=["received_at"],
                condition=Q(processed_at__isnull=True),
                name="inbox_unprocessed_idx",
            )
        ]

    def __str__(self):
        return f"{self.update_type} {self.timestamp}"


class PlatformChat(models.Model):
    """A MAX chat the bot is in (learnt from ``bot_added``), as ``GET /chats/{id}`` last showed it.
    Bound or not: the binding is the portal chat's ``platform_chat_id``."""

    chat_id = models.BigIntegerField(_("id чата в МАХ"), unique=True)
    title = models.CharField(_("название"), max_length=300, blank=True)
    link = models.CharField(_("ссылка"), max_length=500, blank=True)
    status = models.CharField(_("состояние"), max_length=16, blank=True)
    participants_count = models.PositiveIntegerField(_("участников"), null=True, blank=True)
    owner_id = models.BigIntegerField(_("id владельца"), null=True, blank=True)
    last_event_time = models.BigIntegerField(_("последнее событие, мс"), null=True, blank=True)
    # The school it belongs to, when known: the school of the bound MAX account that added the bot,
    # or owner, or of the portal chat it is bound to. None: nobody knows yet, and no school sees it.
    school = models.ForeignKey(
        School,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("школа"),
    )
    added_by_user_id = models.BigIntegerField(_("кто добавил бота"), null=True, blank=True)
    added_at = models.DateTimeField(_("бот добавлен"), auto_now_add=True)
    fetched_at = models.DateTimeField(_("прочитан"), null=True, blank=True)
    last_error = models.CharField(_("последняя ошибка"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("чат в МАХ")
        verbose_name_plural = _("чаты в МАХ")
        ordering = ["-added_at"]

    def __str__(self):
        return self.title or str(self.chat_id)


class MaxAccount(models.Model):
    """A person's MAX account, bound through a one-time deep link (``bot_started``)."""

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, related_name="max_account", verbose_name=_("сотрудник")
    )
    max_user_id = models.BigIntegerField(_("id пользователя МАХ"), unique=True)
    bound_at = models.DateTimeField(_("привязан"))

    class Meta:
        verbose_name = _("учётная запись МАХ")
        verbose_name_plural = _("учётные записи МАХ")

    def __str__(self):
        return f"{self.person} → {self.max_user_id}"


class LinkCode(models.Model):
    """A one-time code a person's deep link carries; it expires and works once."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="max_link_codes", verbose_name=_("сотрудник")
    )
    code = models.CharField(_("код"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)
    expires_at = models.DateTimeField(_("действует до"))
    used_at = models.DateTimeField(_("использован"), null=True, blank=True)

    class Meta:
        verbose_name = _("код привязки МАХ")
        verbose_name_plural = _("коды привязки МАХ")
        indexes = [models.Index(fields=["person", "expires_at"])]

    def __str__(self):
        return self.code


class OutboxMessage(models.Model):
    """A reminder to send as a bot message: stored first, sent by a worker, sent once.

    ``key`` names the reminder (``overdue:point:7:2026-12-02:person:3``): storing it twice is a
    no-op, so a reminder is never queued — and so never sent — twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("ожидает")
        SENT = "sent", _("отправлено")
        FAILED = "failed", _("не отправлено")

    key = models.CharField(_("ключ"), max_length=200, unique=True)
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="max_outbox", verbose_name=_("кому")
    )
    max_user_id = models.BigIntegerField(_("id пользователя МАХ"))
    text = models.TextField(_("текст"))
    status = models.CharField(
        _("статус"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("попыток"), default=0)
    next_attempt_at = models.DateTimeField(_("следующая попытка"))
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    sent_at = models.DateTimeField(_("отправлено"), null=True, blank=True)
    last_error = models.CharField(_("последняя ошибка"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("сообщение в МАХ")
        verbose_name_plural = _("исходящие сообщения МАХ")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="outbox_pending_idx",
            )
        ]

    def __str__(self):
        return self.key
