"""Chat links belong on the platform: only its domains (``PLATFORM_LINK_DOMAINS``) are accepted.

A chat the order mandates lives in «Сферум» inside МАХ; a link elsewhere (a typo, another
messenger, a phishing page handed round as «the class chat») is refused with a message that names
the domains the school may use.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


def platform_domains() -> list[str]:
    return [domain.lower().strip(".") for domain in settings.PLATFORM_LINK_DOMAINS]


def is_platform_link(url: str) -> bool:
    """True for an https:// link on one of the platform's domains or a subdomain of one."""
    try:
        parts = urlsplit(url or "")
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return False
    if parts.scheme != "https" or not host:
        return False
    return any(host == domain or host.endswith("." + domain) for domain in platform_domains())


def platform_link_error() -> str:
    return _("Ссылка на чат должна вести на платформу: %(domains)s.") % {
        "domains": ", ".join(platform_domains())
    }
