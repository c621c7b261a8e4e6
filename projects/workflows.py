"""The lifecycle of the intention letter, read in one place.

- ``Actor``: the parts a person plays on one dossier, computed from their memberships and the dossier's region;
- ``STATE_RULES``: for every status, who may view, edit and give an opinion, and its label per audience;
- ``TRANSITION_RULES``: for every transition (the django-fsm-2 methods of ``IntentionLetter``), who may fire it
  from which status; guards with French reasons in ``GUARDS``;
- the transition services: each locks the letter, checks permission and guards, fires the FSM method, writes the
  ``StatusTransition`` row inside the same atomic block, records the event (notifications are sent on commit) and
  opens what the next stage needs (versions, expected opinions, deadlines, PDF).

Choices made where the seeds are silent:
- the CPTS's pilot group (coordinators and members of the CPTS organisation) edits the draft; only coordinators
  submit and withdraw, since they answer for the CPTS;
- in the ARS of the region, an agent instructs the dossier (complements, notes, messages) and prepares the
  decision (outcome, motive, amounts: ``prepare_decision``, a logged transition that keeps the status); only a
  decider of that ARS signs it (``validate``/``refuse``), as prepared or amended (issue 12, point 12); agents of a
  departmental delegation (ARS DD) read the dossier, write internal notes and messages, but do not decide;
- the Guichet transmits to the ARS once it has written its consolidated opinion; with opinions still missing it
  transmits once the regional opinion delay has passed, or earlier by stating why (a mandatory motive); the log
  row keeps which opinions were missing and why (point 11);
- the Assurance Maladie of the CPTS's area (the CPAM of a département the territory touches, the CGSS of the
  region) reads the validated letter and its accompaniment commitment, nothing before (point 13);
- when the CPTS reads the opinions given on its letter is a regional setting (``opinions_visible_to_cpts``,
  by default once the letter has left the review), so that the review stays serene (point 17);
- in the COPIL circuit (La Réunion) the COPIL's examination leads straight to the decision, recorded by a COPIL
  member or the ARS of the region (the ARS sits in the COPIL); there is no transmission step;
- a resubmission after complements (asked by the Guichet or the ARS) goes back to the desk, which opens a new
  round of opinions on the new version;
- reviewing organisations only ever see letters that have been submitted at least once.
"""

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed, can_proceed

from accounts.choices import LETTER_READER_KINDS, OpinionsVisibility, OrganisationKind, Role
from accounts.models import RegionalSettings
from accounts.selectors import is_administrator, membership_list_for_user, regional_settings_for
from cpts_portal.related import related_or_none
from diagnostics.models import TerritoryCommune
from diagnostics.selectors import territory_size

from .choices import DeadlineKind, DecisionOutcome, DocumentKind, EventType, LetterStatus
from .models import (
    ComplementFieldComment,
    ComplementRequest,
    DossierVersion,
    ExpectedOpinion,
    FirInstalment,
    IntentionLetter,
    LetterDecision,
    StatusTransition,
)


class Actor(StrEnum):
    COORDINATOR = "coordinator"
    MEMBER = "member"
    DESK = "desk"
    REVIEWER = "reviewer"
    ARS = "ars"  # an agent or a decider of the region's ARS
    ARS_DECIDER = "ars_decider"  # a decider of the region's ARS: signs the decision
    ARS_DD = "ars_dd"
    HEALTH_INSURANCE = "health_insurance"  # the CPAM / CGSS of the CPTS's area
    ADMINISTRATOR = "administrator"


ACTOR_LABELS = {
    Actor.COORDINATOR: "la coordination de la CPTS",
    Actor.MEMBER: "les membres de la CPTS",
    Actor.DESK: "le guichet ou comité qui reçoit la lettre",
    Actor.REVIEWER: "les organisations qui rendent un avis",
    Actor.ARS: "l'ARS de la région",
    Actor.ARS_DECIDER: "un décideur de l'ARS de la région",
    Actor.ARS_DD: "la délégation départementale de l'ARS",
    Actor.HEALTH_INSURANCE: "l'Assurance Maladie du territoire de la CPTS",
    Actor.ADMINISTRATOR: "l'administration de la plateforme",
}

CPTS_ACTORS = frozenset({Actor.COORDINATOR, Actor.MEMBER})
REVIEWING_ACTORS = frozenset({Actor.DESK, Actor.REVIEWER, Actor.ARS, Actor.ARS_DECIDER, Actor.ARS_DD})
EVERYONE = CPTS_ACTORS | REVIEWING_ACTORS | {Actor.ADMINISTRATOR}
NOBODY: frozenset[Actor] = frozenset()


