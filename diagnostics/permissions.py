"""Who may see and change a CPTS's territory, its diagnostic and its indicator data.

The object of every check is the CPTS organisation (``kind="cpts"``): a territory may not exist yet when
the coordinator opens the builder. Which reviewing bodies see a CPTS is ``parts.sees_cpts`` (the one rule, shared
with the governance pages and the lists).
"""

from django.utils.translation import gettext as _

from accounts.choices import OrganisationKind, Role
from accounts.permissions import ALLOWED, Decision
from accounts.selectors import is_administrator

from .parts import cpts_roles, cpts_stage, sees_cpts


def _is_authenticated(user) -> Decision | None:
    if not getattr(user, "is_authenticated", False):
        return Decision(False, _("Vous devez vous connecter."))
    return None


def can_view_territory(user, cpts) -> Decision:
    """The CPTS's coordinators and members, administrators, and the reviewing bodies that see the CPTS once its
    letter was deposited (``parts.sees_cpts``: its home or instructing region; departmental bodies in their area)."""
    if refused := _is_authenticated(user):
        return refused
    if cpts.kind != OrganisationKind.CPTS:
        return Decision(False, _("Cette organisation n'est pas une CPTS."))
    if cpts_roles(user, cpts) or is_administrator(user) or sees_cpts(user, cpts, deposited_only=True):
        return ALLOWED
    return Decision(
        False,
        _(
            "Ce territoire est réservé à la CPTS et, une fois le dossier déposé, aux organisations de sa région "
            "qui l'examinent (pour les délégations départementales et les CPAM : de son département)."
        ),
    )


def can_edit_diagnostic(user, cpts) -> Decision:
    """Only the CPTS's coordinators write the diagnostic and import indicators for their territory."""
    if refused := _is_authenticated(user):
        return refused
    if cpts.kind != OrganisationKind.CPTS:
        return Decision(False, _("Cette organisation n'est pas une CPTS."))
    if Role.COORDINATOR in cpts_roles(user, cpts):
        return ALLOWED
    return Decision(False, _("Seuls les coordinateurs de la CPTS modifient son territoire et son diagnostic."))


def can_edit_territory(user, cpts) -> Decision:
    """The coordinators build the territory, as long as the letter is not with its reviewers or validated."""
    decision = can_edit_diagnostic(user, cpts)
    if not decision:
        return decision
    # The engine (projects) records why the territory is frozen: the letter is with its reviewers or validated.
    if reason := cpts_stage(cpts).territory_lock_reason:
        return Decision(False, reason)
    return ALLOWED


can_view_diagnostic = can_view_territory
can_explain_conflict = can_edit_territory
can_import_territory_indicators = can_edit_diagnostic


def can_import_national_indicators(user) -> Decision:
    if refused := _is_authenticated(user):
        return refused
    if is_administrator(user):
        return ALLOWED
    return Decision(False, _("Les jeux d'indicateurs nationaux sont importés par les administrateurs."))
