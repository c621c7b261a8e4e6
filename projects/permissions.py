"""Who may see and do what on a dossier. Every check returns a ``Decision`` with a French reason.

The rules themselves (who views, edits, gives an opinion in which status, who fires which transition) are the
tables of ``workflows.py``; these functions apply them to one person and one dossier.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from accounts.choices import LetterCircuit, OpinionsVisibility, Role, Stage
from accounts.permissions import ALLOWED, Decision
from accounts.selectors import is_administrator, membership_list_for_user

from .choices import DocumentKind, LetterStatus
from .models import IntentionLetter, Opinion
from .selectors.letters import has_opinion_on_current_version
from .workflows.engine import CPTS_ACTORS, REVIEWING_ACTORS, Actor, authorize, rows_of
from .workflows.health_project import ARS_AGENTS as PROJECT_ARS_AGENTS
from .workflows.health_project import OPINION_GIVERS as PROJECT_OPINION_GIVERS
from .workflows.health_project import STATE_RULES as PROJECT_STATE_RULES
from .workflows.health_project import actor_organisation, project_actor_roles
from .workflows.letter import STATE_RULES, cpts_sees_opinions, letter_actor_roles, letter_reviewer_ids, letter_settings


def _authenticated(user) -> Decision | None:
    if not getattr(user, "is_authenticated", False):
        return Decision(False, _("Vous devez vous connecter."))
    return None


def can_view_letter(user, letter) -> Decision:
    """STATE_RULES' view column; reviewing organisations moreover see only letters submitted at least once."""
    if refused := _authenticated(user):
        return refused
    roles = letter_actor_roles(user, letter)
    visible = roles & STATE_RULES[letter.status].view
    if visible - REVIEWING_ACTORS or (visible and letter.current_version_number > 0):
        return ALLOWED
    return Decision(False, _("Cette lettre d'intention ne relève pas de vos organisations."))


def cpts_with_open_letter_ids(cpts_ids) -> set[int]:
    """Which of these CPTS already have a letter in progress (one query for a whole list)."""
    return set(
        IntentionLetter.objects.filter(cpts_id__in=list(cpts_ids))
        .exclude(status__in=[LetterStatus.REFUSED, LetterStatus.ABANDONED])
        .values_list("cpts_id", flat=True)
    )


def can_create_letter(user, cpts, *, open_letter_cpts_ids: set[int] | None = None) -> Decision:
    """The CPTS's pilot group starts its letter, one in progress at a time. A list passes
    ``open_letter_cpts_ids`` (``cpts_with_open_letter_ids`` of all its CPTS) so that it costs one query."""
    if refused := _authenticated(user):
        return refused
    if not any(
        m.organisation_id == cpts.pk and m.role in (Role.COORDINATOR, Role.MEMBER)
        for m in membership_list_for_user(user)
    ):
        return Decision(False, _("Seuls le pilote et le groupe projet de la CPTS rédigent sa lettre d'intention."))
    if open_letter_cpts_ids is None:
        open_letter_cpts_ids = cpts_with_open_letter_ids([cpts.pk])
    if cpts.pk in open_letter_cpts_ids:
        return Decision(False, _("Cette CPTS a déjà une lettre d'intention en cours."))
    return ALLOWED


def can_edit_letter(user, letter) -> Decision:
    if refused := _authenticated(user):
        return refused
    roles = letter_actor_roles(user, letter)
    if roles & STATE_RULES[letter.status].edit:
        return ALLOWED
    if roles & CPTS_ACTORS:
        return Decision(
            False,
            _("La lettre est « %(status)s » : elle ne se modifie plus.")
            % {"status": LetterStatus(letter.status).label},
        )
    return Decision(False, _("Seuls le pilote et le groupe projet de la CPTS modifient la lettre."))


def can_transition(user, letter, name: str) -> Decision:
    """May ``user`` fire transition ``name`` now (permission, status, circuit and guards)?"""
    if refused := _authenticated(user):
        return refused
    try:
        authorize(user, letter, name)
    except (PermissionDenied, TransitionNotAllowed) as exc:
        return Decision(False, str(exc))
    except ValidationError as exc:
        return Decision(False, " ".join(exc.messages))
    return ALLOWED