@dataclass(frozen=True)
class StateRule:
    view: frozenset
    edit: frozenset
    opinion: frozenset
    # The status as each audience reads it: "cpts" (the CPTS), "reviewer" (Guichet, URPS, COPIL), "ars".
    labels: dict = field(default_factory=dict)
    # Whether the CPTS's territory counts against other CPTS (a dossier in review or validated: lifecycle.md),
    # and whether the territory is frozen (the dossier is with its reviewers, or validated).
    claims_territory: bool = False
    territory_locked: bool = False

    def label_for(self, actors: frozenset) -> str:
        if actors & CPTS_ACTORS:
            return self.labels["cpts"]
        if actors & {Actor.DESK, Actor.REVIEWER}:
            return self.labels["reviewer"]
        return self.labels["ars"]


STATE_RULES: dict[str, StateRule] = {
    LetterStatus.DRAFT: StateRule(
        view=CPTS_ACTORS | {Actor.ADMINISTRATOR},
        edit=CPTS_ACTORS,
        opinion=NOBODY,
        labels={"cpts": "Brouillon en cours de rédaction", "reviewer": "Brouillon", "ars": "Brouillon"},
    ),
    LetterStatus.SUBMITTED: StateRule(
        view=EVERYONE,
        edit=NOBODY,
        opinion=NOBODY,
        labels={"cpts": "Déposée, en attente de prise en charge", "reviewer": "À prendre en charge", "ars": "Déposée"},
        claims_territory=True,
        territory_locked=True,
    ),
    LetterStatus.UNDER_REVIEW: StateRule(
        view=EVERYONE,
        edit=NOBODY,
        opinion=frozenset({Actor.DESK, Actor.REVIEWER}),
        labels={"cpts": "En cours d'examen", "reviewer": "Avis en cours", "ars": "En examen au guichet"},
        claims_territory=True,
        territory_locked=True,
    ),
    LetterStatus.COMPLEMENTS_REQUESTED: StateRule(
        view=EVERYONE,
        edit=CPTS_ACTORS,
        opinion=NOBODY,
        labels={
            "cpts": "Compléments demandés : à compléter",
            "reviewer": "En attente des compléments",
            "ars": "En attente des compléments",
        },
        claims_territory=True,
    ),
    LetterStatus.TRANSMITTED: StateRule(
        view=EVERYONE,
        edit=NOBODY,
        opinion=NOBODY,
        labels={"cpts": "Transmise à l'ARS", "reviewer": "Transmise à l'ARS", "ars": "À décider"},
        claims_territory=True,
        territory_locked=True,
    ),
    LetterStatus.VALIDATED: StateRule(
        # The Assurance Maladie of the area reads the validated letter and the accompaniment it funds.
        view=EVERYONE | {Actor.HEALTH_INSURANCE},
        edit=NOBODY,
        opinion=NOBODY,
        labels={"cpts": "Validée", "reviewer": "Validée", "ars": "Validée"},
        claims_territory=True,
        territory_locked=True,
    ),
    LetterStatus.REFUSED: StateRule(
        view=EVERYONE,
        edit=NOBODY,
        opinion=NOBODY,
        labels={"cpts": "Refusée", "reviewer": "Refusée", "ars": "Refusée"},
    ),
    LetterStatus.ABANDONED: StateRule(
        view=EVERYONE,
        edit=NOBODY,
        opinion=NOBODY,
        labels={"cpts": "Abandonnée", "reviewer": "Abandonnée", "ars": "Abandonnée"},
    ),
}


@dataclass(frozen=True)
class TransitionRule:
    label: str
    actors: dict  # source status -> actors allowed from that status (the keys are the FSM sources)
    style: str = "primary"
    comment_label: str = "Commentaire (facultatif)"
    done_label: str = ""  # how the history reads it when the button's wording does not fit

    @property
    def log_label(self) -> str:
        return self.done_label or self.label


COORDINATOR_ONLY = frozenset({Actor.COORDINATOR})

TRANSITION_RULES: dict[str, TransitionRule] = {
    "submit": TransitionRule(
        label="Déposer la lettre d'intention",
        actors={LetterStatus.DRAFT: COORDINATOR_ONLY, LetterStatus.COMPLEMENTS_REQUESTED: COORDINATOR_ONLY},
    ),
    "open_review": TransitionRule(
        label="Prendre en charge et demander les avis",
        actors={LetterStatus.SUBMITTED: frozenset({Actor.DESK})},
    ),
    "request_complements": TransitionRule(
        label="Demander des compléments",
        actors={
            LetterStatus.UNDER_REVIEW: frozenset({Actor.DESK}),
            LetterStatus.TRANSMITTED: frozenset({Actor.ARS}),
        },
        style="outline-warning",
    ),
    "transmit": TransitionRule(
        label="Transmettre à l'ARS",
        actors={LetterStatus.UNDER_REVIEW: frozenset({Actor.DESK})},
    ),
    "prepare_decision": TransitionRule(
        label="Préparer la décision",
        actors={
            LetterStatus.TRANSMITTED: frozenset({Actor.ARS}),
            LetterStatus.UNDER_REVIEW: frozenset({Actor.ARS}),
        },
        done_label="Décision préparée pour signature",
    ),
    "validate": TransitionRule(
        label="Valider la lettre d'intention",
        actors={
            LetterStatus.TRANSMITTED: frozenset({Actor.ARS_DECIDER}),
            LetterStatus.UNDER_REVIEW: frozenset({Actor.DESK, Actor.ARS_DECIDER}),
        },
        style="success",
        done_label="Décision signée : lettre validée",
    ),
    "refuse": TransitionRule(
        label="Refuser la lettre d'intention",
        actors={
            LetterStatus.TRANSMITTED: frozenset({Actor.ARS_DECIDER}),
            LetterStatus.UNDER_REVIEW: frozenset({Actor.DESK, Actor.ARS_DECIDER}),
        },
        style="outline-danger",
        done_label="Décision signée : lettre refusée",
    ),
    "withdraw": TransitionRule(
        label="Abandonner le projet",
        actors={
            status: COORDINATOR_ONLY
            for status in (
                LetterStatus.DRAFT,
                LetterStatus.SUBMITTED,
                LetterStatus.UNDER_REVIEW,
                LetterStatus.COMPLEMENTS_REQUESTED,
                LetterStatus.TRANSMITTED,
            )
        },
        style="outline-secondary",
    ),
}


