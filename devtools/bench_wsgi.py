"""WSGI entry of the ``bench_invite`` benchmark only: the portal served with ``bench_urls``."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gymnasium_portal.settings")

# The imports below stay after the setdefault on purpose: the settings module must be named before
# django.setup(), and the URLconf swapped before the handler is built (Django setup order).
import django  # noqa: E402
from django.conf import settings  # noqa: E402

django.setup(set_prefix=False)
settings.ROOT_URLCONF = "devtools.bench_urls"

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402

application = WSGIHandler()
