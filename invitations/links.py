"""The public address of a link: what the portal hands out and encodes in the QR code."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from .models import Invitation


def invitation_path(invitation: Invitation) -> str:
    return reverse("invite", kwargs={"token": invitation.token})


def invitation_link(invitation: Invitation, *, request=None) -> str:
    """The absolute URL of ``/invite/<token>/``.

    ``PORTAL_BASE_URL`` wins when set (behind a proxy the request may not know the public host);
    otherwise the request's own scheme and host.
    """
    path = invitation_path(invitation)
    base = (getattr(settings, "PORTAL_BASE_URL", "") or "").rstrip("/")
    if base:
        return base + path
    if request is not None:
        return request.build_absolute_uri(path)
    return path