# --- Who is who on a letter ---------------------------------------------------------------------------------


def letter_region_id(letter: IntentionLetter) -> int:
    """The region that instructs the letter: frozen at submission; before, the territory's, else the CPTS's."""
    if letter.instructing_region_id:
        return letter.instructing_region_id
    territory = related_or_none(letter.cpts, "territory")
    if territory is not None and territory.instructing_region_id:
        return territory.instructing_region_id
    return letter.cpts.region_id



def letter_settings(letter: IntentionLetter):
    """The regional settings the letter is judged under (frozen at submission), cached on the instance."""
    if letter.regional_settings_id:
        return letter.regional_settings
    if not hasattr(letter, "_settings_cache"):
        letter._settings_cache = regional_settings_for(region=letter_region_id(letter), on=timezone.localdate())
    return letter._settings_cache


def letter_reviewer_ids(settings) -> set[int]:
    return {o.pk for o in settings.letter_reviewers.all()} if settings else set()


def letter_actor_roles(user, letter: IntentionLetter) -> frozenset:
    """The parts a person plays on this letter (a COPIL member is both desk and reviewer)."""
    if not getattr(user, "is_authenticated", False):
        return NOBODY
    roles = set()
    if is_administrator(user):
        roles.add(Actor.ADMINISTRATOR)
    settings = None
    region_id = None
    for m in membership_list_for_user(user):
        org = m.organisation
        if org.pk == letter.cpts_id:
            if m.role == Role.COORDINATOR:
                roles.add(Actor.COORDINATOR)
            elif m.role == Role.MEMBER:
                roles.add(Actor.MEMBER)
            continue
        if m.role == Role.REVIEWER and org.kind in (
            OrganisationKind.GUICHET,
            OrganisationKind.URPS,
            OrganisationKind.COPIL,
        ):
            settings = settings or letter_settings(letter)
            if settings and settings.letter_desk_id == org.pk:
                roles.add(Actor.DESK)
            if org.pk in letter_reviewer_ids(settings):
                roles.add(Actor.REVIEWER)
        elif org.kind in (OrganisationKind.ARS, OrganisationKind.ARS_DD):
            region_id = region_id or letter_region_id(letter)
            if org.region_id != region_id:
                continue
            if org.kind == OrganisationKind.ARS and m.role in (Role.AGENT, Role.DECIDER):
                roles.add(Actor.ARS)
                if m.role == Role.DECIDER:
                    roles.add(Actor.ARS_DECIDER)
            elif org.kind == OrganisationKind.ARS_DD:
                roles.add(Actor.ARS_DD)
        elif org.kind in LETTER_READER_KINDS and _health_insurance_covers(org, letter):
            roles.add(Actor.HEALTH_INSURANCE)
    return frozenset(roles)


def letter_departement_ids(letter: IntentionLetter) -> set[int]:
    """The départements the CPTS's territory touches (cached on the instance)."""
    if not hasattr(letter, "_departement_ids_cache"):
        letter._departement_ids_cache = set(
            TerritoryCommune.objects.filter(territory__cpts_id=letter.cpts_id, commune__departement__isnull=False)
            .values_list("commune__departement_id", flat=True)
            .distinct()
        )
    return letter._departement_ids_cache


def _health_insurance_covers(org, letter: IntentionLetter) -> bool:
    """A CGSS covers its whole region; a CPAM its département, which the CPTS's territory must touch."""
    if org.region_id != letter_region_id(letter):
        return False
    if org.kind == OrganisationKind.CGSS:
        return True
    return org.departement_id is not None and org.departement_id in letter_departement_ids(letter)


