"""HTML forms of the chats app: thin — the rules live in ``chats.services``."""

from __future__ import annotations

from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gymnasium_portal.platform_links import is_platform_link, platform_domains, platform_link_error
from staff.models import Person

from .models import CLASS_KINDS, SCHOOL_KINDS, Chat, ChatKind, Meeting


def apply_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: by field where the form has it, else on top."""
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class ChatFieldsMixin(forms.Form):
    title = forms.CharField(label=_("Название чата"), max_length=200)
    url = forms.URLField(
        label=_("Ссылка на чат в «Сферуме»"),
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://", "inputmode": "url"}),
    )
    members_count = forms.IntegerField(
        label=_("Участников сейчас"),
        min_value=0,
        max_value=100000,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["url"].help_text = _("Ссылка платформы: %(domains)s.") % {
            "domains": ", ".join(platform_domains())
        }

    def clean_url(self):
        url = self.cleaned_data["url"]
        if not url.startswith("https://"):
            raise ValidationError(_("Ссылка на чат должна начинаться с https://"))
        # Asked here too, so it is shown with every other error of the form at once; a link
        # already on record passes while it is not changed (as ``chat_update`` does).
        if url != self.initial.get("url") and not is_platform_link(url):
            raise ValidationError(platform_link_error())
        return url


class ClassChatAddForm(ChatFieldsMixin):
    kind = forms.ChoiceField(
        label=_("Вид чата"),
        choices=[(k.value, k.label) for k in CLASS_KINDS],
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, prefix_kind: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if prefix_kind:
            self.fields["kind"].initial = prefix_kind


class OwnerField(forms.ModelChoiceField):
    def label_from_instance(self, person: Person) -> str:
        return f"{person.full_name} — {person.position}" if person.position else person.full_name


def _owner_field(school) -> OwnerField:
    return OwnerField(
        label=_("Ответственный (владелец чата)"),
        queryset=Person.objects.filter(school=school, is_active=True).only(
            "pk", "full_name", "position"
        ),
        required=False,
        empty_label=_("— не назначен —"),
    )


class SchoolChatAddForm(ChatFieldsMixin):
    kind = forms.ChoiceField(
        label=_("Вид чата"), choices=[(k.value, k.label) for k in SCHOOL_KINDS]
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _owner_field(school)
        self.fields["owner"].help_text = _(
            "Если не выбрать, ответственным станет первый названный в приказе."
        )


class ChatEditForm(ChatFieldsMixin):
    def __init__(self, *args, chat: Chat, may_assign_owner: bool, **kwargs):
        initial = {"title": chat.title, "url": chat.url, "members_count": chat.members_count}
        if may_assign_owner:
            initial["owner"] = chat.owner_id
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        if may_assign_owner:
            self.fields["owner"] = _owner_field(chat.school_id)


class ChatChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, chat: Chat) -> str:
        if chat.school_class is not None:
            return f"{chat.school_class.name}: {chat.title}"
        return f"{ChatKind(chat.kind).label}: {chat.title}"


class MeetingForm(forms.Form):
    held_on = forms.DateField(
        label=_("Дата"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    kind = forms.ChoiceField(
        label=_("Что проводилось"), choices=Meeting.Kind.choices, initial=Meeting.Kind.MEETING
    )
    format = forms.ChoiceField(
        label=_("Формат"), choices=Meeting.Format.choices, initial=Meeting.Format.ONLINE
    )
    topic = forms.CharField(label=_("Тема"), max_length=300)
    chat = ChatChoiceField(
        label=_("Чат"), queryset=Chat.objects.none(), required=False, empty_label=_("— без чата —")
    )
    participants = forms.IntegerField(
        label=_("Участников"), min_value=0, max_value=100000, initial=0
    )

    def __init__(self, *args, chats, meeting: Meeting | None = None, **kwargs):
        if meeting is not None:
            kwargs.setdefault(
                "initial",
                {
                    "held_on": meeting.held_on,
                    "kind": meeting.kind,
                    "format": meeting.format,
                    "topic": meeting.topic,
                    "chat": meeting.chat_id,
                    "participants": meeting.participants,
                },
            )
        super().__init__(*args, **kwargs)
        cast(ChatChoiceField, self.fields["chat"]).queryset = chats


class DeclinedForm(forms.Form):
    """Of the class list, who declined МАХ and how the school reaches them (DESIGN.md §9)."""

    students_declined = forms.IntegerField(
        label=_("Учащихся отказались"), min_value=0, max_value=60, initial=0
    )
    parents_declined = forms.IntegerField(
        label=_("Родителей отказались"), min_value=0, max_value=120, initial=0
    )
    declined_channel = forms.CharField(
        label=_("Как школа связывается с ними"),
        max_length=200,
        required=False,
        help_text=_("Обязательно, если кто-то отказался."),
        widget=forms.TextInput(attrs={"placeholder": _("например, телефон, электронная почта")}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Required when anybody declined (the service says so): not «необязательно» on the form.
        self.fields["declined_channel"].conditional = True  # read by the form_fields partial
