from django.utils.functional import SimpleLazyObject

from .selectors import led_class_ids, user_person


def portal(request):
    """The signed-in person (if any) and the navigation flags that permissions alone cannot give.

    ``nav_leads_class`` (does the user lead a class: «Мой класс») costs one query, and only on pages
    that actually render the navigation; global rights come from ``perms`` in the templates.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"portal_person": None, "nav_leads_class": False}
    return {
        "portal_person": user_person(user),
        "nav_leads_class": SimpleLazyObject(lambda: led_class_ids(user=user).exists()),
    }