def actor_organisation(user, letter: IntentionLetter, actors: frozenset):
    """The organisation in whose name a person acts with one of ``actors`` (desk, ARS, CPTS, reviewer)."""
    settings = letter_settings(letter)
    reviewer_ids = letter_reviewer_ids(settings)
    region_id = letter_region_id(letter)
    for m in membership_list_for_user(user):
        org = m.organisation
        if Actor.DESK in actors and settings and org.pk == settings.letter_desk_id and m.role == Role.REVIEWER:
            return org
        if actors & {Actor.ARS, Actor.ARS_DECIDER} and org.kind == OrganisationKind.ARS and org.region_id == region_id:
            return org
        if Actor.ARS_DD in actors and org.kind == OrganisationKind.ARS_DD and org.region_id == region_id:
            return org
        if actors & CPTS_ACTORS and org.pk == letter.cpts_id:
            return org
        if Actor.REVIEWER in actors and org.pk in reviewer_ids and m.role == Role.REVIEWER:
            return org
    return None


def status_label(letter: IntentionLetter, actors: frozenset) -> str:
    label = STATE_RULES[letter.status].label_for(actors)
    if letter.status == LetterStatus.UNDER_REVIEW and label == STATE_RULES[letter.status].labels["ars"]:
        # The ARS reads who examines the letter: its region's desk (a Guichet, a COPIL...), from the settings.
        settings = letter_settings(letter)
        if settings is not None and settings.letter_desk_id:
            return _("En examen : %(desk)s") % {"desk": settings.letter_desk.name}
    return label


# When the CPTS reads the opinions, by regional setting: the statuses from which they are shown to it.
_OPINIONS_SHOWN_FROM = {
    OpinionsVisibility.IMMEDIATELY: frozenset(LetterStatus.values),
    OpinionsVisibility.TRANSMITTED: frozenset({LetterStatus.TRANSMITTED, LetterStatus.VALIDATED, LetterStatus.REFUSED}),
    OpinionsVisibility.DECIDED: frozenset({LetterStatus.VALIDATED, LetterStatus.REFUSED}),
}


def cpts_sees_opinions(letter: IntentionLetter) -> bool:
    """Whether the CPTS may read the opinions now (the regional setting the letter is judged under). In a circuit
    without transmission, "once transmitted" means once decided: the review ends with the decision."""
    settings = letter_settings(letter)
    visibility = settings.opinions_visible_to_cpts if settings else OpinionsVisibility.TRANSMITTED
    return letter.status in _OPINIONS_SHOWN_FROM.get(visibility, _OPINIONS_SHOWN_FROM[OpinionsVisibility.DECIDED])


# --- Guards ---------------------------------------------------------------------------------------------------


def _guard_submit(letter: IntentionLetter) -> list[str]:
    from .calculations import letter_missing_items
    from .selectors import letter_snapshot, territory_unexplained_conflicts

    reasons = [item.message for item in letter_missing_items(letter_snapshot(letter))]
    reasons += territory_unexplained_conflicts(letter.cpts)
    if letter_settings(letter) is None:
        reasons.append(_("Aucun circuit de lettre d'intention n'est paramétré pour votre région."))
    return reasons


@dataclass(frozen=True)
class MissingOpinions:
    """The opinions still awaited when the desk wants to transmit: who, and whether their delay has passed."""

    names: list
    due_at: dt.datetime | None
    delay_passed: bool

    def __bool__(self) -> bool:
        return bool(self.names)

    @property
    def due_text(self) -> str:
        return date_format(timezone.localtime(self.due_at), "j F Y") if self.due_at else ""

    def notice(self) -> str:
        """What the desk reads beside the transmit button."""
        names = ", ".join(self.names)
        if self.delay_passed:
            return _(
                "Avis non rendus : %(names)s (délai dépassé depuis le %(due)s). Vous pouvez transmettre sans eux ; "
                "l'ARS verra quels avis manquent et votre motif."
            ) % {"names": names, "due": self.due_text}
        return _(
            "Avis encore attendus de : %(names)s (délai jusqu'au %(due)s). Pour transmettre sans les attendre, "
            "indiquez pourquoi : l'ARS verra quels avis manquent et votre motif."
        ) % {"names": names, "due": self.due_text}


def missing_opinions(letter: IntentionLetter, now: dt.datetime | None = None) -> MissingOpinions:
    now = now or timezone.now()
    pending = [e for e in letter.expected_opinions.select_related("organisation") if e.is_pending]
    if not pending:
        return MissingOpinions([], None, True)
    due = max(e.due_at for e in pending)
    return MissingOpinions(sorted(e.organisation.name for e in pending), due, due <= now)


