"""Who may read and write the actions of a CPTS's health project.

- The CPTS's coordinators edit everything (plan, every fiche, indicators) and validate fiches and the plan.
- A CPTS member (portal role "member") linked to a governance member (``governance.Member.user``) edits only the
  fiches where that member is the pilot or in the working group; the pilot validates their fiche.
- Everyone else of the CPTS (members not involved, coordinators of nothing else) reads.
- Platform administrators read. Anybody else is refused.

Reviewing bodies read the health project once it is submitted, through its frozen version (``projects``), never
the live draft.
"""

from django.utils.translation import gettext as _

from accounts.choices import OrganisationKind, Role
from accounts.permissions import ALLOWED, Decision
from accounts.selectors import is_administrator
from diagnostics.parts import cpts_roles as _cpts_roles
from diagnostics.parts import cpts_stage
from governance.models import Member

from .choices import PlanStatus, SheetStatus

CPTS_ROLES = {Role.COORDINATOR, Role.MEMBER}


def _refused_anonymous(user) -> Decision | None:
    if not getattr(user, "is_authenticated", False):
        return Decision(False, _("Vous devez vous connecter."))
    return None


def cpts_roles(user, cpts) -> set[str]:
    return _cpts_roles(user, cpts)


def is_coordinator(user, cpts) -> bool:
    return Role.COORDINATOR in cpts_roles(user, cpts)


def linked_member_ids(user, cpts) -> frozenset[int]:
    """The governance members of this CPTS that stand for this person (``Member.user``), cached per request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cache = getattr(user, "_missions_member_ids", None)
    if cache is None:
        cache = user._missions_member_ids = {}
    if cpts.pk not in cache:
        cache[cpts.pk] = frozenset(Member.objects.filter(cpts=cpts, user=user).values_list("pk", flat=True))
    return cache[cpts.pk]


# --- The intention letter's outcome (kept by projects' engine on ``diagnostics.CptsStage``) ------------------------


def letter_validated_for(cpts) -> bool:
    """Has this CPTS an intention letter validated by the ARS (or the COPIL)? ``projects`` owns the letter and
    records the fact on the CPTS's stage, a layer below missions."""
    return cpts_stage(cpts).letter_validated


# --- Plan ---------------------------------------------------------------------------------------------------------


def can_view_action_plan(user, cpts) -> Decision:
    if refused := _refused_anonymous(user):
        return refused
    if cpts.kind != OrganisationKind.CPTS:
        return Decision(False, _("Cette organisation n'est pas une CPTS."))
    if cpts_roles(user, cpts) & CPTS_ROLES or is_administrator(user):
        return ALLOWED
    return Decision(False, _("Les fiches action de cette CPTS sont réservées à ses membres."))


def can_start_action_plan(user, cpts) -> Decision:
    """Open the actions of the health project: a coordinator, once the intention letter is validated."""
    if refused := _refused_anonymous(user):
        return refused
    if not is_coordinator(user, cpts):
        return Decision(False, _("Seule la coordination de la CPTS ouvre le plan d'actions du projet de santé."))
    if hasattr(cpts, "action_plan"):
        return Decision(False, _("Le plan d'actions de cette CPTS existe déjà."))
    if not letter_validated_for(cpts):
        return Decision(False, _("Le projet de santé se rédige une fois la lettre d'intention validée par l'ARS."))
    return ALLOWED


def can_manage_action_plan(user, plan) -> Decision:
    """Create, duplicate, reorder and archive fiches, set the planned signature: the coordinators."""
    if refused := _refused_anonymous(user):
        return refused
    if is_coordinator(user, plan.cpts):
        return ALLOWED
    return Decision(False, _("Seule la coordination de la CPTS organise les fiches action."))


