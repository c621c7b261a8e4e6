"""Template tags for pages outside the app (home page, navigation): what awaits a person, unread notifications."""

from django import template

register = template.Library()


@register.simple_tag
def awaiting_for(user):
    """``{% awaiting_for user as awaiting %}``: the "ce qui m'attend" lists of ``selectors.awaiting_for_user``."""
    from ..selectors import awaiting_for_user

    return awaiting_for_user(user)


@register.simple_tag
def unread_notification_count(user) -> int:
    from ..selectors import notification_list_for_user

    if not getattr(user, "is_authenticated", False):
        return 0
    return notification_list_for_user(user, unread_only=True).count()
