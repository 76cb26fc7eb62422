"""The public address of a link: what the portal hands out and encodes in the QR code."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from .models import Invitation


def invitation_path(invitation: Invitation) -> str:
    return reverse("invite", kwargs={"token": invitation.token})


def invitation_link(invitation: Invitation, *, request=None) -> str:
    """The absolute URL of ``/invite/<token>/`` at ``PORTAL_BASE_URL``.

    Never the request's Host: a forged ``Host: …:9999`` would otherwise go into the link printed
    on the parents' QR code. (``request`` is accepted and ignored, for the callers' convenience.)
    """
    return settings.PORTAL_BASE_URL.rstrip("/") + invitation_path(invitation)
