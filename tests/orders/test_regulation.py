"""The regulation: PDF versions (point 1) and its publication on the school site (point 8)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from compliance.registry import PointStatus, points_evaluate
from gymnasium_portal.forms import MAX_UPLOAD_MB
from orders.models import OrderEvent, Regulation

from .conftest import add_point, days

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"


def upload(
    client,
    order,
    *,
    name="polozhenie.pdf",
    content=PDF,
    content_type="application/pdf",
    approved_on="2025-12-15",
):
    return client.post(
        reverse("orders:regulation_upload", args=[order.pk]),
        {
            "title": "Положение об использовании платформы «Сферум»",
            "approved_on": approved_on,
            "file": SimpleUploadedFile(name, content, content_type=content_type),
        },
    )


def make_regulation(order, **fields):
    fields.setdefault("approved_on", order.date)
    return Regulation.objects.create(school=order.school, order=order, title="Положение", **fields)


class TestUpload:
    def test_versions_are_numbered_and_kept(self, client, coordinator, order, today):
        point = add_point(order, "1", "regulation_attached")
        client.force_login(coordinator)
        assert points_evaluate(points=[point], today=today)[point.pk].status == PointStatus.NOT_DONE
        assert upload(client, order).status_code == 302
        assert upload(client, order, approved_on="2025-12-20").status_code == 302
        assert list(order.regulations.order_by("version").values_list("version", flat=True)) == [
            1,
            2,
        ]
        assert all(r.file.name.endswith(".pdf") for r in order.regulations.all())
        assert order.events.filter(kind=OrderEvent.Kind.REGULATION_UPLOADED).count() == 2
        assert points_evaluate(points=[point], today=today)[point.pk].status == PointStatus.DONE
        page = client.get(reverse("orders:regulations", args=[order.pk])).content.decode()
        assert "20.12.2025" in page and "15.12.2025" in page

    @pytest.mark.parametrize(
        "name, content, content_type, message",
        [
            ("polozhenie.docx", PDF, "application/pdf", "формате PDF"),
            ("polozhenie.pdf", PDF, "image/png", "не является PDF"),
            ("polozhenie.pdf", b"<html>not a pdf</html>", "application/pdf", "не является PDF"),
            ("polozhenie.pdf", b"", "application/pdf", ""),
            (
                "polozhenie.pdf",
                b"%PDF-" + b"0" * (MAX_UPLOAD_MB * 1024 * 1024 + 1),
                "application/pdf",
                "больше",
            ),
        ],
    )
    def test_bad_files_are_refused_and_nothing_written(
        self, client, coordinator, order, name, content, content_type, message
    ):
        client.force_login(coordinator)
        response = upload(client, order, name=name, content=content, content_type=content_type)
        assert response.status_code == 400
        assert message in str(response.context["form"].errors["file"])
        assert "Положение об использовании" in response.content.decode()  # the input is kept
        assert not Regulation.objects.exists()

    def test_missing_date(self, client, coordinator, order):
        client.force_login(coordinator)
        assert upload(client, order, approved_on="").status_code == 400
        assert not Regulation.objects.exists()


class TestPublication:
    def test_the_web_editor_records_the_publication(self, client, web_editor, order, today):
        point = add_point(order, "8", "regulation_published", deadline=today + days(5))
        regulation = make_regulation(order)
        client.force_login(web_editor)
        page = client.get(reverse("orders:regulations", args=[order.pk])).content.decode()
        assert reverse("orders:regulation_publish", args=[regulation.pk]) in page
        response = client.post(
            reverse("orders:regulation_publish", args=[regulation.pk]),
            {
                "url": "https://gimnazia.example/docs/sferum.pdf",
                "published_on": today.isoformat(),
            },
        )
        assert response.status_code == 302
        regulation.refresh_from_db()
        assert (regulation.published_url, regulation.published_on, regulation.published_by) == (
            "https://gimnazia.example/docs/sferum.pdf",
            today,
            web_editor,
        )
        assert points_evaluate(points=[point], today=today)[point.pk].status == PointStatus.DONE
        assert point.events.filter(kind=OrderEvent.Kind.REGULATION_PUBLISHED).exists()

    def test_published_after_the_deadline_is_done_late(self, client, web_editor, order, today):
        point = add_point(order, "8", "regulation_published", deadline=today - days(3))
        regulation = make_regulation(order, approved_on=today - days(30))
        client.force_login(web_editor)
        client.post(
            reverse("orders:regulation_publish", args=[regulation.pk]),
            {
                "url": "https://gimnazia.example/sferum.pdf",
                "published_on": today.isoformat(),
            },
        )
        result = points_evaluate(points=[point], today=today)[point.pk]
        assert (result.status, result.label) == (PointStatus.DONE, "выполнено с опозданием")
        page = client.get(reverse("orders:regulations", args=[order.pk])).content.decode()
        assert "позже срока" in page

    @pytest.mark.parametrize(
        "data, field",
        [
            ({"url": "", "published_on": "2025-12-20"}, "url"),
            ({"url": "не ссылка", "published_on": "2025-12-20"}, "url"),
            ({"url": "https://gimnazia.example/x.pdf", "published_on": ""}, "published_on"),
            (
                {"url": "https://gimnazia.example/x.pdf", "published_on": "2099-01-01"},
                "published_on",
            ),
            (
                {"url": "https://gimnazia.example/x.pdf", "published_on": "2025-12-01"},
                "published_on",
            ),  # before approval
        ],
    )
    def test_bad_input(self, client, web_editor, order, data, field):
        regulation = make_regulation(order, approved_on=datetime.date(2025, 12, 15))
        client.force_login(web_editor)
        response = client.post(reverse("orders:regulation_publish", args=[regulation.pk]), data)
        assert response.status_code == 400 and field in response.context["form"].errors
        regulation.refresh_from_db()
        assert regulation.published_on is None and regulation.published_url == ""

    def test_the_web_editor_can_record_only_the_publication(self, client, web_editor, order):
        point = add_point(order, "8", "regulation_published")
        regulation = make_regulation(order)
        client.force_login(web_editor)
        assert upload(client, order).status_code == 403
        assert client.get(reverse("orders:regulation_upload", args=[order.pk])).status_code == 403
        assert client.post(
            reverse("orders:edit", args=[order.pk]), {"number": "1"}
        ).status_code in (403, 404)
        assert client.post(
            reverse("orders:point_edit", args=[point.pk]), {"number": "8", "text": "x"}
        ).status_code in (403, 404)
        assert client.post(
            reverse("orders:evidence_add", args=[point.pk]), {"comment": "x"}
        ).status_code in (403, 404)
        assert client.post(reverse("orders:distribute", args=[order.pk])).status_code in (403, 404)
        assert regulation.order.regulations.count() == 1
        # … and when the order was sent to them, a readable order still answers 403, not 404.
        from orders.services import acknowledgements_distribute

        acknowledgements_distribute(order=order)
        assert (
            client.post(reverse("orders:edit", args=[order.pk]), {"number": "1"}).status_code == 403
        )
        assert (
            client.post(
                reverse("orders:point_edit", args=[point.pk]), {"number": "8", "text": "x"}
            ).status_code
            == 403
        )

    @pytest.mark.parametrize(
        "who, status",
        [
            ("coordinator", 302),
            ("staff_member", 404),
            ("operator", 403),
            ("director", 403),
            ("other_director", 404),
        ],
    )
    def test_who_may_record_the_publication(self, request, client, order, today, who, status):
        regulation = make_regulation(order)
        client.force_login(request.getfixturevalue(who))
        response = client.post(
            reverse("orders:regulation_publish", args=[regulation.pk]),
            {
                "url": "https://gimnazia.example/x.pdf",
                "published_on": today.isoformat(),
            },
        )
        assert response.status_code == status
        regulation.refresh_from_db()
        assert (regulation.published_on is not None) == (status == 302)

    def test_staff_member_is_not_a_web_editor(self, client, staff_member, order, today):
        from orders.services import acknowledgements_distribute

        regulation = make_regulation(order)
        acknowledgements_distribute(order=order)
        client.force_login(staff_member)
        assert client.get(reverse("orders:regulations", args=[order.pk])).status_code == 200
        assert (
            client.post(
                reverse("orders:regulation_publish", args=[regulation.pk]),
                {
                    "url": "https://gimnazia.example/x.pdf",
                    "published_on": today.isoformat(),
                },
            ).status_code
            == 403
        )


def test_the_web_editor_finds_what_to_publish_on_the_orders_page(
    client, web_editor, order, other_school
):
    from tests.factories import OrderFactory

    waiting = make_regulation(order)
    make_regulation(
        order, version=2, published_on=order.date, published_url="https://gimnazia.example/v2.pdf"
    )
    make_regulation(OrderFactory(school=other_school))
    client.force_login(web_editor)
    response = client.get(reverse("orders:list"))
    assert [r.pk for r in response.context["to_publish"]] == [waiting.pk]
    assert reverse("orders:regulation_publish", args=[waiting.pk]) in response.content.decode()


def test_staff_have_nothing_to_publish(client, staff_member, order):
    make_regulation(order)
    client.force_login(staff_member)
    assert client.get(reverse("orders:list")).context["to_publish"] == []


def test_the_orders_page_costs_the_same_with_many_regulations(
    client, web_editor, school, django_assert_max_num_queries
):
    from tests.factories import OrderFactory

    for index in range(15):
        make_regulation(OrderFactory(school=school, number=str(index)))
    client.force_login(web_editor)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("orders:list"))
    assert len(response.context["to_publish"]) == 15
