"""A dossier the portal does not have, defined here and run through the engine unchanged (issue 13): three
statuses, one opinion round, one deadline. The engine writes the log rows, the notifications, the version, the
deadline, and tells each person what awaits them, from this definition alone."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models
from django.test.utils import isolate_apps
from django.utils import timezone
from django_fsm import FSMField
from django_fsm import transition as fsm_transition

from accounts.choices import OrganisationKind, Role
from accounts.models import Organisation
from accounts.tests.factories import MembershipFactory, OrganisationFactory, RegionFactory
from projects.choices import Channel, DeadlineKind
from projects.models import Deadline, DossierVersion, ExpectedOpinion, Notification, StatusTransition
from projects.notifications import event_record
from projects.selectors import awaiting_for_user
from projects.services import deadline_create, opinion_round_open, version_create
from projects.workflows.engine import (
    NOBODY,
    Actor,
    Definition,
    StateRule,
    TransitionRule,
    available_actions,
    current_version,
    fire,
    register,
    transition,
    unregister,
)

pytestmark = pytest.mark.django_db


class ToyStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    IN_REVIEW = "in_review", "En examen"
    DECIDED = "decided", "Décidé"


@pytest.fixture
def toy_model():
    with isolate_apps("projects"):

        class ToyDossier(models.Model):
            cpts_id = models.BigIntegerField()
            status = FSMField(default=ToyStatus.DRAFT, choices=ToyStatus.choices)
            current_version_number = models.PositiveIntegerField(default=0)

            class Meta:
                app_label = "projects"

            @property
            def cpts(self):
                return Organisation.objects.get(pk=self.cpts_id)

            @fsm_transition(field=status, source=ToyStatus.DRAFT, target=ToyStatus.IN_REVIEW)
            def submit(self):
                pass

            @fsm_transition(field=status, source=ToyStatus.IN_REVIEW, target=ToyStatus.DECIDED)
            def decide(self):
                pass

        with connection.schema_editor() as editor:
            editor.create_model(ToyDossier)
        # Its content type row is rolled back with each test: the cache must not keep its id.
        ContentType.objects.clear_cache()
        yield ToyDossier
        ContentType.objects.clear_cache()


@pytest.fixture
def world(toy_model):
    region = RegionFactory()
    cpts = OrganisationFactory(kind=OrganisationKind.CPTS, region=region, name="CPTS jouet")
    panel = OrganisationFactory(kind=OrganisationKind.URPS, region=region, name="URPS jouet", profession="medecins")
    coordinator = MembershipFactory(organisation=cpts, role=Role.COORDINATOR).user
    reviewer = MembershipFactory(organisation=panel, role=Role.REVIEWER).user
    outsider = MembershipFactory(organisation=OrganisationFactory(region=region), role=Role.AGENT).user

    def roles(user, dossier):
        parts = set()
        for m in user.memberships.all():
            if m.organisation_id == dossier.cpts_id and m.role == Role.COORDINATOR:
                parts.add(Actor.COORDINATOR)
            if m.organisation_id == panel.pk:
                parts.add(Actor.REVIEWER)
        return frozenset(parts)

    def people_q(dossier, actors, payload):
        q = models.Q(pk__in=[])
        if Actor.COORDINATOR in actors:
            q |= models.Q(organisation_id=dossier.cpts_id, role=Role.COORDINATOR)
        if Actor.REVIEWER in actors:
            q |= models.Q(organisation=panel)
        return q

    def all_opinions_in(dossier):
        if any(e.is_pending for e in dossier.expected_opinions_rows()):
            return ["Tous les avis ne sont pas rendus."]
        return []

    toy_model.expected_opinions_rows = lambda self: ExpectedOpinion.objects.filter(
        content_type__model="toydossier", object_id=self.pk
    )
    # What "ce qui m'attend" reads as ``dossier.expected_opinions.all()``, as a GenericRelation gives the letter.
    toy_model.expected_opinions = property(lambda self: self.expected_opinions_rows())
    rules = {
        ToyStatus.DRAFT: StateRule(
            view=frozenset({Actor.COORDINATOR}),
            edit=frozenset({Actor.COORDINATOR}),
            opinion=NOBODY,
            labels={"cpts": "Brouillon", "reviewer": "Brouillon", "ars": "Brouillon"},
            todo="Finir le dossier jouet",
        ),
        ToyStatus.IN_REVIEW: StateRule(
            view=frozenset({Actor.COORDINATOR, Actor.REVIEWER}),
            edit=NOBODY,
            opinion=frozenset({Actor.REVIEWER}),
            labels={"cpts": "En examen", "reviewer": "À examiner", "ars": "En examen"},
        ),
        ToyStatus.DECIDED: StateRule(
            view=frozenset({Actor.COORDINATOR, Actor.REVIEWER}),
            edit=NOBODY,
            opinion=NOBODY,
            labels={"cpts": "Décidé", "reviewer": "Décidé", "ars": "Décidé"},
        ),
    }
    definition = register(
        Definition(
            model=toy_model,
            noun="le dossier jouet",
            status_choices=ToyStatus,
            state_rules=rules,
            transition_rules={
                "submit": TransitionRule(
                    label="Déposer le dossier jouet", actors={ToyStatus.DRAFT: frozenset({Actor.COORDINATOR})}
                ),
                "decide": TransitionRule(
                    label="Décider",
                    actors={ToyStatus.IN_REVIEW: frozenset({Actor.REVIEWER})},
                    todo={Actor.REVIEWER: "Décider du dossier jouet"},
                ),
            },
            roles=roles,
            guards={"decide": all_opinions_in},
            people_q=people_q,
            recipients={"toy_submitted": frozenset({Actor.REVIEWER}), "toy_decided": frozenset({Actor.COORDINATOR})},
            messages={"toy_submitted": "Le dossier jouet de %(cpts)s attend votre avis."},
            detail_url="projects:letter_detail",  # any page taking the dossier's id: the link is not followed here
            awaiting_dossiers=lambda user: list(toy_model.objects.all()),
        )
    )
    yield {
        "model": toy_model,
        "cpts": cpts,
        "panel": panel,
        "coordinator": coordinator,
        "reviewer": reviewer,
        "outsider": outsider,
        "definition": definition,
    }
    unregister(definition)


def _submit(dossier, by, panel):
    with transition(dossier, "submit", by=by) as locked:
        version = version_create(dossier=locked, data={"title": "Jouet"}, by=by, schema_version=1)
        locked.current_version_number = version.number
        fire(locked, "submit", by=by, version=version, comment="Premier dépôt")
        opinion_round_open(version=version, organisations=[panel], due_at=timezone.now() + dt.timedelta(days=21))
        deadline_create(dossier=locked, kind=DeadlineKind.FIRST_MEETING, due_at=timezone.now() + dt.timedelta(days=30))
        event_record(dossier=locked, type="toy_submitted", actor=by)
    return version


def _todo(user, audience):
    return [item.action for item in awaiting_for_user(user)[audience]]


def test_a_toy_dossier_runs_through_the_engine_without_any_change_to_it(world):
    toy = world["model"].objects.create(cpts_id=world["cpts"].pk)
    coordinator, reviewer, outsider = world["coordinator"], world["reviewer"], world["outsider"]

    assert _todo(coordinator, "cpts") == ["Finir le dossier jouet"]
    assert [a.name for a in available_actions(coordinator, toy)] == ["submit"]
    with pytest.raises(PermissionDenied, match="réservé à la coordination de la CPTS"):
        _submit(toy, outsider, world["panel"])

    version = _submit(toy, coordinator, world["panel"])

    toy.refresh_from_db()
    assert toy.status == ToyStatus.IN_REVIEW
    assert current_version(toy) == version and version.number == 1
    assert DossierVersion.objects.filter(content_type__model="toydossier", object_id=toy.pk).count() == 1
    log = StatusTransition.objects.get(content_type__model="toydossier", object_id=toy.pk)
    assert (log.transition, log.source, log.target, log.by, log.version, log.comment) == (
        "submit",
        ToyStatus.DRAFT,
        ToyStatus.IN_REVIEW,
        coordinator,
        version,
        "Premier dépôt",
    )
    deadline = Deadline.objects.get(content_type__model="toydossier", object_id=toy.pk)
    assert deadline.closed_at is None and deadline.due_at > timezone.now()
    told = Notification.objects.filter(event__type="toy_submitted")
    assert {(n.recipient, n.channel) for n in told} == {(reviewer, Channel.PORTAL), (reviewer, Channel.EMAIL)}
    assert _todo(coordinator, "cpts") == []
    # The opinion owed by the reviewer's organisation comes first; the decision is blocked by the guard until then.
    assert _todo(reviewer, "reviewer") == ["Rendre l'avis de votre organisation"]
    [decide] = available_actions(reviewer, toy)
    assert (decide.name, decide.allowed, decide.reason) == ("decide", False, "Tous les avis ne sont pas rendus.")
    with pytest.raises(ValidationError):
        with transition(toy, "decide", by=reviewer):
            pass

    ExpectedOpinion.objects.filter(content_type__model="toydossier").update(received_at=timezone.now())
    assert _todo(reviewer, "reviewer") == ["Décider du dossier jouet"]
    with transition(toy, "decide", by=reviewer) as locked:
        fire(locked, "decide", by=reviewer, version=version)
        event_record(dossier=locked, type="toy_decided", actor=reviewer)

    toy.refresh_from_db()
    assert toy.status == ToyStatus.DECIDED
    assert list(
        StatusTransition.objects.filter(content_type__model="toydossier", object_id=toy.pk).values_list(
            "transition", "target"
        )
    ) == [("submit", ToyStatus.IN_REVIEW), ("decide", ToyStatus.DECIDED)]
    assert Notification.objects.filter(event__type="toy_decided", recipient=coordinator).count() == 2
    assert _todo(reviewer, "reviewer") == [] and available_actions(reviewer, toy) == []
    assert world["definition"].label_of(toy, frozenset({Actor.COORDINATOR})) == "Décidé"


def test_an_automatic_transition_of_the_toy_dossier_is_logged_without_a_person(world):
    """What a task fires (tacit validation, all opinions in) checks no person's part, and is logged all the same."""
    toy = world["model"].objects.create(cpts_id=world["cpts"].pk)
    version = _submit(toy, world["coordinator"], world["panel"])
    ExpectedOpinion.objects.filter(content_type__model="toydossier").update(received_at=timezone.now())
    with transition(toy, "decide", by=None, system=True) as locked:
        fire(locked, "decide", by=None, system=True, version=version, comment="Délai écoulé")

    toy.refresh_from_db()
    log = StatusTransition.objects.filter(content_type__model="toydossier", object_id=toy.pk).last()
    assert (toy.status, log.transition, log.by, log.comment) == (ToyStatus.DECIDED, "decide", None, "Délai écoulé")