def can_decide(user, letter) -> Decision:
    """The decision page: whoever may validate or refuse (guards aside)."""
    if refused := _authenticated(user):
        return refused
    reasons = []
    for name in ("validate", "refuse"):
        try:
            authorize(user, letter, name, check_guards=False)
            return ALLOWED
        except (PermissionDenied, TransitionNotAllowed) as exc:
            reasons.append(str(exc))
    return Decision(False, reasons[0])


def can_prepare_decision(user, letter) -> Decision:
    """An agent (or decider) of the region's ARS prepares the decision for a decider to sign."""
    if refused := _authenticated(user):
        return refused
    try:
        authorize(user, letter, "prepare_decision", check_guards=False)
    except (PermissionDenied, TransitionNotAllowed) as exc:
        return Decision(False, str(exc))
    return ALLOWED


def can_read_opinions(user, letter) -> Decision:
    """The reviewing organisations, the ARS and administrators read the opinions; the CPTS from the moment its
    region's settings say (``opinions_visible_to_cpts``); the Assurance Maladie never reads them."""
    if refused := _authenticated(user):
        return refused
    roles = letter_actor_roles(user, letter)
    if roles & (REVIEWING_ACTORS | {Actor.ADMINISTRATOR}):
        return ALLOWED
    if roles & CPTS_ACTORS:
        if cpts_sees_opinions(letter):
            return ALLOWED
        settings = letter_settings(letter)
        return Decision(
            False,
            _("Les avis vous seront communiqués %(when)s (paramètre de votre région).")
            % {"when": opinions_visibility_text(settings)},
        )
    return Decision(False, _("Les avis sur la lettre sont réservés à la CPTS et aux organisations qui l'examinent."))


def opinions_visibility_text(settings) -> str:
    """When the CPTS reads the opinions, as a phrase ("une fois la lettre transmise à l'ARS")."""
    value = settings.opinions_visible_to_cpts if settings else OpinionsVisibility.TRANSMITTED
    if value == OpinionsVisibility.IMMEDIATELY:
        return _("dès qu'ils sont rendus")
    if value == OpinionsVisibility.DECIDED:
        return _("une fois la décision rendue")
    if settings is not None and settings.letter_circuit != LetterCircuit.GUICHET_URPS:
        return _("une fois la décision rendue")
    return _("une fois la lettre transmise à l'ARS")


def can_request_complements(user, letter) -> Decision:
    if refused := _authenticated(user):
        return refused
    try:
        authorize(user, letter, "request_complements", check_guards=False)
    except (PermissionDenied, TransitionNotAllowed) as exc:
        return Decision(False, str(exc))
    return ALLOWED


def opinion_organisation_for(user, letter):
    """(organisation, is_consolidated) in whose name this person gives an opinion, or (None, False).

    An organisation asked for its opinion answers as such; the desk of a circuit that transmits to the ARS
    (the Guichet) writes the consolidated opinion."""
    settings = letter_settings(letter)
    if settings is None:
        return None, False
    reviewer_ids = letter_reviewer_ids(settings)
    circuit = settings.circuit(Stage.LETTER)
    desk_id = circuit.desk_id if circuit else None
    desk = None
    for m in membership_list_for_user(user):
        if m.role != Role.REVIEWER:
            continue
        if m.organisation_id in reviewer_ids:
            return m.organisation, False
        if desk_id is not None and m.organisation_id == desk_id:
            desk = m.organisation
    if desk is not None and letter.circuit_has_transmission:
        return desk, True
    return None, False


