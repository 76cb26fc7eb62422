from .selectors import user_person


def portal(request):
    """The signed-in person (if any) for the navigation."""
    return {"portal_person": user_person(request.user) if hasattr(request, "user") else None}
