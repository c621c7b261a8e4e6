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
from dataclasses import dataclass, replace

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.choices import OpinionsVisibility, OrganisationKind, Role, Stage
from accounts.selectors import regional_settings_for
from diagnostics.parts import (
    acting_organisation,
    cpts_instructing_region_id,
    cpts_stage_record,
    dossier_parts,
    stage_circuit,
)

from ..calculations import letter_missing_items
from ..choices import EventType, LetterStatus
from ..models import IntentionLetter
from ..selectors.letters import (
    has_opinion_on_current_version,
    letter_awaiting_dossiers,
    letter_more_awaiting,
    letter_snapshot,
    opinion_counter,
    territory_unexplained_conflicts,
)
from .engine import (
    COORDINATOR_ONLY,
    CPTS_ACTORS,
    EVERYONE,
    NOBODY,
    ActionState,
    Actor,
    Definition,
    StateRule,
    TransitionRule,
)

STATE_RULES: dict[str, StateRule] = {
    LetterStatus.DRAFT: StateRule(
        view=CPTS_ACTORS | {Actor.ADMINISTRATOR},
        edit=CPTS_ACTORS,
        opinion=NOBODY,
        labels={"cpts": "Brouillon en cours de rédaction", "reviewer": "Brouillon", "ars": "Brouillon"},
        todo="Terminer et déposer la lettre d'intention",
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
        todo="Apporter les compléments demandés",
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


TRANSITION_RULES: dict[str, TransitionRule] = {
    "submit": TransitionRule(
        label="Déposer la lettre d'intention",
        actors={LetterStatus.DRAFT: COORDINATOR_ONLY, LetterStatus.COMPLEMENTS_REQUESTED: COORDINATOR_ONLY},
    ),
    "open_review": TransitionRule(
        label="Prendre en charge et demander les avis",
        actors={LetterStatus.SUBMITTED: frozenset({Actor.DESK})},
        todo={Actor.DESK: "Prendre en charge et demander les avis"},
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
        todo={Actor.DESK: "Consolider les avis et transmettre à l'ARS"},
    ),
    "prepare_decision": TransitionRule(
        label="Préparer la décision",
        actors={
            LetterStatus.TRANSMITTED: frozenset({Actor.ARS}),
            LetterStatus.UNDER_REVIEW: frozenset({Actor.ARS}),
        },
        done_label="Décision préparée pour signature",
        todo={Actor.ARS: "Instruire et préparer la décision"},
    ),
    "validate": TransitionRule(
        label="Valider la lettre d'intention",
        actors={
            LetterStatus.TRANSMITTED: frozenset({Actor.ARS_DECIDER}),
            LetterStatus.UNDER_REVIEW: frozenset({Actor.DESK, Actor.ARS_DECIDER}),
        },
        style="success",
        done_label="Décision signée : lettre validée",
        # Where the desk's review leads straight to the decision (the COPIL), the committee decides.
        todo={Actor.DESK: "Décider en comité", Actor.ARS_DECIDER: "Signer la décision"},
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
    return cpts_instructing_region_id(letter.cpts)


def letter_settings(letter: IntentionLetter):
    """The regional settings the letter is judged under (frozen at submission), cached on the instance."""
    if letter.regional_settings_id:
        return letter.regional_settings
    if not hasattr(letter, "_settings_cache"):
        letter._settings_cache = regional_settings_for(region=letter_region_id(letter), on=timezone.localdate())
    return letter._settings_cache


def letter_reviewer_ids(settings) -> set[int]:
    """The organisations asked for their opinion on a letter under these settings."""
    return stage_circuit(settings, Stage.LETTER)[1]


def letter_actor_roles(user, letter: IntentionLetter) -> frozenset:
    """The parts a person plays on this letter (``diagnostics.parts.dossier_parts``, the one answer), under the
    region and the settings the letter is judged by; a COPIL member is both desk and reviewer."""
    return dossier_parts(
        user,
        letter.cpts,
        region_id=lambda: letter_region_id(letter),
        settings=lambda: letter_settings(letter),
        stage=Stage.LETTER,
    )


def actor_organisation(user, letter: IntentionLetter, actors: frozenset):
    """The organisation in whose name a person acts with one of ``actors`` on this letter."""
    return acting_organisation(
        user,
        letter.cpts,
        actors,
        region_id=lambda: letter_region_id(letter),
        settings=lambda: letter_settings(letter),
        stage=Stage.LETTER,
    )


def letter_stage_record(cpts) -> None:
    """Record where the CPTS stands (``diagnostics.CptsStage``), read from its letters by the apps below projects:
    its latest letter's status as the territory builder shows it, whether that letter's territory counts against
    other CPTS' and why it is frozen (``STATE_RULES``), whether a letter was ever deposited or validated. Called
    by the engine after every transition and when a letter is opened, inside the same transaction."""
    rows = list(
        IntentionLetter.objects.filter(cpts_id=cpts.pk)
        .order_by("-created_at", "-pk")
        .values_list("status", "current_version_number")
    )
    if not rows:
        return
    status = rows[0][0]
    rule = STATE_RULES[status]
    status_text = LetterStatus(status).label.lower()
    cpts_stage_record(
        cpts,
        stage=Stage.LETTER,
        status=status,
        label=_("lettre d'intention %(status)s") % {"status": status_text},
        submitted_once=any(number > 0 for _status, number in rows),
        letter_validated=any(row_status == LetterStatus.VALIDATED for row_status, _number in rows),
        claims_territory=rule.claims_territory,
        territory_lock_reason=(
            _(
                "Le territoire est figé : la lettre d'intention est « %(status)s ». Il se modifie lorsque des "
                "compléments sont demandés, ou par un nouveau dossier."
            )
            % {"status": status_text}
            if rule.territory_locked
            else ""
        ),
    )


def status_label(letter: IntentionLetter, actors: frozenset) -> str:
    label = STATE_RULES[letter.status].label_for(actors)
    if letter.status == LetterStatus.UNDER_REVIEW and label == STATE_RULES[letter.status].labels["ars"]:
        # The ARS reads who examines the letter: its region's desk (a Guichet, a COPIL...), from the settings.
        settings = letter_settings(letter)
        circuit = settings.circuit(Stage.LETTER) if settings is not None else None
        if circuit is not None and circuit.desk is not None:
            return _("En examen : %(desk)s") % {"desk": circuit.desk.name}
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
    settings = letter_settings(letter)
    reasons = []
    desk_id = stage_circuit(settings, Stage.LETTER)[0]
    if desk_id is None or not has_opinion_on_current_version(letter, desk_id):
        reasons.append(_("Rédigez l'avis consolidé du guichet avant de transmettre la lettre à l'ARS."))
    return reasons


GUARDS = {"submit": _guard_submit, "transmit": _guard_transmit}


def _decorate_action(user, letter: IntentionLetter, state: ActionState) -> ActionState:
    """With opinions still missing, the desk transmits "sans tous les avis": it reads who is missing, and within
    the delay it must say why."""
    if state.name != "transmit" or not (missing := missing_opinions(letter)):
        return state
    return replace(
        state,
        label=_("Transmettre à l'ARS sans tous les avis"),
        style="outline-primary",
        notice=missing.notice(),
        comment_label=_("Motif de la transmission sans tous les avis")
        + ("" if not missing.delay_passed else _(" (recommandé)")),
        comment_required=not missing.delay_passed,
    )


def _people_q(letter: IntentionLetter, actors: frozenset, payload: dict) -> Q:
    """The memberships of the people who play ``actors`` on this letter (notification recipients)."""
    settings = letter_settings(letter)
    q = Q(pk__in=[])
    if Actor.COORDINATOR in actors:
        q |= Q(organisation_id=letter.cpts_id, role=Role.COORDINATOR)
    if Actor.MEMBER in actors:
        q |= Q(organisation_id=letter.cpts_id, role=Role.MEMBER)
    desk_id = stage_circuit(settings, Stage.LETTER)[0]
    if Actor.DESK in actors and desk_id:
        q |= Q(organisation_id=desk_id, role=Role.REVIEWER)
    if Actor.REVIEWER in actors:
        org_ids = payload.get("organisation_ids") or letter_reviewer_ids(settings)
        q |= Q(organisation_id__in=list(org_ids), role=Role.REVIEWER)
    if Actor.ARS in actors:
        q |= Q(
            organisation__kind=OrganisationKind.ARS,
            organisation__region_id=letter_region_id(letter),
            role__in=[Role.AGENT, Role.DECIDER],
        )
    return q


# --- Who is told what (notifications) ---------------------------------------------------------------------------

LETTER_RECIPIENTS: dict[str, frozenset] = {
    EventType.LETTER_SUBMITTED: frozenset({Actor.DESK, Actor.COORDINATOR}),
    # Each message is written for one audience and reaches only it: "Votre avis est demandé" goes to the reviewers,
    # the CPTS is told its letter is taken in by an event of its own (issue 12, point 5).
    EventType.LETTER_REVIEW_OPENED: frozenset({Actor.REVIEWER}),
    EventType.LETTER_TAKEN_IN: frozenset({Actor.COORDINATOR, Actor.MEMBER}),
    EventType.LETTER_OPINION_GIVEN: frozenset({Actor.DESK}),
    EventType.LETTER_COMPLEMENTS_REQUESTED: frozenset({Actor.COORDINATOR, Actor.MEMBER, Actor.DESK}),
    EventType.LETTER_TRANSMITTED: frozenset({Actor.ARS, Actor.COORDINATOR}),
    EventType.LETTER_VALIDATED: frozenset({Actor.COORDINATOR, Actor.MEMBER, Actor.DESK}),
    EventType.LETTER_REFUSED: frozenset({Actor.COORDINATOR, Actor.MEMBER, Actor.DESK}),
    EventType.LETTER_WITHDRAWN: frozenset({Actor.DESK, Actor.ARS}),
}

LETTER_MESSAGES: dict[str, str] = {
    EventType.LETTER_SUBMITTED: "La lettre d'intention de %(cpts)s a été déposée (version %(version)s).",
    EventType.LETTER_REVIEW_OPENED: "Votre avis est demandé sur la lettre d'intention de %(cpts)s.",
    EventType.LETTER_TAKEN_IN: "%(organisation)s a pris en charge la lettre d'intention de %(cpts)s "
    "(version %(version)s) : son examen commence.",
    EventType.LETTER_OPINION_GIVEN: "%(organisation)s a rendu son avis (%(overall)s) sur la lettre de %(cpts)s.",
    EventType.LETTER_COMPLEMENTS_REQUESTED: "%(organisation)s demande des compléments sur la lettre d'intention "
    "de %(cpts)s (motif : %(reason)s).",
    EventType.LETTER_TRANSMITTED: "La lettre d'intention de %(cpts)s a été transmise à l'ARS avec les avis.",
    EventType.LETTER_VALIDATED: "La lettre d'intention de %(cpts)s est validée.",
    EventType.LETTER_REFUSED: "La lettre d'intention de %(cpts)s est refusée.",
    EventType.LETTER_WITHDRAWN: "La CPTS %(cpts)s a abandonné sa lettre d'intention.",
    EventType.OPINION_LATE: "L'avis de %(organisation)s sur la lettre d'intention de %(cpts)s est en retard.",
}


LETTER = Definition(
    model=IntentionLetter,
    noun="la lettre",
    status_choices=LetterStatus,
    state_rules=STATE_RULES,
    transition_rules=TRANSITION_RULES,
    roles=letter_actor_roles,
    guards=GUARDS,
    lock_related=("cpts__region", "regional_settings", "instructing_region"),
    caches=("_settings_cache",),
    decorate_action=_decorate_action,
    people_q=_people_q,
    organisation_of=actor_organisation,
    recipients=LETTER_RECIPIENTS,
    messages=LETTER_MESSAGES,
    detail_url="projects:letter_detail",
    awaiting_dossiers=letter_awaiting_dossiers,
    counter=opinion_counter,
    more_awaiting=letter_more_awaiting,
    status_label=status_label,
    record_stage=lambda letter: letter_stage_record(letter.cpts),
)
