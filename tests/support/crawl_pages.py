"""Run inside ``manage.py shell`` on seeded demo data: GET the main pages and APIs as every demo
role and print each 5xx. Used by tests/test_embedded_sqlite.py
(the embedded setup of `make run`)."""

import logging
import re

from django.contrib.auth import get_user_model
from django.test import Client

from invitations.models import Invitation
from orders.models import Order
from staff.models import SchoolClass

logging.disable(logging.CRITICAL)
User = get_user_model()
order = Order.objects.get(number="883")
cls = SchoolClass.objects.get(grade=5, letter="А", school=order.school)
inv = Invitation.objects.filter(school_class=cls).first()
urls = [
    "/",
    "/orders/",
    f"/orders/{order.pk}/",
    "/orders/board/",
    f"/orders/board/{order.school_id}/",
    "/orders/inspector/",
    "/chats/my-class/",
    f"/chats/my-class/{cls.pk}/",
    "/chats/school/",
    "/chats/meetings/",
    "/invitations/",
    "/invitations/join-requests/",
    f"/invitations/{inv.pk}/",
    "/staff/people/",
    "/staff/classes/",
    "/staff/absences/",
    "/staff/training/",
    "/staff/statuses/",
    "/staff/movements/",
    "/api/v1/classes/",
    "/api/v1/chats/",
    "/api/v1/invitations/",
    "/api/v1/join-requests/",
    "/api/v1/orders/",
    f"/api/v1/orders/{order.pk}/",
    "/api/v1/dashboard/",
    f"/api/v1/dashboard/?school={order.school_id}",
    "/api/schema/",
    "/healthz",
    f"/invite/{inv.token}/",
]
# exports and drilldown discovered from the board page links
bad = 0
for username in [
    "director",
    "coordinator",
    "engineer",
    "teacher_5a",
    "teacher_5b",
    "inspector",
    "web_editor",
    "chat_owner",
    "staff",
]:
    c = Client(raise_request_exception=False)
    c.force_login(User.objects.get(username=username))
    extra = []
    r = c.get("/orders/board/")
    if r.status_code == 200:
        extra = sorted(set(re.findall(r'href="(/orders/[^"#]*)"', r.content.decode())))[:40]
    for url in urls + extra:
        r = c.get(url.replace("&amp;", "&"))
        if r.status_code >= 500:
            bad += 1
            print("500", username, url)
print("crawl done, 5xx:", bad)
