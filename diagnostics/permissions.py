"""Who may see and change a CPTS's territory, its diagnostic and its indicator data.

The object of every check is the CPTS organisation (``kind="cpts"``): a territory may not exist yet when
the coordinator opens the builder. Access for reviewers follows the region that instructs the dossier
(chosen with the territory), not the communes: a territory may cross borders.
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.choices import ARS_KINDS, HEALTH_INSURANCE_KINDS, REVIEW_KINDS, OrganisationKind, Role
from accounts.models import Organisation
from accounts.permissions import ALLOWED, Decision
from accounts.selectors import is_administrator, membership_list_for_user

# Organisations that review dossiers of their region: Guichet, URPS, COPIL, ARS and its delegations,
# health-insurance funds.
REVIEWING_KINDS = REVIEW_KINDS | ARS_KINDS | HEALTH_INSURANCE_KINDS


def _is_authenticated(user) -> Decision | None:
    if not getattr(user, "is_authenticated", False):
        return Decision(False, _("Vous devez vous connecter."))
    return None


def _cpts_roles(user, cpts) -> set[str]:
    return {m.role for m in membership_list_for_user(user) if m.organisation_id == cpts.pk}


def reviewed_region_ids(user) -> set[int]:
    """The regions whose dossiers the person reviews (through a reviewing organisation of that region)."""
    return {m.organisation.region_id for m in membership_list_for_user(user) if m.organisation.kind in REVIEWING_KINDS}


def reviewer_territory_q(region_ids: set[int]) -> Q:
    """The CPTS (``Organisation`` rows) whose territory the reviewers of ``region_ids`` read: instructed by one of
    these regions (the territory's choice, else the CPTS's own region) and whose letter was deposited at least
    once (drafts stay private). The one rule of ``can_view_territory`` and of the territory list
    (``selectors.territory_cpts_list_for_user``)."""
    # Layer debt (issue 13, point 8): whether a letter was deposited is projects', above diagnostics; listed in
    # the import-linter contract's ignore_imports until the engine keeps the CPTS's stage on a lower model.
    from projects.selectors import cpts_submitted_once_q

    instructed = Q(territory__instructing_region_id__in=region_ids) | Q(
        territory__isnull=True, region_id__in=region_ids
    )
    return instructed & cpts_submitted_once_q()


def can_view_territory(user, cpts) -> Decision:
    """The CPTS's coordinators and members, the reviewers of the instructing region, administrators."""
    if refused := _is_authenticated(user):
        return refused
    if cpts.kind != OrganisationKind.CPTS:
        return Decision(False, _("Cette organisation n'est pas une CPTS."))
    if _cpts_roles(user, cpts) or is_administrator(user):
        return ALLOWED
    regions = reviewed_region_ids(user)
    if regions and Organisation.objects.filter(reviewer_territory_q(regions), pk=cpts.pk).exists():
        return ALLOWED
    return Decision(
        False,
        _(
            "Ce territoire est réservé à la CPTS et, une fois le dossier déposé, aux relecteurs de la région "
            "qui l'instruit."
        ),
    )


def can_edit_diagnostic(user, cpts) -> Decision:
    """Only the CPTS's coordinators write the diagnostic and import indicators for their territory."""
    if refused := _is_authenticated(user):
        return refused
    if cpts.kind != OrganisationKind.CPTS:
        return Decision(False, _("Cette organisation n'est pas une CPTS."))
    if Role.COORDINATOR in _cpts_roles(user, cpts):
        return ALLOWED
    return Decision(False, _("Seuls les coordinateurs de la CPTS modifient son territoire et son diagnostic."))


def can_edit_territory(user, cpts) -> Decision:
    """The coordinators build the territory, as long as the letter is not with its reviewers or validated."""
    decision = can_edit_diagnostic(user, cpts)
    if not decision:
        return decision
    # Layer debt (issue 13, point 8): see reviewer_territory_q.
    from projects.selectors import cpts_territory_lock

    if reason := cpts_territory_lock(cpts):
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
