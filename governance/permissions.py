"""Who may see and change the organisation of a CPTS.

- The CPTS's coordinators manage everything and alone see members' personal contact data (e-mail, phone).
- Its members (role "member") see names, counts, bodies and documents.
- Reviewing and instructing bodies that see the CPTS (``diagnostics.parts.sees_cpts``: Guichet, URPS, COPIL, ARS,
  health-insurance funds of its home or instructing region; an ARS delegation, a CPAM or an ELSM only for a CPTS of
  its département unless the region's settings say region-wide) and platform administrators see counts, names and
  documents, never contact data.
- Anybody else sees nothing.
"""

from django.utils.translation import gettext as _

from accounts.choices import OrganisationKind, Role
from accounts.permissions import ALLOWED, Decision
from accounts.selectors import is_administrator
from diagnostics.parts import cpts_roles, sees_cpts


def _refused_anonymous(user) -> Decision | None:
    if not getattr(user, "is_authenticated", False):
        return Decision(False, _("Vous devez vous connecter."))
    return None


def _roles_in(user, cpts) -> set[str]:
    return cpts_roles(user, cpts)


def is_coordinator(user, cpts) -> bool:
    return Role.COORDINATOR in _roles_in(user, cpts)


def is_regional_reviewer(user, cpts) -> bool:
    """A reviewing body that sees the CPTS (``diagnostics.parts.sees_cpts``: its home or instructing region,
    a departmental body within its area); governance does not wait for the letter's deposit."""
    return sees_cpts(user, cpts, deposited_only=False)


def _not_cpts(cpts) -> Decision | None:
    if cpts.kind != OrganisationKind.CPTS:
        return Decision(False, _("Cette organisation n'est pas une CPTS."))
    return None


def can_view_governance(user, cpts) -> Decision:
    """Counts, member names, partners, bodies, referents, inclusion actions."""
    if refused := _refused_anonymous(user) or _not_cpts(cpts):
        return refused
    if _roles_in(user, cpts) or is_administrator(user) or is_regional_reviewer(user, cpts):
        return ALLOWED
    return Decision(False, _("Vous n'avez pas accès à l'organisation de cette CPTS."))


def can_view_member_contacts(user, cpts) -> Decision:
    """Members' e-mails and phones: the CPTS's coordinators only."""
    if refused := _refused_anonymous(user) or _not_cpts(cpts):
        return refused
    if is_coordinator(user, cpts):
        return ALLOWED
    return Decision(False, _("Les coordonnées des membres sont réservées aux coordinateurs de la CPTS."))


def can_manage_governance(user, cpts) -> Decision:
    """Add, change, import, export and invite members; record partners, bodies, documents, actions."""
    if refused := _refused_anonymous(user) or _not_cpts(cpts):
        return refused
    if is_coordinator(user, cpts):
        return ALLOWED
    return Decision(False, _("Seuls les coordinateurs de la CPTS peuvent modifier son organisation."))


def can_view_documents(user, cpts) -> Decision:
    """Statutes, règlement intérieur, minutes, signed agreements: whoever may see the organisation."""
    decision = can_view_governance(user, cpts)
    if not decision:
        return Decision(False, _("Vous n'avez pas accès aux documents de cette CPTS."))
    return decision


def can_view_signatures(user, cpts) -> Decision:
    """Who signed a version of the health project and who has not: the CPTS's coordinators and members, and
    administrators. The reviewing bodies read the signatories in the deposited version, not here."""
    if refused := _refused_anonymous(user) or _not_cpts(cpts):
        return refused
    if _roles_in(user, cpts) or is_administrator(user):
        return ALLOWED
    return Decision(False, _("Les signatures du projet de santé sont réservées à la CPTS."))


def can_manage_signatures(user, cpts) -> Decision:
    """Remind the members who have not signed, record paper signatures, read their scans and the signers'
    addresses: the CPTS's coordinators."""
    if refused := _refused_anonymous(user) or _not_cpts(cpts):
        return refused
    if is_coordinator(user, cpts):
        return ALLOWED
    return Decision(False, _("Seuls les coordinateurs de la CPTS peuvent gérer les signatures."))