def can_give_opinion(user, letter) -> Decision:

    if refused := _authenticated(user):
        return refused
    roles = letter_actor_roles(user, letter)
    if not roles & STATE_RULES[letter.status].opinion:
        if roles & (STATE_RULES[LetterStatus.UNDER_REVIEW].opinion):
            return Decision(False, _("Les avis se donnent pendant l'examen de la lettre."))
        return Decision(False, _("Seules les organisations consultées donnent un avis sur la lettre."))
    organisation, _consolidated = opinion_organisation_for(user, letter)
    if organisation is None:
        return Decision(False, _("Votre organisation n'est pas consultée sur cette lettre."))
    if has_opinion_on_current_version(letter, organisation.pk):
        return Decision(False, _("Votre organisation a déjà rendu son avis sur cette version."))
    return ALLOWED


def can_post_message(user, letter) -> Decision:
    if refused := _authenticated(user):
        return refused
    if not (decision := can_view_letter(user, letter)):
        return decision
    roles = letter_actor_roles(user, letter)
    if not roles & (CPTS_ACTORS | REVIEWING_ACTORS):
        return Decision(False, _("Seuls la CPTS et ses interlocuteurs échangent des messages sur le dossier."))
    if letter.current_version_number == 0:
        return Decision(False, _("Les échanges avec les organisations qui examinent la lettre s'ouvrent à son dépôt."))
    return ALLOWED


def can_write_note(user, letter) -> Decision:
    """Internal notes: reviewing organisations only (never the CPTS)."""
    if refused := _authenticated(user):
        return refused
    if not (decision := can_view_letter(user, letter)):
        return decision
    if not letter_actor_roles(user, letter) & REVIEWING_ACTORS:
        return Decision(False, _("Les notes internes sont réservées aux organisations qui examinent le dossier."))
    return ALLOWED


def can_fill_identity_sheet(user, letter) -> Decision:
    if refused := _authenticated(user):
        return refused
    if not letter_actor_roles(user, letter) & CPTS_ACTORS:
        return Decision(False, _("La fiche signalétique est remplie par la CPTS."))
    settings = letter_settings(letter)
    if settings is None or not settings.identity_sheet_required:
        return Decision(False, _("Votre région ne demande pas de fiche signalétique."))
    if letter.status != LetterStatus.VALIDATED:
        return Decision(False, _("La fiche signalétique se remplit une fois la lettre validée."))
    return ALLOWED


def can_view_document(user, document) -> Decision:
    """The letter's viewers; a document that carries the opinions (letter with opinions and decision) only for
    those who may read the opinions."""
    from .choices import DocumentKind

    letter = document.version.dossier
    if not (decision := can_view_letter(user, letter)):
        return decision
    if document.kind == DocumentKind.LETTER_DECISION:
        return can_read_opinions(user, letter)
    return ALLOWED


# --- Health project -----------------------------------------------------------------------------------------------


def _cpts_roles(user, cpts) -> set[str]:
    return {m.role for m in membership_list_for_user(user) if m.organisation_id == cpts.pk}


def can_view_health_project(user, cpts) -> Decision:
    """The CPTS's coordinators and members, and administrators (reviewers read submitted versions, later)."""
    if refused := _authenticated(user):
        return refused
    if _cpts_roles(user, cpts) or is_administrator(user):
        return ALLOWED
    return Decision(False, _("Le projet de santé en cours de rédaction est réservé à la CPTS."))


def can_edit_health_project(user, cpts) -> Decision:
    if refused := _authenticated(user):
        return refused
    if Role.COORDINATOR in _cpts_roles(user, cpts):
        return ALLOWED
    return Decision(False, _("Seuls les coordinateurs de la CPTS rédigent le projet de santé."))


def can_start_health_project(user, cpts) -> Decision:
    """A coordinator starts it once the intention letter is validated (lifecycle.md, stage 2)."""
    from .selectors import letter_is_validated

    decision = can_edit_health_project(user, cpts)
    if not decision:
        return decision
    if not letter_is_validated(cpts):
        return Decision(False, _("Le projet de santé s'ouvre une fois la lettre d'intention validée."))
    return ALLOWED


# --- Health project: the review (issue 16) ---------------------------------------------------------------------------
# The parts come from the health project's definition (``workflows.health_project``): a reviewing organisation, the
# ARS and the Assurance Maladie read the project from its first deposit on; a draft stays the CPTS's.