def _guard_transmit(letter: IntentionLetter) -> list[str]:
    """What blocks a transmission whatever the desk says: its own consolidated opinion. Missing URPS opinions do
    not block: within the delay the service asks for a motive (``letter_transmit``)."""
    from .models import Opinion

    settings = letter_settings(letter)
    reasons = []
    desk_id = settings.letter_desk_id if settings else None
    if (
        desk_id is None
        or not Opinion.objects.filter(
            version__content_type__model="intentionletter",
            version__object_id=letter.pk,
            version__number=letter.current_version_number,
            organisation_id=desk_id,
        ).exists()
    ):
        reasons.append(_("Rédigez l'avis consolidé du guichet avant de transmettre la lettre à l'ARS."))
    return reasons


GUARDS = {"submit": _guard_submit, "transmit": _guard_transmit}


def authorize_transition(user, letter: IntentionLetter, name: str, *, check_guards: bool = True) -> None:
    """Raise if ``user`` may not fire ``name`` now: ``TransitionNotAllowed`` (wrong status or circuit),
    ``PermissionDenied`` (not their part), ``ValidationError`` (a guard: what is missing, in French)."""
    rule = TRANSITION_RULES[name]
    status_text = LetterStatus(letter.status).label
    roles = letter_actor_roles(user, letter)
    if not roles & frozenset().union(*rule.actors.values()):
        # Someone who may never fire this transition learns nothing about the letter's status.
        who = ", ".join(ACTOR_LABELS[a] for a in sorted(frozenset().union(*rule.actors.values())))
        raise PermissionDenied(_("« %(action)s » est réservé à %(who)s.") % {"action": rule.label, "who": who})
    allowed_actors = rule.actors.get(letter.status)
    if allowed_actors is None:
        raise TransitionNotAllowed(
            _("« %(action)s » n'est pas possible : la lettre est « %(status)s ».")
            % {"action": rule.label, "status": status_text}
        )
    if not roles & allowed_actors:
        who = ", ".join(ACTOR_LABELS[a] for a in sorted(allowed_actors))
        raise PermissionDenied(_("« %(action)s » est réservé à %(who)s.") % {"action": rule.label, "who": who})
    if not can_proceed(getattr(letter, name)):
        raise TransitionNotAllowed(
            _("« %(action)s » ne fait pas partie du circuit de la lettre à ce stade.") % {"action": rule.label}
        )
    if check_guards and name in GUARDS and (reasons := GUARDS[name](letter)):
        raise ValidationError(reasons)


@dataclass(frozen=True)
class ActionState:
    name: str
    label: str
    style: str
    allowed: bool
    reason: str
    notice: str = ""  # what to know before acting (e.g. opinions missing)
    comment_label: str = "Commentaire (facultatif)"
    comment_required: bool = False


def available_actions(user, letter: IntentionLetter) -> list[ActionState]:
    """The transitions offered to this person now: allowed ones, and blocked ones with the reason (guards).
    A transition the person could never fire from this status is not listed at all."""
    result = []
    roles = letter_actor_roles(user, letter)
    for name, rule in TRANSITION_RULES.items():
        actors = rule.actors.get(letter.status)
        if not actors or not roles & actors or not can_proceed(getattr(letter, name)):
            continue
        try:
            authorize_transition(user, letter, name)
        except ValidationError as exc:
            result.append(ActionState(name, rule.label, rule.style, False, " ".join(exc.messages)))
            continue
        state = ActionState(name, rule.label, rule.style, True, "", comment_label=rule.comment_label)
        if name == "transmit" and (missing := missing_opinions(letter)):
            state = ActionState(
                name,
                _("Transmettre à l'ARS sans tous les avis"),
                "outline-primary",
                True,
                "",
                notice=missing.notice(),
                comment_label=_("Motif de la transmission sans tous les avis")
                + ("" if not missing.delay_passed else _(" (recommandé)")),
                comment_required=not missing.delay_passed,
            )
        result.append(state)
    return result


# --- The transition services --------------------------------------------------------------------------------


def _lock(letter: IntentionLetter) -> IntentionLetter:
    """Reload the letter with its row locked: two people acting at once are served one after the other, and the
    second one sees the status the first one left (a double click submits once)."""
    return (
        IntentionLetter.objects.select_for_update(of=("self",))
        .select_related("cpts__region", "regional_settings__letter_desk", "instructing_region")
        .get(pk=letter.pk)
    )


def _fire(
    letter, name: str, *, by, comment: str = "", version=None, system: bool = False, details: dict | None = None
) -> StatusTransition:
    """Fire the FSM method and write the log row, inside the caller's atomic block."""
    if not system:
        authorize_transition(by, letter, name, check_guards=False)
    source = letter.status
    getattr(letter, name)()
    letter.save()
    return StatusTransition.objects.create(
        dossier=letter,
        transition=name,
        source=source,
        target=letter.status,
        by=by,
        at=timezone.now(),
        comment=comment,
        version=version,
        details=details or {},
    )


def _refresh(original: IntentionLetter, locked: IntentionLetter) -> IntentionLetter:
    original.refresh_from_db()
    for attr in ("_settings_cache",):
        original.__dict__.pop(attr, None)
    return locked