def can_edit_sheet(user, sheet, *, working_group_ids: set[int] | None = None) -> Decision:
    """``working_group_ids``: the prefetched working group (saves a query per fiche on list pages)."""
    if refused := _refused_anonymous(user):
        return refused
    cpts = sheet.plan.cpts
    if sheet.is_archived:
        return Decision(False, _("Cette fiche est archivée : restaurez-la pour la modifier."))
    if is_coordinator(user, cpts):
        return ALLOWED
    if Role.MEMBER in cpts_roles(user, cpts):
        mine = linked_member_ids(user, cpts)
        if working_group_ids is None:
            working_group_ids = {m.pk for m in sheet.working_group.all()}
        if sheet.pilot_id in mine or mine & set(working_group_ids):
            return ALLOWED
    return Decision(False, _("Seuls la coordination, le pilote et le groupe de travail de la fiche la modifient."))


def can_validate_sheet_as_pilot(user, sheet) -> Decision:
    if refused := _refused_anonymous(user):
        return refused
    if sheet.is_archived:
        return Decision(False, _("Cette fiche est archivée."))
    if sheet.pilot_id is None:
        return Decision(False, _("Désignez d'abord le pilote de la fiche."))
    if sheet.pilot_id not in linked_member_ids(user, sheet.plan.cpts):
        return Decision(False, _("Seul le pilote valide la fiche pour son groupe de travail."))
    if sheet.status != SheetStatus.DRAFT:
        return Decision(False, _("La fiche est déjà validée par son pilote."))
    return ALLOWED


def pilot_has_account(sheet) -> bool:
    """Has the fiche's pilot a portal account (a governance member linked to a user, by invitation or by hand)?"""
    return sheet.pilot is not None and sheet.pilot.user_id is not None


def can_invite_pilot(user, sheet) -> Decision:
    """Invite the pilot to a portal account (governance's single-use invitation) so that they validate the fiche."""
    if refused := _refused_anonymous(user):
        return refused
    if not is_coordinator(user, sheet.plan.cpts):
        return Decision(False, _("Seule la coordination invite le pilote sur le portail."))
    if sheet.pilot is None:
        return Decision(False, _("Désignez d'abord le pilote de la fiche."))
    if pilot_has_account(sheet):
        return Decision(False, _("Le pilote a déjà un compte sur le portail."))
    if sheet.pilot.left_on is not None:
        return Decision(False, _("Le pilote a quitté la CPTS : il ne peut plus être invité."))
    if not sheet.pilot.email:
        return Decision(False, _("Indiquez d'abord l'adresse e-mail du pilote dans la liste des membres."))
    return ALLOWED


def can_validate_sheet_for_pilot(user, sheet) -> Decision:
    """A coordinator validates in place of a pilot who has no portal account; the log says so."""
    if refused := _refused_anonymous(user):
        return refused
    if not is_coordinator(user, sheet.plan.cpts):
        return Decision(False, _("Seule la coordination valide une fiche au nom de son pilote."))
    if sheet.is_archived:
        return Decision(False, _("Cette fiche est archivée."))
    if sheet.pilot is None:
        return Decision(False, _("Désignez d'abord le pilote de la fiche."))
    if sheet.status != SheetStatus.DRAFT:
        return Decision(False, _("La fiche est déjà validée par son pilote."))
    if pilot_has_account(sheet):
        return Decision(
            False, _("%(pilot)s a un compte sur le portail : la validation lui revient.") % {"pilot": sheet.pilot}
        )
    return ALLOWED


def can_validate_sheet(user, sheet) -> Decision:
    """The coordinator validates the fiche's indicators and budget, after its pilot."""
    if refused := _refused_anonymous(user):
        return refused
    if not is_coordinator(user, sheet.plan.cpts):
        return Decision(False, _("Seule la coordination valide les indicateurs et le budget d'une fiche."))
    if sheet.status == SheetStatus.DRAFT:
        return Decision(False, _("Le pilote valide d'abord la fiche pour son groupe de travail."))
    if sheet.status == SheetStatus.VALIDATED:
        return Decision(False, _("La fiche est déjà validée."))
    return ALLOWED


def can_validate_plan(user, plan) -> Decision:
    """Permission only; the completeness guards are checked by ``services.action_plan_validate``."""
    if refused := _refused_anonymous(user):
        return refused
    if not is_coordinator(user, plan.cpts):
        return Decision(False, _("Seule la coordination valide le plan d'actions."))
    if plan.status == PlanStatus.VALIDATED:
        return Decision(False, _("Le plan d'actions est déjà validé."))
    return ALLOWED
