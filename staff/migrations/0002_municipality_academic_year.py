"""Municipality above School (the string becomes a row), the school's current academic year,
inspectors scoped to a municipality, and the record of the academic year's turnover."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def municipalities_from_names(apps, schema_editor):
    School = apps.get_model("staff", "School")
    Municipality = apps.get_model("staff", "Municipality")
    for name in School.objects.values_list("municipality_name", flat=True).distinct():
        municipality, _created = Municipality.objects.get_or_create(name=name or "—")
        School.objects.filter(municipality_name=name).update(municipality=municipality)


def names_from_municipalities(apps, schema_editor):
    School = apps.get_model("staff", "School")
    for school in School.objects.select_related("municipality"):
        school.municipality_name = school.municipality.name
        school.save(update_fields=["municipality_name"])


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Municipality",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="создано")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="изменено")),
                (
                    "name",
                    models.CharField(max_length=200, unique=True, verbose_name="наименование"),
                ),
                (
                    "department",
                    models.CharField(
                        blank=True, max_length=300, verbose_name="орган управления образованием"
                    ),
                ),
            ],
            options={
                "verbose_name": "муниципалитет",
                "verbose_name_plural": "муниципалитеты",
                "ordering": ["name"],
            },
        ),
        migrations.RenameField("school", "municipality", "municipality_name"),
        migrations.AddField(
            model_name="school",
            name="municipality",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="schools",
                to="staff.municipality",
                verbose_name="муниципалитет",
            ),
        ),
        migrations.RunPython(municipalities_from_names, names_from_municipalities),
        migrations.RemoveField("school", "municipality_name"),
        migrations.AlterField(
            model_name="school",
            name="municipality",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="schools",
                to="staff.municipality",
                verbose_name="муниципалитет",
            ),
        ),
        migrations.AddField(
            model_name="school",
            name="academic_year",
            field=models.PositiveSmallIntegerField(
                default=2025,
                help_text="Меняется только шагом «Новый учебный год».",
                verbose_name="текущий учебный год (год начала)",
            ),
        ),
        migrations.CreateModel(
            name="Inspector",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="создано")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="изменено")),
                (
                    "municipality",
                    models.ForeignKey(
                        blank=True,
                        help_text="Пусто — региональный уровень: все муниципалитеты.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="inspectors",
                        to="staff.municipality",
                        verbose_name="муниципалитет",
                    ),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="inspector",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="учётная запись",
                    ),
                ),
            ],
            options={
                "verbose_name": "инспектор управления образования",
                "verbose_name_plural": "инспекторы управления образования",
            },
        ),
        migrations.CreateModel(
            name="YearTurnover",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="создано")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="изменено")),
                ("from_year", models.PositiveSmallIntegerField(verbose_name="из учебного года")),
                ("to_year", models.PositiveSmallIntegerField(verbose_name="в учебный год")),
                (
                    "status",
                    models.CharField(
                        choices=[("applied", "проведён"), ("reverted", "отменён")],
                        default="applied",
                        max_length=16,
                        verbose_name="статус",
                    ),
                ),
                ("applied_at", models.DateTimeField(verbose_name="проведён")),
                (
                    "reverted_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="отменён"),
                ),
                ("summary", models.JSONField(default=dict, verbose_name="итог")),
                ("changes", models.JSONField(default=dict, verbose_name="изменения (для отмены)")),
                (
                    "applied_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="провёл",
                    ),
                ),
                (
                    "reverted_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="отменил",
                    ),
                ),
                (
                    "school",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="turnovers",
                        to="staff.school",
                        verbose_name="школа",
                    ),
                ),
            ],
            options={
                "verbose_name": "переход на новый учебный год",
                "verbose_name_plural": "переходы на новый учебный год",
                "ordering": ["-applied_at"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("status", "applied")),
                        fields=("school", "from_year"),
                        name="turnover_once_per_year",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("to_year", models.F("from_year") + 1)),
                        name="turnover_next_year",
                    ),
                ],
            },
        ),
    ]
