from django.utils.functional import SimpleLazyObject

from invitations.selectors import join_request_pending_count
from staff.selectors import led_class_ids, user_person


def portal(request):
    """The signed-in person (if any) and the navigation flags that permissions alone cannot give.

    ``nav_leads_class`` (does the user lead a class: «Мой класс») comes with the person's own query;
    global rights come from ``perms`` in the templates.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"portal_person": None, "nav_leads_class": False}

    person = user_person(user)
    if person is not None:
        leads_class = person.leads_class
    else:  # an account with no staff record (a superuser, an inspector)
        # asks only if the nav needs it
        leads_class = SimpleLazyObject(lambda: led_class_ids(user=user).exists())
    return {
        "portal_person": person,
        "nav_leads_class": leads_class,
        # Join requests waiting for this user (operator, coordinator, class teacher): one query.
        "nav_pending_join_requests": SimpleLazyObject(
            lambda: join_request_pending_count(user=user, leads_class=leads_class)
        ),
    }
