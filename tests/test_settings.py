"""Settings from the environment, checked in fresh interpreters:
settings are read once, at start-up."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
OUR_VARIABLES = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "EMAIL_HOST",
    "EMAIL_BACKEND",
    "CACHE_URL",
    "PORTAL_VAR_DIR",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_PRELOAD",
    "DJANGO_SETTINGS_MODULE",
    "PORTAL_BASE_URL",
    # set for the Playwright tests inside this pytest process; never in a deployment
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)

SHOW_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "debug": settings.DEBUG,
    "production": settings.PORTAL_PRODUCTION,
    "engine": settings.DATABASES["default"]["ENGINE"],
    "db_name": str(settings.DATABASES["default"]["NAME"]),
    "broker": settings.CELERY_BROKER_URL,
    "broker_options": settings.CELERY_BROKER_TRANSPORT_OPTIONS,
    "email": settings.EMAIL_BACKEND,
    "allowed_hosts": settings.ALLOWED_HOSTS,
    "language": settings.LANGUAGE_CODE,
    "time_zone": settings.TIME_ZONE,
}))
"""


def run_python(args, **env):
    clean = {key: value for key, value in os.environ.items() if key not in OUR_VARIABLES}
    clean["DJANGO_SETTINGS_MODULE"] = "gymnasium_portal.settings"
    clean.update(env)
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env(tmp_path):
    return {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "portal.example",
        "DATABASE_URL": "postgres://portal@db.example:5432/portal",
        "CELERY_BROKER_URL": "redis://redis.example:6379/0",
        "PORTAL_VAR_DIR": str(tmp_path),
        "PORTAL_BASE_URL": "https://portal.example",
    }


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off(tmp_path):
    result = run_python(
        ["-c", "import django; django.setup()"], DEBUG="0", PORTAL_VAR_DIR=str(tmp_path)
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_check_deploy_passes_without_warnings_in_production(tmp_path):
    result = run_python(["manage.py", "check", "--deploy"], **production_env(tmp_path))

    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert "System check identified no issues" in output, output
    assert "WARNING" not in output


def test_nothing_set_gives_the_embedded_defaults(tmp_path):
    result = run_python(["-c", SHOW_SETTINGS], PORTAL_VAR_DIR=str(tmp_path))

    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    # A local run: Django's debug pages off (only `make run DEBUG=1` asks for them), yet none of
    # production's demands (a secret key, HTTPS, host names).
    assert shown["debug"] is False and shown["production"] is False
    assert "127.0.0.1" in shown["allowed_hosts"] and "localhost" in shown["allowed_hosts"]
    assert shown["engine"] == "django.db.backends.sqlite3"
    assert shown["db_name"] == str(tmp_path / "portal.sqlite3")
    assert shown["broker"].startswith("filesystem://")
    assert shown["broker_options"]["data_folder_in"] == str(tmp_path / "broker" / "queue")
    assert (tmp_path / "broker" / "queue").is_dir()
    assert shown["email"] == "django.core.mail.backends.console.EmailBackend"
    assert shown["language"] == "ru"
    assert shown["time_zone"] == "Europe/Moscow"


def test_production_takes_everything_from_the_environment(tmp_path):
    result = run_python(
        ["-c", SHOW_SETTINGS], **production_env(tmp_path), EMAIL_HOST="smtp.example"
    )

    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["debug"] is False and shown["production"] is True
    assert shown["engine"] == "django.db.backends.postgresql"
    assert shown["db_name"] == "portal"
    assert shown["broker"] == "redis://redis.example:6379/0"
    assert shown["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert shown["allowed_hosts"] == ["portal.example"]


@pytest.mark.parametrize("path, redirected", [("/healthz", False), ("/accounts/login/", True)])
def test_production_redirects_to_https_except_the_health_check(tmp_path, path, redirected):
    script = f"""
import django
django.setup()
from django.http import HttpResponse
from django.middleware.security import SecurityMiddleware
from django.test import RequestFactory
request = RequestFactory().get({path!r}, HTTP_HOST="portal.example")
response = SecurityMiddleware(lambda request: HttpResponse("ok"))(request)
print(response.status_code)
"""
    result = run_python(["-c", script], **production_env(tmp_path))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ("301" if redirected else "200")


WRONG_ADDRESS = """
import django
django.setup()
from django.test import Client
response = Client(raise_request_exception=False).get("/no-such-page/")
page = response.content.decode()
print(response.status_code, "URLconf" in page, "Страница не найдена" in page)
"""


def test_a_local_run_answers_a_wrong_address_with_the_russian_page_not_the_debug_one(tmp_path):
    result = run_python(["-c", WRONG_ADDRESS], PORTAL_VAR_DIR=str(tmp_path))

    assert result.returncode == 0, result.stderr
    # Django's debug 404 lists the URL map («Using the URLconf defined in …»): none of it here.
    assert result.stdout.strip() == "404 False True", result.stdout + result.stderr


def test_debug_1_asks_for_djangos_debug_pages(tmp_path):
    result = run_python(["-c", WRONG_ADDRESS], PORTAL_VAR_DIR=str(tmp_path), DEBUG="1")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "404 True False"


BROKEN_VIEW = """
import django
django.setup()
from django.urls import include, path
from django.test import Client, override_settings

def broken(request):
    raise RuntimeError("a view that breaks")

urlpatterns = [path("broken/", broken), path("", include("gymnasium_portal.urls"))]
handler404 = "gymnasium_portal.views.page_not_found"
handler500 = "gymnasium_portal.views.server_error"
with override_settings(ROOT_URLCONF=__name__):
    client = Client(raise_request_exception=False)
    print(client.get("/broken/").status_code)
    print(client.get("/no-such-page/").status_code)
"""


@pytest.mark.parametrize("debug", ["", "1"])
def test_each_request_warning_is_logged_once_with_one_traceback(tmp_path, debug):
    result = run_python(["-c", BROKEN_VIEW], PORTAL_VAR_DIR=str(tmp_path), DEBUG=debug)

    assert result.stdout.split() == ["500", "404"], result.stderr
    log = result.stderr
    assert log.count("Not Found: /no-such-page/") == 1, log
    assert log.count("Internal Server Error: /broken/") == 1, log
    assert log.count("Traceback (most recent call last)") == 1, log
    assert log.count("RuntimeError: a view that breaks") == 1, log


def test_it_refuses_to_start_without_the_base_url_when_debug_is_off(tmp_path):
    env = production_env(tmp_path)
    del env["PORTAL_BASE_URL"]
    result = run_python(["-c", "import django; django.setup()"], **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "PORTAL_BASE_URL" in result.stderr


def test_the_base_url_has_a_local_default_in_development(tmp_path):
    script = "import django; django.setup(); from django.conf import settings; "
    script += "print(settings.PORTAL_BASE_URL)"
    result = run_python(["-c", script], PORTAL_VAR_DIR=str(tmp_path))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "http://127.0.0.1:8000"
