"""Who may simulate ACI funding and who may read or edit a CPTS's budget.

The budget is the CPTS's own working document: its people (``diagnostics.parts.cpts_roles``) and administrators;
no reviewing body reads it before it is part of a submitted dossier."""

from django.utils.translation import gettext as _

from accounts.choices import OrganisationKind, Role
from accounts.permissions import ALLOWED, Decision, can_view_organisation
from accounts.selectors import is_administrator
from diagnostics.parts import cpts_roles

from .choices import BudgetStatus


def _authenticated(user) -> Decision | None:
    if not getattr(user, "is_authenticated", False):
        return Decision(False, _("Vous devez vous connecter."))
    return None


def can_use_simulator(user) -> Decision:
    """Anyone logged in may simulate: the simulator reads no one's data."""
    return _authenticated(user) or ALLOWED


def can_prefill_simulator_from(user, organisation) -> Decision:
    """Prefilling from a CPTS shows its population and missions: only to those who may see that CPTS."""
    if organisation.kind != OrganisationKind.CPTS:
        return Decision(False, _("Seule une CPTS peut préremplir le simulateur."))
    return can_view_organisation(user, organisation)


def can_view_budget(user, organisation) -> Decision:
    """The CPTS's coordinators and members read its budget (and platform administrators); nobody else."""
    if refused := _authenticated(user):
        return refused
    if organisation.kind != OrganisationKind.CPTS:
        return Decision(False, _("Seule une CPTS a un budget."))
    if cpts_roles(user, organisation) or is_administrator(user):
        return ALLOWED
    return Decision(False, _("Le budget est réservé aux membres de la CPTS."))


def can_edit_budget(user, organisation, budget=None) -> Decision:
    """Only the CPTS's coordinators write its budget, and only while it is not marked complete."""
    if refused := _authenticated(user):
        return refused
    if organisation.kind != OrganisationKind.CPTS:
        return Decision(False, _("Seule une CPTS a un budget."))
    if Role.COORDINATOR not in cpts_roles(user, organisation):
        return Decision(False, _("Seuls les coordinateurs de la CPTS modifient son budget."))
    if budget is not None and budget.status == BudgetStatus.COMPLETE:
        return Decision(False, _("Le budget est marqué complet : rouvrez-le pour le modifier."))
    return ALLOWED


def can_complete_budget(user, budget) -> Decision:
    decision = can_edit_budget(user, budget.organisation, budget)
    if not decision:
        return decision
    return ALLOWED


def can_reopen_budget(user, budget) -> Decision:
    decision = can_edit_budget(user, budget.organisation)
    if not decision:
        return decision
    if budget.status != BudgetStatus.COMPLETE:
        return Decision(False, _("Le budget est déjà en cours de saisie."))
    return ALLOWED
