"""Writes on people and organisations."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .choices import ROLES_BY_KIND
from .models import Membership, Organisation, User


@transaction.atomic
def membership_grant(*, user: User, organisation: Organisation, role: str) -> Membership:
    """Give a person a role in an organisation; the role must suit the organisation's kind."""
    allowed = ROLES_BY_KIND.get(organisation.kind, set())
    if role not in allowed:
        raise ValidationError(
            {"role": _("Le rôle « %(role)s » n'existe pas pour ce type d'organisation.") % {"role": role}}
        )
    membership, created = Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    if not created and not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership) -> Membership:
    """End a role without deleting it, so the history keeps who held it."""
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    return membership
