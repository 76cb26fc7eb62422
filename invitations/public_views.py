"""The public page of a link, ``/invite/<token>/``: no login, a phone in a parent's hand (API.md).

GET names the school, the class and the role; POST records a join request, counts the use and only
then shows the platform link. Unknown tokens answer 404 — and 429 once the client address has asked
for too many of them (guessing); a known link is never limited. Expired, used-up and annulled links
answer 410 with what happened and whom to ask.
"""

from __future__ import annotations

import secrets

from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods

from .forms import JoinForm
from .models import ConsentText, Invitation, person_key
from .ratelimit import invite_guess_register
from .selectors import invitation_by_token, join_request_by_submission
from .services import InvitationNotActive, invitation_use, join_request_earlier


def _page(
    request,
    template_name: str,
    context: dict | None = None,
    *,
    status: int = 200,
    form: bool = False,
):
    """A public page of a link, rendered from its own context only.

    The pages take nothing from the context processors (no signed-in user, navigation or messages:
    the visitor is an anonymous parent), so they skip them; the page with the form gets its CSRF
    token exactly as the ``csrf`` processor would give it.
    """
    context = dict(context or {})
    if form:
        context["csrf_token"] = get_token(request)
    return _private(HttpResponse(get_template(template_name).render(context), status=status))


def _private(response):
    # The token is in the address: keep it out of caches, search engines and the Referer sent to the
    # platform when the visitor follows the platform link («same-origin», not «no-referrer»: with
    # the latter browsers send «Origin: null» on the form POST and the CSRF check refuses it).
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _gone(request, invitation: Invitation, reason: str):
    return _page(
        request,
        "invitations/public/gone.html",
        {
            "invitation": invitation,
            "reason": reason,
            "statuses": Invitation.Status,
        },
        status=410,
    )


def _joined(request, invitation: Invitation, join_request):
    # Another form than the one that recorded it: the same person asking again, shown their
    # earlier request (a double tap of the same form is simply the same success).
    again = join_request.submission_key != request.POST.get("submission_key", "")[:64]
    return _page(
        request,
        "invitations/public/joined.html",
        {"invitation": invitation, "join_request": join_request, "again": again},
    )


def _resubmission(request, invitation: Invitation):
    """The request already recorded for this very form (same submission key), or by the same
    person through this link, if this is a resend."""
    if request.method != "POST":
        return None
    earlier = join_request_by_submission(
        invitation=invitation, submission_key=request.POST.get("submission_key", "")
    )
    if earlier is None:
        form = JoinForm(request.POST, role=invitation.role)
        if form.is_valid():
            earlier = join_request_earlier(
                invitation_id=invitation.pk,
                submission_key="",
                keys=[
                    person_key(
                        form.cleaned_data["full_name"], form.cleaned_data.get("child_name", "")
                    )
                ],
            )
    return earlier


def _unknown(request):
    retry_after = invite_guess_register(request)
    if retry_after is not None:
        response = _page(request, "invitations/public/too_many.html", status=429)
        response["Retry-After"] = str(retry_after)
        return response
    return _page(request, "invitations/public/not_found.html", status=404)


@require_http_methods(["GET", "HEAD", "POST"])
def invite(request, token: str):
    # A use stores which version of the consent was agreed to; only the page with the form shows it.
    invitation = invitation_by_token(token, wording=request.method != "POST")
    if invitation is None:
        return _unknown(request)
    gone = invitation.gone_reason()
    if gone:
        earlier = _resubmission(request, invitation) if gone == Invitation.Status.USED else None
        if earlier is not None:
            # A double tap that arrived after the first tap took the last use: show the same
            # success.
            return _joined(request, invitation, earlier)
        return _gone(request, invitation, gone)

    if request.method == "POST":
        form = JoinForm(request.POST, role=invitation.role)
        if not form.is_valid():
            consent = ConsentText.of_link(invitation)
            return _page(
                request,
                "invitations/public/invite.html",
                _context(invitation, form, consent),
                status=400,
                form=True,
            )
        consent = ConsentText.objects.shown(
            school=invitation.school,
            version=form.cleaned_data.get("consent_version"),
            current=ConsentText.of_link(invitation),
        )
        try:
            join_request = invitation_use(
                invitation_id=invitation.pk,
                full_name=form.cleaned_data["full_name"],
                child_name=form.cleaned_data.get("child_name", ""),
                submission_key=form.cleaned_data.get("submission_key", ""),
                invitation=invitation,
                consent_text=consent,
            )
        except InvitationNotActive:
            # Someone else took the last use a moment ago, or the term ended meanwhile.
            invitation.refresh_from_db()
            return _gone(request, invitation, invitation.gone_reason() or Invitation.Status.USED)
        return _joined(request, invitation, join_request)

    consent = ConsentText.of_link(invitation)
    form = JoinForm(
        role=invitation.role,
        initial={"submission_key": secrets.token_urlsafe(16), "consent_version": consent.version},
    )
    return _page(
        request, "invitations/public/invite.html", _context(invitation, form, consent), form=True
    )


def _context(invitation: Invitation, form, consent) -> dict:
    return {
        "invitation": invitation,
        "form": form,
        "consent_text": consent.text_for(invitation.role),
        "consent_version": consent.version,
    }
