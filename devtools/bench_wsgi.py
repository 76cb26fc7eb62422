"""WSGI entry of the ``bench_invite`` benchmark only: the portal served with ``bench_urls``."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gymnasium_portal.settings")

import django  # noqa: E402
from django.conf import settings  # noqa: E402

django.setup(set_prefix=False)
settings.ROOT_URLCONF = "devtools.bench_urls"

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402

application = WSGIHandler()
