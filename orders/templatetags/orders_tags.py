"""Template helpers of the orders app: the start-page acknowledgement prompt, status badges."""

from django import template

from ..selectors import acknowledgements_pending

register = template.Library()


@register.simple_tag(takes_context=True)
def orders_pending_acknowledgements(context):
    """Orders the signed-in person has been sent and has not acknowledged yet (one query)."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    return list(acknowledgements_pending(user=request.user))


@register.inclusion_tag("orders/_status.html")
def point_status_badge(result):
    return {"result": result}
