"""Navigation entries shown according to the person's roles."""

from .selectors import user_audiences


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_audiences": set()}
    return {"nav_audiences": user_audiences(user)}