def current_version(letter: IntentionLetter) -> DossierVersion | None:
    if not letter.current_version_number:
        return None
    return DossierVersion.objects.get(
        content_type__model="intentionletter", object_id=letter.pk, number=letter.current_version_number
    )


def submitted_version(letter: IntentionLetter) -> DossierVersion:
    """The current version of a letter past its first submission (every step after the draft has one)."""
    version = current_version(letter)
    if version is None:
        raise ValidationError(_("Cette lettre n'a pas encore été déposée."))
    return version


def frozen_settings(letter: IntentionLetter) -> RegionalSettings:
    """The regional settings a letter was frozen under at its first submission (``letter_submit`` sets them)."""
    if letter.regional_settings is None:
        raise ValidationError(_("Cette lettre n'a pas encore été déposée."))
    return letter.regional_settings


def letter_submit(*, letter: IntentionLetter, by, comment: str = "") -> DossierVersion:
    """Freeze the letter as version N+1 and send it to the desk of its region."""
    from .notifications import event_record
    from .selectors import letter_snapshot
    from .services import deadline_create, document_request, version_create

    original = letter
    with transaction.atomic():
        letter = _lock(letter)
        authorize_transition(by, letter, "submit")
        first = letter.current_version_number == 0
        if first:
            # The rules in force at the first submission stay the letter's rules until its decision.
            settings = letter_settings(letter)
            letter.instructing_region_id = letter_region_id(letter)
            letter.regional_settings = settings
            letter.circuit = settings.letter_circuit
        version = version_create(dossier=letter, data=letter_snapshot(letter), by=by)
        letter.current_version_number = version.number
        _fire(letter, "submit", by=by, comment=comment, version=version)
        ComplementRequest.objects.filter(
            content_type=version.content_type, object_id=letter.pk, answered_by_version__isnull=True
        ).update(answered_by_version=version)
        settings = frozen_settings(letter)
        if first and settings.first_meeting_delay_days:
            deadline_create(
                dossier=letter,
                kind=DeadlineKind.FIRST_MEETING,
                due_at=version.submitted_at + dt.timedelta(days=settings.first_meeting_delay_days),
            )
        event_record(dossier=letter, type=EventType.LETTER_SUBMITTED, actor=by, payload={"version": version.number})
        document_request(version=version, kind=DocumentKind.LETTER)
    _refresh(original, letter)
    return version


def letter_open_review(*, letter: IntentionLetter, by, comment: str = "") -> list[ExpectedOpinion]:
    """The desk takes the letter and asks each reviewing organisation of the region for its opinion."""
    from .notifications import event_record

    original = letter
    with transaction.atomic():
        letter = _lock(letter)
        authorize_transition(by, letter, "open_review")
        version = submitted_version(letter)
        _fire(letter, "open_review", by=by, comment=comment, version=version)
        now = timezone.now()
        settings = frozen_settings(letter)
        due = now + dt.timedelta(days=settings.opinion_delay_days)
        expected = []
        for organisation in settings.letter_reviewers.all():
            row, _created = ExpectedOpinion.objects.update_or_create(
                content_type=version.content_type,
                object_id=letter.pk,
                organisation=organisation,
                defaults={
                    "version": version,
                    "requested_at": now,
                    "due_at": due,
                    "received_at": None,
                    "reminded_at": None,
                },
            )
            expected.append(row)
        # Two audiences, two events: the reviewers are asked for their opinion, the CPTS learns its letter is taken in.
        event_record(dossier=letter, type=EventType.LETTER_REVIEW_OPENED, actor=by, payload={"version": version.number})
        event_record(
            dossier=letter,
            type=EventType.LETTER_TAKEN_IN,
            actor=by,
            payload={
                "version": version.number,
                "organisation": settings.letter_desk.name if settings.letter_desk else "",
            },
        )
    _refresh(original, letter)
    return expected


def letter_request_complements(
    *, letter: IntentionLetter, by, reason: str, message: str, field_comments: dict[str, str] | None = None
) -> ComplementRequest:
    """Send the letter back to the CPTS with a reason, a message and comments on the fields concerned."""
    from .notifications import event_record

    if not (message or "").strip():
        raise ValidationError({"message": _("Expliquez ce qui est attendu.")})
    original = letter
    with transaction.atomic():
        letter = _lock(letter)
        authorize_transition(by, letter, "request_complements")
        actors = TRANSITION_RULES["request_complements"].actors[letter.status]
        version = submitted_version(letter)
        request = ComplementRequest(
            dossier=letter,
            version=version,
            organisation=actor_organisation(by, letter, actors),
            requested_by=by,
            reason=reason,
            message=message,
            created_at=timezone.now(),
        )
        request.full_clean(exclude=["content_type", "object_id"])
        request.save()
        ComplementFieldComment.objects.bulk_create(
            ComplementFieldComment(request=request, field_path=path, comment=text)
            for path, text in (field_comments or {}).items()
            if text.strip()
        )
        _fire(letter, "request_complements", by=by, comment=message, version=version)
        event_record(
            dossier=letter,
            type=EventType.LETTER_COMPLEMENTS_REQUESTED,
            actor=by,
            payload={"reason": request.get_reason_display(), "organisation": request.organisation.name},
        )
    _refresh(original, letter)
    return request


