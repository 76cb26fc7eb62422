"""Locust scenarios of ``manage.py bench_load`` (run by it as ``locust -f … --headless``; not
imported by Django). The command writes the sessions, class ids and link tokens to the JSON file
named by ``BENCH_LOAD_DATA``; the numbers of users of each kind come from ``BENCH_LOAD_TEACHERS``,
``BENCH_LOAD_PARENTS`` and ``BENCH_LOAD_DIRECTORS``.

The server runs with DEBUG off, so its cookies are marked Secure and an ``http://`` client would not
send them back: each request carries its ``Cookie`` header explicitly instead.
"""

from __future__ import annotations

import itertools
import json
import os
import re

from locust import HttpUser, between, task

with open(os.environ["BENCH_LOAD_DATA"], encoding="utf-8") as _file:
    DATA = json.load(_file)

_teachers = itertools.cycle(DATA["teachers"])
_directors = itertools.cycle(DATA["directors"])
_links = itertools.cycle(DATA["links"])
_parent_numbers = itertools.count(1)

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SUBMISSION_KEY = re.compile(r'name="submission_key" value="([^"]*)"')


class ClassTeacher(HttpUser):
    """Opens the checklist of their class (/chats/my-class/ → /chats/my-class/<id>/) now and
    then."""

    fixed_count = int(os.environ.get("BENCH_LOAD_TEACHERS", "100"))
    wait_time = between(2, 6)

    def on_start(self):
        teacher = next(_teachers)
        self.cookie = f"sessionid={teacher['session']}"
        self.expected = f"/chats/my-class/{teacher['class_id']}/"

    @task
    def checklist(self):
        with self.client.get(
            "/chats/my-class/",
            headers={"Cookie": self.cookie},
            name="teacher: /chats/my-class/ → checklist",
            catch_response=True,
        ) as response:
            if response.status_code != 200 or not response.url.endswith(self.expected):
                response.failure(f"{response.status_code} at {response.url}")


class Parent(HttpUser):
    """Opens a multi-use class link and fills in the form (CSRF token from the page and cookie)."""

    fixed_count = int(os.environ.get("BENCH_LOAD_PARENTS", "20"))
    wait_time = between(1, 3)

    def on_start(self):
        self.link = next(_links)

    @task
    def use_link(self):
        path = f"/invite/{self.link['token']}/"
        with self.client.get(
            path, name="parent: GET /invite/<token>/", catch_response=True
        ) as page:
            csrf_cookie = page.cookies.get("csrftoken")
            token = CSRF_INPUT.search(page.text or "")
            key = SUBMISSION_KEY.search(page.text or "")
            if page.status_code != 200 or not (csrf_cookie and token):
                page.failure(f"{page.status_code}: no form or CSRF token")
                return
        number = next(_parent_numbers)
        with self.client.post(
            path,
            data={
                "csrfmiddlewaretoken": token.group(1),
                "submission_key": key.group(1) if key else "",
                "full_name": f"Нагрузочный Родитель {number}",
                "child_name": f"Нагрузочный Ученик {number}",
                "consent": "on",
            },
            headers={"Cookie": f"csrftoken={csrf_cookie}"},
            name="parent: POST /invite/<token>/",
            catch_response=True,
        ) as used:
            if used.status_code != 200 or self.link["platform_url"] not in (used.text or ""):
                used.failure(f"{used.status_code}: the page does not show the platform link")


class Director(HttpUser):
    """Looks at the order board of their school."""

    fixed_count = int(os.environ.get("BENCH_LOAD_DIRECTORS", "2"))
    wait_time = between(2, 5)

    def on_start(self):
        self.cookie = f"sessionid={next(_directors)}"

    @task
    def board(self):
        with self.client.get(
            "/orders/board/",
            headers={"Cookie": self.cookie},
            name="director: /orders/board/",
            catch_response=True,
            allow_redirects=False,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
