"""Who may see and change the organisation of a CPTS.

- The CPTS's coordinators manage everything and alone see members' personal contact data (e-mail, phone).
- Its members (role "member") see names, counts, bodies and documents.
- Reviewing and instructing bodies of the CPTS's region (Guichet, URPS, COPIL, ARS and its delegations,
  health-insurance funds) and platform administrators see counts, names and documents, never contact data.
- Anybody else sees nothing.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _

from accounts.choices import ARS_KINDS, HEALTH_INSURANCE_KINDS, REVIEW_KINDS, OrganisationKind, Role
from accounts.permissions import ALLOWED, Decision
from accounts.selectors import is_administrator, membership_list_for_user

REGIONAL_KINDS = REVIEW_KINDS | ARS_KINDS | HEALTH_INSURANCE_KINDS


def _refused_anonymous(user) -> Decision | None:
    if not getattr(user, "is_authenticated", False):
        return Decision(False, _("Vous devez vous connecter."))
    return None


def _roles_in(user, cpts) -> set[str]:
    return {m.role for m in membership_list_for_user(user) if m.organisation_id == cpts.pk}


def is_coordinator(user, cpts) -> bool:
    return Role.COORDINATOR in _roles_in(user, cpts)


def _regions_of(cpts) -> set[int]:
    """The CPTS's region, and the region instructing its territory when that differs."""
    regions = {cpts.region_id}
    try:
        regions.add(cpts.territory.instructing_region_id)
    except ObjectDoesNotExist:
        pass
    return regions


def is_regional_reviewer(user, cpts) -> bool:
    """Member of a reviewing, instructing or health-insurance body of the CPTS's region."""
    regions = None
    for m in membership_list_for_user(user):
        if m.organisation.kind in REGIONAL_KINDS:
            regions = regions if regions is not None else _regions_of(cpts)
            if m.organisation.region_id in regions:
                return True
    return False


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
