"""The Celery application, wired once: settings under the CELERY_ namespace,
tasks autodiscovered."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gymnasium_portal.settings")

app = Celery("gymnasium_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