REVIEW_READERS = REVIEWING_ACTORS | {Actor.HEALTH_INSURANCE, Actor.ADMINISTRATOR}


def can_view_project(user, project) -> Decision:
    """The health project's page once the project exists: STATE_RULES' view column; the reviewing parts only once it
    was deposited."""
    if refused := _authenticated(user):
        return refused
    roles = project_actor_roles(user, project)
    visible = roles & PROJECT_STATE_RULES[project.status].view
    if visible & (CPTS_ACTORS | {Actor.ADMINISTRATOR}) or (visible and project.current_version_number > 0):
        return ALLOWED
    return Decision(False, _("Ce projet de santé ne relève pas de vos organisations."))


def can_read_project_review(user, project) -> Decision:
    """The grid and the opinions: the ARS, the organisations consulted, the Assurance Maladie and administrators,
    once the project was deposited. The CPTS reads the decision and its motive, and who has given an opinion."""
    if refused := _authenticated(user):
        return refused
    roles = project_actor_roles(user, project)
    if not roles & REVIEW_READERS:
        return Decision(
            False, _("La grille d'analyse et les avis sont réservés à l'ARS et aux organisations consultées.")
        )
    if project.current_version_number == 0:
        return Decision(False, _("Le projet de santé n'a pas encore été déposé."))
    return ALLOWED


def project_opinion_organisation(user, project):
    """(organisation, is_consolidated) in whose name this person gives an opinion on the project: an organisation of
    the circuit answers as such; an ARS agent completes the consolidated grid. (None, False) otherwise."""
    roles = project_actor_roles(user, project)
    if Actor.REVIEWER in roles:
        return actor_organisation(user, project, frozenset({Actor.REVIEWER})), False
    if Actor.ARS in roles:
        return actor_organisation(user, project, PROJECT_ARS_AGENTS), True
    return None, False


def can_give_project_opinion(user, project) -> Decision:
    """What ``project_give_opinion`` checks, as a Decision: an organisation consulted (or the ARS, for its
    consolidated grid), while the project is deposited, once per organisation and version."""
    if refused := _authenticated(user):
        return refused
    roles = project_actor_roles(user, project)
    if not roles & PROJECT_OPINION_GIVERS:
        return Decision(False, _("Seules les organisations consultées et l'ARS donnent un avis sur le projet."))
    if not roles & PROJECT_STATE_RULES[project.status].opinion:
        return Decision(False, _("Les avis se donnent pendant l'examen du projet déposé."))
    organisation, _consolidated = project_opinion_organisation(user, project)
    if organisation is None:
        return Decision(False, _("Votre organisation n'est pas consultée sur ce projet."))
    if Opinion.objects.filter(
        rows_of(project, via="version__"), version__number=project.current_version_number, organisation=organisation
    ).exists():
        return Decision(False, _("Votre organisation a déjà rendu son avis sur cette version."))
    return ALLOWED


def _may_fire(user, project, *names: str) -> Decision:
    """May ``user`` fire one of ``names`` now (its part and the status; the guards are the service's)?"""
    if refused := _authenticated(user):
        return refused
    reasons = []
    for name in names:
        try:
            authorize(user, project, name, check_guards=False)
            return ALLOWED
        except (PermissionDenied, TransitionNotAllowed) as exc:
            reasons.append(str(exc))
    return Decision(False, reasons[0])


def can_request_project_complements(user, project) -> Decision:
    return _may_fire(user, project, "request_complements")


def can_prepare_project_decision(user, project) -> Decision:
    return _may_fire(user, project, "prepare_decision")


def can_sign_project_decision(user, project) -> Decision:
    """A decider of the ARS signs the non-opposition or the opposition."""
    return _may_fire(user, project, "validate", "oppose")


def can_view_project_document(user, document) -> Decision:
    """The deposited project: whoever reads the project; the grid with its opinions: whoever reads the review."""
    project = document.version.dossier
    if document.kind == DocumentKind.HEALTH_PROJECT_REVIEW:
        return can_read_project_review(user, project)
    return can_view_project(user, project)
