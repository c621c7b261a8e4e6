"""Template tags: what awaits a person and unread notifications (home page, navigation); the French label of a
letter's field path (complement requests)."""

from django import template

from ..calculations import letter_field_label

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


@register.filter(name="letter_field_label")
def letter_field_label_filter(path: str) -> str:
    """``{{ comment.field_path|letter_field_label }}``: "Montant de subvention demandé", never "subsidy.amount"."""
    return letter_field_label(path)
