"""Who may see and do what on people and organisations.

Every check returns a ``Decision`` whose French ``reason`` is shown to the person when it is refused.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .choices import Role
from .selectors import is_administrator, membership_list_for_user


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Decision(True)


def _is_authenticated(user) -> Decision | None:
    if not getattr(user, "is_authenticated", False):
        return Decision(False, _("Vous devez vous connecter."))
    return None


def can_view_organisation(user, organisation) -> Decision:
    """Members of an organisation and administrators see its page; nobody else does."""
    if refused := _is_authenticated(user):
        return refused
    if is_administrator(user):
        return ALLOWED
    if any(m.organisation_id == organisation.pk for m in membership_list_for_user(user)):
        return ALLOWED
    return Decision(False, _("Vous n'êtes pas membre de cette organisation."))


def can_view_member_contacts(user, organisation) -> Decision:
    """E-mails and phones of an organisation's people: its coordinators and administrators only."""
    if refused := _is_authenticated(user):
        return refused
    if is_administrator(user):
        return ALLOWED
    if any(
        m.organisation_id == organisation.pk and m.role in (Role.COORDINATOR, Role.REVIEWER, Role.AGENT, Role.DECIDER)
        for m in membership_list_for_user(user)
    ):
        return ALLOWED
    return Decision(False, _("Les coordonnées sont réservées aux responsables de l'organisation."))


def can_manage_reference_data(user) -> Decision:
    if refused := _is_authenticated(user):
        return refused
    if is_administrator(user):
        return ALLOWED
    return Decision(False, _("Réservé aux administrateurs de la plateforme."))
