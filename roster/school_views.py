"""The municipal department adds a school and its director; the school's order is made from the
department's order (№ 935) as a template (``roster.schools.school_add``)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orders.models import OrderTemplate
from staff.access import user_can
from staff.models import Municipality, School
from staff.selectors import inspected_municipality_id

from .schools import school_add


class SchoolAddForm(forms.Form):
    municipality = forms.ModelChoiceField(
        label=gettext_lazy("Муниципалитет"), queryset=Municipality.objects.none()
    )
    name = forms.CharField(label=gettext_lazy("Полное наименование школы"), max_length=300)
    short_name = forms.CharField(label=gettext_lazy("Краткое наименование"), max_length=120)
    director_full_name = forms.CharField(
        label=gettext_lazy("ФИО директора"),
        max_length=200,
        help_text=gettext_lazy("Полностью: Фамилия Имя Отчество."),
    )
    director_username = forms.RegexField(
        label=gettext_lazy("Логин директора"),
        regex=r"^[\w.@+-]+\Z",
        max_length=150,
        required=False,
        help_text=gettext_lazy(
            "Необязательно. Пароль директор задаст сам по одноразовой ссылке от координатора."
        ),
    )
    template = forms.ModelChoiceField(
        label=gettext_lazy("Приказ управления (образец)"), queryset=OrderTemplate.objects.none()
    )
    order_number = forms.CharField(label=gettext_lazy("Номер приказа школы"), max_length=32)
    order_date = forms.DateField(
        label=gettext_lazy("Дата приказа школы"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities
        self.fields["template"].queryset = OrderTemplate.objects.filter(
            municipality__in=municipalities, is_active=True
        ).select_related("municipality")
        if municipalities.count() == 1:
            self.fields["municipality"].initial = municipalities.first()
        self.fields["order_date"].initial = timezone.localdate()

    def clean_director_username(self):
        username = self.cleaned_data["director_username"]
        if username and get_user_model().objects.filter(username=username).exists():
            raise forms.ValidationError(_("Этот логин уже занят."))
        return username

    def clean(self):
        data = super().clean()
        municipality, template = data.get("municipality"), data.get("template")
        if municipality and template and template.municipality_id != municipality.pk:
            self.add_error("template", _("Это образец другого муниципалитета."))
        if municipality and data.get("name"):
            if School.objects.filter(municipality=municipality, name=data["name"]).exists():
                self.add_error("name", _("Такая школа в муниципалитете уже есть."))
        return data


@login_required
def school_add_view(request):
    if not user_can(request.user, "add", School):
        raise PermissionDenied
    municipality_id = inspected_municipality_id(request.user)
    municipalities = Municipality.objects.all()
    if municipality_id is not None:
        municipalities = municipalities.filter(pk=municipality_id)
    form = SchoolAddForm(request.POST or None, municipalities=municipalities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        added = school_add(
            municipality=data["municipality"],
            name=data["name"],
            short_name=data["short_name"],
            director_full_name=data["director_full_name"],
            director_username=data["director_username"],
            template=data["template"],
            order_number=data["order_number"],
            order_date=data["order_date"],
            by=request.user,
        )
        messages.success(
            request,
            _("Школа «%(school)s» добавлена; её приказ № %(number)s создан по образцу.")
            % {"school": added.school.short_name, "number": added.order.number},
        )
        return redirect("board:board_school", school_id=added.school.pk)
    return render(
        request,
        "roster/school_add.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )
