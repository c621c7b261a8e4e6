"""The lifecycle engine shared by every dossier (intention letter, health project, contract).

It knows rule types, not dossiers: a ``Definition`` (one module per dossier: ``letter.py``…) gives the table of
statuses (``StateRule``: who views, edits, gives an opinion, how each audience reads the status), the table of
transitions (``TransitionRule``: who fires which django-fsm-2 method from which status), the guards (French
reasons that block a transition), who plays which part, and what the notifications say and link to. The engine
applies them the same way to any dossier: authorize → lock → fire → log, in one transaction.

A service of a definition reads::

    with transition(letter, "submit", by=user) as letter:   # locked, authorised, guards checked
        version = ...                                        # what the step opens (versions, deadlines…)
        fire(letter, "submit", by=user, version=version)     # FSM method + StatusTransition row

and the caller's instance is refreshed once the transaction is committed.
"""

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed, can_proceed

from diagnostics.parts import ACTOR_LABELS, CPTS_ACTORS, NOBODY, REVIEWING_ACTORS, Actor

from ..models import DossierVersion, StatusTransition

# Which part a person plays on a dossier is answered in one place, below every app that asks it (issue 13,
# point 2): ``diagnostics.parts``; the engine's rule tables name those parts.
EVERYONE = CPTS_ACTORS | REVIEWING_ACTORS | {Actor.ADMINISTRATOR}
COORDINATOR_ONLY = frozenset({Actor.COORDINATOR})

# The audiences a status is labelled for and the home page's sections, by the part a person plays; the other parts
# (Assurance Maladie, administrator) read the status as the ARS does.
AUDIENCES = {
    Actor.COORDINATOR: "cpts",
    Actor.MEMBER: "cpts",
    Actor.DESK: "reviewer",
    Actor.REVIEWER: "reviewer",
    Actor.ARS: "ars",
    Actor.ARS_DECIDER: "ars",
    Actor.ARS_DD: "ars",
}
_AUDIENCE_ORDER = ("cpts", "reviewer", "ars")


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
    # What awaits those who may edit in this status ("ce qui m'attend"), e.g. "Terminer et déposer…".
    todo: str = ""

    def label_for(self, actors: frozenset) -> str:
        """The CPTS's reading first, then the reviewers', else the ARS's."""
        audiences = {AUDIENCES.get(actor, "ars") for actor in actors}
        return self.labels[next((a for a in _AUDIENCE_ORDER if a in audiences), "ars")]


@dataclass(frozen=True)
class TransitionRule:
    label: str
    actors: dict  # source status -> actors allowed from that status (the keys are the FSM sources)
    style: str = "primary"
    comment_label: str = "Commentaire (facultatif)"
    done_label: str = ""  # how the history reads it when the button's wording does not fit
    # What awaits each part that may fire it ("ce qui m'attend"): actor -> to-do label; empty: never a to-do
    # (a refusal, a withdrawal are possible, not awaited).
    todo: dict = field(default_factory=dict)

    @property
    def log_label(self) -> str:
        return self.done_label or self.label

    @property
    def all_actors(self) -> frozenset:
        return frozenset().union(*self.actors.values())


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


def _no_organisation(user, dossier, actors):
    return None


def _own_pk(dossier) -> list:
    return [dossier.pk]


@dataclass(frozen=True)
class Definition:
    """One dossier's lifecycle, as data and a few functions the engine calls."""

    model: type[models.Model]
    # How messages name the dossier: "la lettre", "le projet de santé"…
    noun: str
    status_choices: type[models.TextChoices]
    state_rules: dict[str, StateRule]
    transition_rules: dict[str, TransitionRule]
    # (user, dossier) -> the parts the person plays on this dossier.
    roles: Callable[..., frozenset]
    # (dossier) -> French reasons that block a transition, by transition name.
    guards: dict[str, Callable[..., list[str]]] = field(default_factory=dict)
    # What the lock loads with the row (the services read these after locking).
    lock_related: tuple[str, ...] = ()
    # Per-instance caches dropped when the caller's instance is refreshed after a transition.
    caches: tuple[str, ...] = ()
    # (user, dossier, ActionState) -> ActionState: what a definition adds to an offered action (a notice…).
    decorate_action: Callable[..., ActionState] | None = None
    # (dossier, actors, payload) -> Q over accounts.Membership: the people who play ``actors``.
    people_q: Callable[..., models.Q] | None = None
    # (user, dossier, actors) -> the organisation in whose name the person acts with one of ``actors``.
    organisation_of: Callable[..., Any] = _no_organisation
    # (user) -> the dossiers a person may act on, with what ``awaiting_steps`` and ``more_awaiting`` read
    # prefetched (expected opinions…); closed dossiers may be left out.
    awaiting_dossiers: Callable[..., Any] | None = None
    # (dossier) -> the opinion counter shown beside a reviewing audience's to-do.
    counter: Callable[..., Any] | None = None
    # (user, dossier, roles, today) -> [(audience, AwaitingItem)]: what opens after a step that is not a
    # transition (a fiche signalétique, the next stage's dossier and its deadline).
    more_awaiting: Callable[..., list] | None = None
    # Event type -> the parts told of it, and what the notification says (``notifications`` adds the events
    # every dossier shares: messages, late opinions, deadlines).
    recipients: dict = field(default_factory=dict)
    messages: dict = field(default_factory=dict)
    # The URL name of the dossier's page (notifications link to it), and its arguments (default: the dossier's id;
    # the health project's page is named by its CPTS).
    detail_url: str = ""
    detail_args: Callable[..., list] = _own_pk
    # (dossier) -> None: record where the CPTS stands (``diagnostics.CptsStage``) after each transition, for the
    # apps below projects that read its stage.
    record_stage: Callable[..., None] | None = None
    # (dossier, actors) -> the status as this audience reads it; default: the StateRule's label.
    status_label: Callable[..., str] | None = None

    def url_of(self, dossier) -> str:
        """The path of the dossier's page."""
        return reverse(self.detail_url, args=self.detail_args(dossier))

    def label_of(self, dossier, actors: frozenset) -> str:
        if self.status_label is not None:
            return self.status_label(dossier, actors)
        return self.state_rules[dossier.status].label_for(actors)


_DEFINITIONS: dict[type[models.Model], Definition] = {}


def register(definition: Definition) -> Definition:
    _DEFINITIONS[definition.model] = definition
    return definition


def unregister(definition: Definition) -> None:
    _DEFINITIONS.pop(definition.model, None)


def definition_for(dossier_or_model) -> Definition:
    """The definition of a dossier (an instance or its model): a plain mapping from model to definition."""
    model: type[models.Model] = dossier_or_model if isinstance(dossier_or_model, type) else type(dossier_or_model)
    return _DEFINITIONS[model._meta.concrete_model or model]


def definitions() -> list[Definition]:
    return list(_DEFINITIONS.values())


# --- Who may fire what ------------------------------------------------------------------------------------------


def authorize(user, dossier, name: str, *, check_guards: bool = True) -> None:
    """Raise if ``user`` may not fire ``name`` now: ``TransitionNotAllowed`` (wrong status or circuit),
    ``PermissionDenied`` (not their part), ``ValidationError`` (a guard: what is missing, in French)."""
    definition = definition_for(dossier)
    rule = definition.transition_rules[name]
    status_text = definition.status_choices(dossier.status).label
    roles = definition.roles(user, dossier)
    if not roles & rule.all_actors:
        # Someone who may never fire this transition learns nothing about the dossier's status.
        who = ", ".join(ACTOR_LABELS[a] for a in sorted(rule.all_actors))
        raise PermissionDenied(_("« %(action)s » est réservé à %(who)s.") % {"action": rule.label, "who": who})
    allowed_actors = rule.actors.get(dossier.status)
    if allowed_actors is None:
        raise TransitionNotAllowed(
            _("« %(action)s » n'est pas possible : %(noun)s est « %(status)s ».")
            % {"action": rule.label, "noun": definition.noun, "status": status_text}
        )
    if not roles & allowed_actors:
        who = ", ".join(ACTOR_LABELS[a] for a in sorted(allowed_actors))
        raise PermissionDenied(_("« %(action)s » est réservé à %(who)s.") % {"action": rule.label, "who": who})
    if not can_proceed(getattr(dossier, name)):
        raise TransitionNotAllowed(
            _("« %(action)s » ne fait pas partie du circuit de %(noun)s à ce stade.")
            % {"action": rule.label, "noun": definition.noun}
        )
    guard = definition.guards.get(name)
    if check_guards and guard is not None and (reasons := guard(dossier)):
        raise ValidationError(reasons)


def available_actions(user, dossier) -> list[ActionState]:
    """The transitions offered to this person now: allowed ones, and blocked ones with the reason (guards).
    A transition the person could never fire from this status is not listed at all."""
    definition = definition_for(dossier)
    result = []
    roles = definition.roles(user, dossier)
    for name, rule in definition.transition_rules.items():
        actors = rule.actors.get(dossier.status)
        if not actors or not roles & actors or not can_proceed(getattr(dossier, name)):
            continue
        try:
            authorize(user, dossier, name)
        except ValidationError as exc:
            result.append(ActionState(name, rule.label, rule.style, False, " ".join(exc.messages)))
            continue
        state = ActionState(name, rule.label, rule.style, True, "", comment_label=rule.comment_label)
        if definition.decorate_action is not None:
            state = definition.decorate_action(user, dossier, state)
        result.append(state)
    return result


# --- What awaits a person ("ce qui m'attend") -------------------------------------------------------------------

OPINION_TODO = "Rendre l'avis de votre organisation"


@dataclass(frozen=True)
class AwaitingItem:
    dossier: Any
    action: str
    counter: Any = None  # the opinions received / awaited, for the reviewing audiences
    url: str = ""  # where the step is done, when it is not the dossier's page (the health project)
    deadline: Any = None  # the date the step must be done by (the 9-month accompaniment commitment)
    days_left: int | None = None  # negative once the date has passed

    @property
    def days_overdue(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0

    @property
    def dossier_url(self) -> str:
        return definition_for(self.dossier).url_of(self.dossier)


def awaiting_steps(user, dossier, roles: frozenset, own_organisation_ids: set[int]) -> list[tuple[str, str]]:
    """(audience, to-do) pairs for one person on one dossier, read from the definition: the status's to-do for
    those who may edit; an opinion owed by their organisation (pending rows) for those who give one; otherwise
    the last transition awaiting their part that the dossier can take now (a decider signs rather than prepares).
    Reads prefetched expected opinions only."""
    definition = definition_for(dossier)
    state = definition.state_rules[dossier.status]
    steps: dict[str, str] = {}
    if state.todo:
        for actor in sorted(roles & state.edit):
            steps.setdefault(AUDIENCES[actor], state.todo)
    if roles & state.opinion and any(
        e.is_pending and e.organisation_id in own_organisation_ids for e in dossier.expected_opinions.all()
    ):
        for actor in sorted(roles & state.opinion):
            steps.setdefault(AUDIENCES[actor], OPINION_TODO)
    by_transition: dict[str, str] = {}
    for name, rule in definition.transition_rules.items():
        allowed = rule.actors.get(dossier.status, NOBODY) & roles
        todos = [(actor, rule.todo[actor]) for actor in rule.todo if actor in allowed]
        if todos and can_proceed(getattr(dossier, name)):
            for actor, todo in todos:
                by_transition[AUDIENCES[actor]] = todo
    for audience, todo in by_transition.items():
        steps.setdefault(audience, todo)
    return list(steps.items())


# --- Lock, fire, log --------------------------------------------------------------------------------------------


def lock(dossier):
    """Reload the dossier with its row locked: two people acting at once are served one after the other, and the
    second one sees the status the first one left (a double click submits once)."""
    definition = definition_for(dossier)
    return (
        definition.model._default_manager.select_for_update(of=("self",))
        .select_related(*definition.lock_related)
        .get(pk=dossier.pk)
    )


def fire(
    dossier, name: str, *, by, comment: str = "", version=None, system: bool = False, details: dict | None = None
) -> StatusTransition:
    """Fire the FSM method and write the log row, inside the caller's atomic block. ``system`` marks an automatic
    transition (a task: tacit validation, all opinions in): no person's part is checked, the row is written."""
    if not system:
        authorize(by, dossier, name, check_guards=False)
    source = dossier.status
    getattr(dossier, name)()
    dossier.save()
    if (record_stage := definition_for(dossier).record_stage) is not None:
        record_stage(dossier)
    return StatusTransition.objects.create(
        dossier=dossier,
        transition=name,
        source=source,
        target=dossier.status,
        by=by,
        at=timezone.now(),
        comment=comment,
        version=version,
        details=details or {},
    )


# A prepared decision's motive (the comment of its log row) is the deciding side's until a decider signs it: the
# signed decision carries its own motive.
PRIVATE_COMMENTS = frozenset({"prepare_decision"})


def readable_log(transitions: list, roles: frozenset, *, private_readers: frozenset) -> list:
    """The log rows as this person may read them: the comments of ``PRIVATE_COMMENTS`` blanked for anyone who plays
    none of ``private_readers`` (the rows are the caller's, loaded for this page)."""
    if not roles & private_readers:
        for row in transitions:
            if row.transition in PRIVATE_COMMENTS:
                row.comment = ""
    return transitions


def refresh(dossier) -> None:
    """Bring the caller's instance up to date after a transition, dropping the definition's per-instance caches."""
    dossier.refresh_from_db()
    for attr in definition_for(dossier).caches:
        dossier.__dict__.pop(attr, None)


@contextmanager
def transition(dossier, name: str, *, by, system: bool = False) -> Iterator:
    """authorize → lock → (the caller opens what the step needs and calls ``fire``) in one transaction; the
    caller's instance is refreshed afterwards. Yields the locked instance."""
    with transaction.atomic():
        locked = lock(dossier)
        if not system:
            authorize(by, locked, name)
        yield locked
    refresh(dossier)


# --- Versions ---------------------------------------------------------------------------------------------------


def rows_of(dossier, via: str = "") -> models.Q:
    """The rows attached to this dossier (versions, opinions through ``via="version__"``…), by a join on the
    content type rather than the cached lookup, so a cold cache costs no query; names no model."""
    opts = type(dossier)._meta
    return models.Q(
        **{
            f"{via}content_type__app_label": opts.app_label,
            f"{via}content_type__model": opts.model_name,
            f"{via}object_id": dossier.pk,
        }
    )


def _versions_of(dossier):
    return DossierVersion.objects.filter(rows_of(dossier))


def current_version(dossier) -> DossierVersion | None:
    if not dossier.current_version_number:
        return None
    return _versions_of(dossier).get(number=dossier.current_version_number)


def submitted_version(dossier) -> DossierVersion:
    """The current version of a dossier past its first submission (every step after the draft has one)."""
    version = current_version(dossier)
    if version is None:
        raise ValidationError(_("Ce dossier n'a pas encore été déposé."))
    return version


def deadline_at(day: dt.date) -> dt.datetime:
    """A deadline falling on ``day`` ends at 23:59 local time."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59)))