def letter_transmit(*, letter: IntentionLetter, by, comment: str = "") -> StatusTransition:
    """The desk sends the letter with the opinions and its consolidated opinion to the ARS. With opinions still
    missing it goes on once the regional delay has passed, or earlier by stating why; the log row keeps who was
    missing, whether the delay had passed, and the motive, for the ARS to read."""
    from .notifications import event_record

    comment = (comment or "").strip()
    original = letter
    with transaction.atomic():
        letter = _lock(letter)
        authorize_transition(by, letter, "transmit")
        missing = missing_opinions(letter)
        details = {}
        if missing:
            if not missing.delay_passed and not comment:
                raise ValidationError(
                    {
                        "comment": _(
                            "Des avis sont encore attendus (%(names)s) et leur délai court jusqu'au %(due)s : "
                            "indiquez pourquoi vous transmettez sans les attendre."
                        )
                        % {"names": ", ".join(missing.names), "due": missing.due_text}
                    }
                )
            details = {"missing_opinions": missing.names, "delay_passed": missing.delay_passed}
        log = _fire(letter, "transmit", by=by, comment=comment, version=current_version(letter), details=details)
        event_record(dossier=letter, type=EventType.LETTER_TRANSMITTED, actor=by, payload=details)
    _refresh(original, letter)
    return log


def letter_prepare_decision(
    *,
    letter: IntentionLetter,
    by,
    outcome: str,
    motive: str,
    fir_amount=None,
    fir_instalments: int | None = None,
    fir_period_months: int | None = None,
    accompaniment_amount=None,
    commitment_months: int | None = None,
    support_days: int | None = None,
):
    """An ARS agent instructs the dossier and prepares the decision for a decider to sign: one prepared decision
    per letter (preparing again replaces it), and a log row each time, so the history shows who prepared what."""
    from .models import PreparedDecision

    if outcome not in (DecisionOutcome.VALIDATED, DecisionOutcome.REFUSED):
        raise ValidationError({"outcome": _("Choisissez « validée » ou « refusée ».")})
    if not (motive or "").strip():
        raise ValidationError({"motive": _("Indiquez le motif de la décision.")})
    original = letter
    with transaction.atomic():
        letter = _lock(letter)
        authorize_transition(by, letter, "prepare_decision")
        settings = frozen_settings(letter)
        _check_support(settings, outcome=outcome, commitment_months=commitment_months, support_days=support_days)
        version = submitted_version(letter)
        validated = outcome == DecisionOutcome.VALIDATED
        prepared, _created = PreparedDecision.objects.update_or_create(
            letter=letter,
            defaults={
                "version": version,
                "outcome": outcome,
                "motive": motive.strip(),
                "fir_amount": fir_amount if validated and not settings.funds_support else None,
                "fir_instalments": fir_instalments,
                "fir_period_months": fir_period_months,
                "accompaniment_amount": accompaniment_amount if validated else None,
                "commitment_months": commitment_months if validated else None,
                "support_days": support_days if validated else None,
                "prepared_by": by,
                "organisation": actor_organisation(by, letter, frozenset({Actor.ARS})),
                "prepared_at": timezone.now(),
            },
        )
        _fire(
            letter,
            "prepare_decision",
            by=by,
            comment=motive.strip(),
            version=version,
            details={"outcome": outcome, "outcome_label": str(DecisionOutcome(outcome).label)},
        )
    _refresh(original, letter)
    return prepared


def _check_support(settings, *, outcome: str, commitment_months: int | None, support_days: int | None) -> None:
    """Where a validation opens support by a structure d'appui, its length stays within the regional maximum."""
    if outcome != DecisionOutcome.VALIDATED or not settings.funds_support:
        return
    if settings.support_months and commitment_months and commitment_months > settings.support_months:
        raise ValidationError(
            {
                "commitment_months": _("L'accompagnement par une structure d'appui dure au plus %(n)s mois.")
                % {"n": settings.support_months}
            }
        )
    if support_days is not None and support_days <= 0:
        raise ValidationError({"support_days": _("Indiquez un nombre de journées d'appui positif.")})


