from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chats.models import CLASS_KINDS, Chat, ChatKind
from chats.services import chat_create
from staff.models import School, SchoolClass

from .models import PlatformChat


class BindChatForm(forms.Form):
    """Which class and kind an unbound MAX chat is: bound to that class's active chat of the kind,
    or recorded as a new portal chat with the MAX chat's link and title."""

    platform_chat = forms.IntegerField(widget=forms.HiddenInput)
    school_class = forms.ModelChoiceField(
        queryset=SchoolClass.objects.none(), label=gettext_lazy("Класс")
    )
    kind = forms.ChoiceField(
        choices=[(kind.value, kind.label) for kind in CLASS_KINDS], label=gettext_lazy("Вид чата")
    )

    def __init__(self, *args, school: School, platform_chat: PlatformChat, **kwargs):
        kwargs.setdefault("initial", {})["platform_chat"] = platform_chat.pk
        super().__init__(*args, **kwargs)
        self.school, self.max_chat = school, platform_chat
        self.fields["school_class"].queryset = SchoolClass.objects.filter(  # type: ignore[attr-defined]
            school=school, status=SchoolClass.Status.ACTIVE
        ).order_by("grade", "letter")
        self.auto_id = f"id_bind_{platform_chat.pk}_%s"

    def clean(self):
        data = super().clean()
        if data.get("platform_chat") != self.max_chat.pk:
            raise ValidationError(_("Форма относится к другому чату."))
        return data

    def existing_chat(self) -> Chat | None:
        return (
            Chat.objects.filter(
                school=self.school,
                school_class=self.cleaned_data["school_class"],
                kind=self.cleaned_data["kind"],
                status=Chat.Status.ACTIVE,
                platform_chat_id__isnull=True,
            )
            .order_by("pk")
            .first()
        )

    def target_chat(self, *, by) -> Chat:
        chat = self.existing_chat()
        if chat is not None and self.cleaned_data["kind"] != ChatKind.CLASS_OTHER:
            return chat
        link = self.max_chat.link
        if not link.startswith("https://"):
            raise ValidationError(
                _("У чата МАХ нет https-ссылки: добавьте чат в портал вручную и привяжите его.")
            )
        return chat_create(
            school=self.school,
            kind=self.cleaned_data["kind"],
            school_class=self.cleaned_data["school_class"],
            title=self.max_chat.title or link,
            url=link,
            by=by,
        )