def letter_decide(
    *,
    letter: IntentionLetter,
    by,
    outcome: str,
    motive: str,
    decided_on: dt.date,
    fir_amount=None,
    instalments: list | None = None,
    accompaniment_amount=None,
    commitment_months: int | None = None,
    support_days: int | None = None,
) -> LetterDecision:
    """A decider signs the decision: validate or refuse with a motive, as an agent prepared it or amended. A
    validation records what the regional settings open: the FIR grant and its instalments, or the support by a
    structure d'appui (days, up to ``support_months``); and the accompaniment commitment and its deadline."""
    from .calculations import add_months, split_instalments
    from .notifications import event_record
    from .selectors import accompaniment_terms
    from .services import deadline_create, document_request

    if outcome not in (DecisionOutcome.VALIDATED, DecisionOutcome.REFUSED):
        raise ValidationError({"outcome": _("Choisissez « validée » ou « refusée ».")})
    if not (motive or "").strip():
        raise ValidationError({"motive": _("Indiquez le motif de la décision.")})
    name = "validate" if outcome == DecisionOutcome.VALIDATED else "refuse"
    original = letter
    with transaction.atomic():
        letter = _lock(letter)
        authorize_transition(by, letter, name)
        actors = TRANSITION_RULES[name].actors[letter.status]
        version = submitted_version(letter)
        settings = frozen_settings(letter)
        _check_support(settings, outcome=outcome, commitment_months=commitment_months, support_days=support_days)
        prepared = related_or_none(letter, "prepared_decision")
        decision = LetterDecision(
            letter=letter,
            version=version,
            outcome=outcome,
            motive=motive,
            decided_on=decided_on,
            decided_by=by,
            organisation=actor_organisation(by, letter, actors),
            prepared_by=prepared.prepared_by if prepared and prepared.version_id == version.pk else None,
        )
        deadline_kind = None
        if outcome == DecisionOutcome.VALIDATED:
            if settings.funds_support:
                decision.support_days = support_days
            else:
                decision.fir_amount = fir_amount if fir_amount is not None else settings.fir_engineering_amount
            population = version.data.get("territory", {}).get("population")
            terms = accompaniment_terms(population=population, on=decided_on)
            decision.accompaniment_size = terms.size if terms else (territory_size(population) if population else None)
            decision.accompaniment_amount = (
                accompaniment_amount if accompaniment_amount is not None else (terms.amount if terms else None)
            )
            months = commitment_months or (terms.months if terms and terms.months else None) or settings.support_months
            if not months:
                raise ValidationError(
                    {"commitment_months": _("Indiquez le délai d'engagement (en mois) de l'accompagnement.")}
                )
            decision.accompaniment_deadline = add_months(decided_on, months)
            deadline_kind = DeadlineKind.SUPPORT if settings.funds_support else DeadlineKind.ACCOMPANIMENT
        decision.full_clean(exclude=["letter", "version"])
        decision.save()
        if decision.fir_amount is not None:
            if instalments is None:
                instalments = [
                    (i.amount, i.due_on)
                    for i in split_instalments(
                        amount=decision.fir_amount,
                        count=settings.fir_instalments,
                        start=decided_on,
                        period_months=settings.fir_period_months,
                    )
                ]
            if sum((amount for amount, _due in instalments), start=type(decision.fir_amount)(0)) != decision.fir_amount:
                raise ValidationError({"instalments": _("La somme des versements doit égaler la subvention FIR.")})
            FirInstalment.objects.bulk_create(
                FirInstalment(decision=decision, number=n, amount=amount, due_on=due)
                for n, (amount, due) in enumerate(instalments, start=1)
            )
        if deadline_kind and decision.accompaniment_deadline:
            deadline_create(
                dossier=letter,
                kind=deadline_kind,
                due_at=timezone.make_aware(dt.datetime.combine(decision.accompaniment_deadline, dt.time(23, 59))),
            )
        letter.deadlines.filter(kind=DeadlineKind.FIRST_MEETING, closed_at__isnull=True).update(
            closed_at=timezone.now()
        )
        details = {}
        if prepared is not None and decision.prepared_by_id:
            details = {
                "prepared_by": prepared.prepared_by.get_full_name() or prepared.prepared_by.email,
                "amended": prepared.outcome != outcome or prepared.motive.strip() != motive.strip(),
            }
        _fire(letter, name, by=by, comment=motive, version=version, details=details)
        event_record(
            dossier=letter,
            type=EventType.LETTER_VALIDATED if name == "validate" else EventType.LETTER_REFUSED,
            actor=by,
            payload={"motive": motive},
        )
        document_request(version=version, kind=DocumentKind.LETTER_DECISION)
    _refresh(original, letter)
    return decision



def letter_withdraw(*, letter: IntentionLetter, by, comment: str = "") -> StatusTransition:
    """The coordinator abandons the project; open deadlines close, the log keeps everything."""
    from .notifications import event_record

    original = letter
    with transaction.atomic():
        letter = _lock(letter)
        authorize_transition(by, letter, "withdraw")
        was_submitted = letter.current_version_number > 0
        log = _fire(letter, "withdraw", by=by, comment=comment, version=current_version(letter))
        letter.deadlines.filter(closed_at__isnull=True).update(closed_at=timezone.now())
        if was_submitted:
            event_record(dossier=letter, type=EventType.LETTER_WITHDRAWN, actor=by, payload={"comment": comment})
    _refresh(original, letter)
    return log
