"""The health project's workflow (issue 16) on its services, time frozen: internal validation and signatures,
deposit, opinions, complements and the 2-month clock (paused or restarted), decisions, the tacit validation by the
periodic scan (once, by one worker, exactly when the date passes), and every status × transition × persona."""

import datetime as dt
import re
import threading
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django_fsm import TransitionNotAllowed

from accounts.choices import ComplementsClock, OrganisationKind, ProjectSection, Role, SignatureRule, Stage
from accounts.models import ReviewerDelay, StageCircuit
from accounts.tests.factories import OrganisationFactory
from diagnostics.models import CptsStage
from governance.selectors import signature_round_current
from governance.signatures import signature_links_send, signature_sign
from governance.tests.factories import MemberFactory
from projects.choices import (
    Assessment,
    DeadlineKind,
    EventType,
    HealthProjectStatus,
    LetterStatus,
    OppositionGround,
    ProjectDecisionOutcome,
    ValidationKind,
)
from projects.models import (
    Event,
    ExpectedOpinion,
    HealthProject,
    IntentionLetter,
    Notification,
    Opinion,
    ProjectDecision,
    StatusTransition,
)
from projects.selectors import awaiting_for_user, recognised_cpts
from projects.services import health_project_start, health_project_update
from projects.workflows import health_project as definition
from projects.workflows.engine import OPINION_TODO, Actor, available_actions
from projects.workflows.health_project_services import (
    health_projects_scan,
    project_approve,
    project_clock,
    project_deposit,
    project_give_opinion,
    project_prepare_decision,
    project_reopen,
    project_request_complements,
    project_revise,
    project_sign_decision,
    tacit_validation_at,
)

from .factories import complete_letter, user_in

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
START = dt.datetime(2025, 3, 3, 9, 0, tzinfo=PARIS)
LINK_RE = re.compile(r"/gouvernance/signature/([A-Za-z0-9_\-]+)/")
S = HealthProjectStatus


def at(moment):
    return time_machine.travel(moment, tick=False)


class World:
    """Everything the tests act with: the project, its coordinator, members, the ARS and each reviewer."""


@pytest.fixture
def world(cpts, owner, circuit, monkeypatch):
    call_command("loaddata", "professions", "funding_scales", verbosity=0)
    region = circuit.region
    w = World()
    w.circuit = circuit
    w.settings = circuit.settings
    w.owner = owner
    w.cpts = cpts
    w.member_user = user_in(cpts, Role.MEMBER)
    dd = circuit.ars_dd_agent.memberships.get().organisation
    cpam = OrganisationFactory(name="CPAM du territoire", kind=OrganisationKind.CPAM, region=region)
    msa = OrganisationFactory(name="MSA du territoire", kind=OrganisationKind.MSA, region=region)
    elsm = OrganisationFactory(name="ELSM du territoire", kind=OrganisationKind.ELSM, region=region)
    w.reviewers = {
        "dd": (dd, circuit.ars_dd_agent),
        "cpam": (cpam, user_in(cpam, Role.AGENT)),
        "msa": (msa, user_in(msa, Role.AGENT)),
        "guichet": (circuit.desk, circuit.desk_user),
        "elsm": (elsm, user_in(elsm, Role.AGENT)),
    }
    hp_circuit = StageCircuit.objects.create(
        settings=circuit.settings,
        stage=Stage.HEALTH_PROJECT,
        desk=circuit.ars,
        opinion_delay_days=30,
        decision_delay_months=2,
    )
    hp_circuit.reviewers.set([org for org, _user in w.reviewers.values()])
    ReviewerDelay.objects.create(circuit=hp_circuit, organisation=cpam, delay_days=20)
    w.hp_circuit = hp_circuit
    w.agent, w.decider = circuit.ars_agent, circuit.ars_decider
    letter = complete_letter(cpts)
    IntentionLetter.objects.filter(pk=letter.pk).update(status=LetterStatus.VALIDATED)
    with at(START - dt.timedelta(days=30)):
        w.members = [
            MemberFactory(cpts=cpts, last_name=name, email=f"{name.lower()}@exemple.fr")
            for name in ("Durand", "Petit", "Roux")
        ]
        w.project = health_project_start(cpts=cpts, user=owner)
    # The completeness panel is the health project's own (test_health_project.py, test_demo): here the
    # workflow is under test, so the internal validation's guard lets every project through.
    monkeypatch.setitem(definition.GUARDS, "approve", lambda project: [])
    return w


def sign(project, count=None):
    """The members sign the round's version through their links (``count`` of them, all by default)."""
    signature_round = signature_round_current(project)
    signature_links_send(round_id=signature_round.pk)  # already sent on commit when the test commits
    links = [(m.to[0], LINK_RE.search(m.body)) for m in mail.outbox]
    latest = {to: match.group(1) for to, match in links if match}  # each member's last link
    tokens = [
        latest[member.email]
        for member in sorted(signature_round.signatures.all(), key=lambda s: s.pk)
        for member in [member.member]
    ]
    for token in tokens[:count]:
        signature_sign(token=token, seen_sha256=signature_round.sha256, ip_address="127.0.0.1", user_agent="test")
    return signature_round


def deposited(w, moment=START):
    with at(moment):
        project_approve(project=w.project, by=w.owner)
        sign(w.project)
        project_deposit(project=w.project, by=w.owner)
    w.project.refresh_from_db()
    return w.project


def reload(project):
    return HealthProject.objects.get(pk=project.pk)


def paris(year, month, day, hour=23, minute=59):
    return dt.datetime(year, month, day, hour, minute, tzinfo=PARIS)


# --- Deposit --------------------------------------------------------------------------------------------------


def test_the_deposit_opens_the_clock_the_opinions_and_the_alerts(world):
    project = deposited(world)
    assert project.status == S.DEPOSITED and project.current_version_number == 1
    assert project.regional_settings == world.settings and project.instructing_region == world.circuit.region
    tacit = paris(2025, 5, 3)
    assert tacit_validation_at(project) == tacit
    clock = project_clock(project, START)
    assert (clock.tacit_at, clock.days_left, clock.paused) == (tacit, 61, False)
    assert "Suspendu" in clock.rule
    due = {row.organisation.name: row.due_at for row in ExpectedOpinion.objects.filter(health_project=project)}
    assert due == {
        "ARS DD": paris(2025, 4, 2),
        "CPAM du territoire": paris(2025, 3, 23),  # its own delay: 20 days
        "MSA du territoire": paris(2025, 4, 2),
        "Guichet CPTS": paris(2025, 4, 2),
        "ELSM du territoire": paris(2025, 4, 2),
    }
    alerts = sorted(d.due_at for d in project.deadlines.filter(kind=DeadlineKind.DECISION_ALERT))
    assert alerts == [tacit - dt.timedelta(days=15), tacit - dt.timedelta(days=5)]
    version = project.versions.get()
    assert [s["name"] for s in version.data["signatories"]] == ["Prénom Durand", "Prénom Petit", "Prénom Roux"]
    assert version.data["signatures"]["sha256"] == signature_round_current(project).sha256
    assert list(project.transitions.values_list("transition", flat=True)) == ["approve", "deposit"]
    assert CptsStage.objects.get(cpts=world.cpts).status == S.DEPOSITED


def test_the_deposit_notifies_the_ars_and_every_reviewing_organisation(world):
    deposited(world)
    event = Event.objects.get(type=EventType.PROJECT_DEPOSITED)
    told = set(Notification.objects.filter(event=event, channel="portal").values_list("recipient_id", flat=True))
    reviewers = {user.pk for _org, user in world.reviewers.values()}
    assert told == reviewers | {world.agent.pk, world.decider.pk}  # the coordinator deposited: not told
    opened = Event.objects.get(type=EventType.PROJECT_SIGNATURES_OPENED)
    assert set(opened.notifications.values_list("recipient_id", flat=True)) == {world.member_user.pk}


def test_the_deposit_is_refused_when_the_signature_rule_is_not_met(world):
    with at(START):
        project_approve(project=world.project, by=world.owner)
        sign(world.project, count=2)
        with pytest.raises(ValidationError, match="Signatures insuffisantes : 2 membre"):
            project_deposit(project=world.project, by=world.owner)
        world.settings.signature_rule = SignatureRule.QUORUM
        world.settings.signature_quorum_percent = 60
        world.settings.save()
        project = reload(world.project)
        project_deposit(project=project, by=world.owner)  # 2 of 3 reach a 60 % quorum
    assert reload(project).status == S.DEPOSITED


def test_the_deposit_is_refused_when_the_project_changed_after_signing(world):
    with at(START):
        project_approve(project=world.project, by=world.owner)
        first_round = sign(world.project)
        health_project_update(project=world.project, data={"quality_evaluation": "Revue annuelle des indicateurs"})
        project = reload(world.project)
        actions = {a.name: a for a in available_actions(world.owner, project)}
        assert "remettez-le en signature" in actions["deposit"].reason and not actions["deposit"].allowed
        with pytest.raises(ValidationError, match="Le projet a changé depuis sa mise en signature"):
            project_deposit(project=project, by=world.owner)
        assert StatusTransition.objects.filter(transition="deposit").count() == 0
        project_reopen(project=project, by=world.owner)
        project_approve(project=project, by=world.owner)
        second_round = sign(project)
        project_deposit(project=project, by=world.owner)
    first_round.refresh_from_db()
    assert first_round.superseded_at is not None and second_round.number == 2
    assert reload(project).versions.get().data["signatures"]["round"] == 2


# --- The 2-month clock ----------------------------------------------------------------------------------------


def _complements(w, moment):
    with at(moment):
        project_request_complements(
            project=reload(w.project),
            by=w.agent,
            reason="incomplete",
            message="Précisez le budget de la mission 1.",
            section_comments={ProjectSection.BUDGET: "Détaillez les lignes FIR."},
        )


def _redeposit(w, moment, text):
    with at(moment):
        health_project_update(project=reload(w.project), data={"quality_evaluation": text})
        project = reload(w.project)
        project_approve(project=project, by=w.owner)
        sign(project)
        project_deposit(project=project, by=w.owner)


def test_complements_pause_the_clock_then_tacit_validation_exactly_when_the_date_passes(world):
    deposited(world)
    _complements(world, START + dt.timedelta(days=10))  # 13 March: 51 days were left (until 3 May)
    project = reload(world.project)
    assert project.status == S.COMPLEMENTS_REQUESTED and tacit_validation_at(project) is None
    clock = project_clock(project, START + dt.timedelta(days=12))
    assert clock.paused and clock.days_left == 51 and clock.tacit_at is None
    assert "suspendu" in Event.objects.get(type=EventType.PROJECT_COMPLEMENTS_REQUESTED).payload["clock"]
    request = project.complement_requests.get()
    assert [(c.field_path, c.comment) for c in request.field_comments.all()] == [
        ("budget", "Détaillez les lignes FIR.")
    ]

    _redeposit(world, START + dt.timedelta(days=17), "Revue semestrielle")  # 20 March + 51 days = 10 May
    project = reload(world.project)
    tacit = paris(2025, 5, 10)
    assert tacit_validation_at(project) == tacit and project.current_version_number == 2
    assert request.__class__.objects.get(pk=request.pk).answered_by_version.number == 2
    rows = ExpectedOpinion.objects.filter(health_project=project)
    assert {r.version.number for r in rows} == {2} and all(r.due_at <= tacit for r in rows)

    with at(tacit - dt.timedelta(minutes=1)):
        assert health_projects_scan() == 0
    assert reload(project).status == S.DEPOSITED
    with at(tacit):
        assert health_projects_scan() == 1
        assert health_projects_scan() == 0  # run twice: one transition
    project = reload(project)
    assert project.status == S.VALIDATED_TACITLY
    assert (project.recognised_on, project.validation_kind) == (dt.date(2025, 5, 10), ValidationKind.TACIT)
    log = project.transitions.get(transition="validate_tacitly")
    assert log.by is None and log.source == S.DEPOSITED and log.version.number == 2
    assert list(project.transitions.values_list("transition", flat=True)) == [
        "approve", "deposit", "request_complements", "approve", "deposit", "validate_tacitly",
    ]  # fmt: skip
    assert not project.deadlines.filter(closed_at__isnull=True).exists()
    event = Event.objects.get(type=EventType.PROJECT_VALIDATED_TACITLY)
    assert event.payload == {"tacit_on": "10 mai 2025"}
    told = set(event.notifications.filter(channel="portal").values_list("recipient_id", flat=True))
    assert told == {world.owner.pk, world.member_user.pk, world.agent.pk, world.decider.pk} | {
        user.pk for _org, user in world.reviewers.values()
    }
    assert CptsStage.objects.get(cpts=world.cpts).label == "projet de santé : validé tacitement"
    assert recognised_cpts(world.circuit.region.pk) == [project]


def test_complements_restart_the_clock_under_the_other_setting(world):
    world.settings.complements_clock = ComplementsClock.RESTART
    world.settings.save()
    deposited(world)
    _complements(world, START + dt.timedelta(days=10))
    project = reload(world.project)
    clock = project_clock(project)
    assert not clock.paused and clock.days_left is None and clock.rule.startswith("Repart")
    assert "en entier" in Event.objects.get(type=EventType.PROJECT_COMPLEMENTS_REQUESTED).payload["clock"]
    _redeposit(world, START + dt.timedelta(days=17), "Revue semestrielle")
    tacit = paris(2025, 5, 20)  # 20 March + 2 whole months
    assert tacit_validation_at(reload(project)) == tacit
    with at(tacit - dt.timedelta(minutes=1)):
        assert health_projects_scan() == 0
    with at(tacit):
        assert health_projects_scan() == 1
    assert reload(project).status == S.VALIDATED_TACITLY


def test_the_alerts_reach_the_ars_once_before_the_date(world):
    project = deposited(world)
    with at(paris(2025, 4, 18, 23, 59)):  # 15 days before 3 May 23:59
        health_projects_scan()
        health_projects_scan()
    events = Event.objects.filter(type=EventType.PROJECT_TACIT_APPROACHING)
    assert [e.payload for e in events] == [{"tacit_on": "3 mai 2025", "days": 15}]
    told = set(events.get().notifications.filter(channel="portal").values_list("recipient_id", flat=True))
    assert told == {world.agent.pk, world.decider.pk}
    assert reload(project).status == S.DEPOSITED


def test_a_late_opinion_is_reminded_once(world):
    deposited(world)
    with at(paris(2025, 3, 24, 8, 0)):  # the CPAM's 20 days are over
        health_projects_scan()
        health_projects_scan()
    late = Event.objects.get(type=EventType.OPINION_LATE)
    assert late.payload["organisation"] == "CPAM du territoire"
    cpam_user = world.reviewers["cpam"][1]
    assert set(late.notifications.filter(channel="portal").values_list("recipient_id", flat=True)) == {
        cpam_user.pk, world.agent.pk, world.decider.pk,
    }  # fmt: skip


def test_a_decision_signed_before_the_date_stops_the_clock(world):
    project = deposited(world)
    with at(START + dt.timedelta(days=40)):
        project_prepare_decision(project=project, by=world.agent, outcome=ProjectDecisionOutcome.NON_OPPOSITION)
        decision = project_sign_decision(project=reload(project), by=world.decider)
    with at(paris(2025, 6, 1)):
        assert health_projects_scan() == 0
    project = reload(project)
    assert project.status == S.VALIDATED and project.validation_kind == ValidationKind.EXPRESS
    assert project.recognised_on == dt.date(2025, 4, 12) and decision.signed_by == world.decider
    assert tacit_validation_at(project) is None
    log = project.transitions.get(transition="validate")
    assert log.details["prepared_by"] and log.details["amended"] is False


# --- Opinions and decisions -------------------------------------------------------------------------------------


def test_each_organisation_gives_its_opinion_and_the_ars_consolidates(world):
    call_command("loaddata", "opinion_grids", verbosity=0)
    project = deposited(world)
    cpam, cpam_user = world.reviewers["cpam"]
    assert OPINION_TODO in [i.action for i in awaiting_for_user(cpam_user)["reviewer"]]
    with at(START + dt.timedelta(days=3)):
        opinion = project_give_opinion(
            project=project, by=cpam_user, overall=Assessment.FAVORABLE, comment="Projet cohérent", answers={}
        )
        with pytest.raises(ValidationError, match="déjà rendu"):
            project_give_opinion(project=project, by=cpam_user, overall=Assessment.FAVORABLE, comment="", answers={})
        consolidated = project_give_opinion(
            project=project, by=world.agent, overall=Assessment.RESERVED, comment="Grille", answers={}
        )
        with pytest.raises(PermissionDenied):
            project_give_opinion(project=project, by=world.owner, overall=Assessment.FAVORABLE, comment="", answers={})
    assert (opinion.organisation, opinion.is_consolidated) == (cpam, False)
    assert consolidated.organisation == world.circuit.ars and consolidated.is_consolidated
    row = ExpectedOpinion.objects.get(health_project=project, organisation=cpam)
    assert row.received_at is not None
    assert OPINION_TODO not in [i.action for i in awaiting_for_user(cpam_user)["reviewer"]]
    msa_user = world.reviewers["msa"][1]
    assert OPINION_TODO in [i.action for i in awaiting_for_user(msa_user)["reviewer"]]
    given = Event.objects.filter(type=EventType.PROJECT_OPINION_GIVEN).order_by("pk").first()
    assert set(given.notifications.filter(channel="portal").values_list("recipient_id", flat=True)) == {
        world.agent.pk, world.decider.pk,
    }  # fmt: skip


def test_an_opposition_on_a_third_ground_is_refused_by_the_service_and_the_database(world):
    project = deposited(world)
    with at(START + dt.timedelta(days=20)):
        with pytest.raises(ValidationError) as refused:
            project_prepare_decision(
                project=project, by=world.agent, outcome=ProjectDecisionOutcome.OPPOSITION, ground="budget",
                motive="Budget insuffisant",
            )  # fmt: skip
        assert "deux motifs légaux" in refused.value.message_dict["ground"][0]
        with pytest.raises(ValidationError) as refused:
            project_sign_decision(
                project=project, by=world.decider, outcome=ProjectDecisionOutcome.OPPOSITION, ground="budget",
                motive="Budget insuffisant",
            )  # fmt: skip
        assert "ground" in refused.value.message_dict
        with pytest.raises(ValidationError, match="motivée"):
            project_prepare_decision(
                project=project, by=world.agent, outcome=ProjectDecisionOutcome.OPPOSITION, ground="prs"
            )
        assert not ProjectDecision.objects.exists() and reload(project).status == S.DEPOSITED
        with pytest.raises(IntegrityError), transaction.atomic():
            ProjectDecision.objects.create(
                project=project, version=project.versions.get(), outcome=ProjectDecisionOutcome.OPPOSITION,
                ground="budget", motive="Budget", organisation=world.circuit.ars, prepared_by=world.agent,
                prepared_at=START,
            )  # fmt: skip


def test_an_opposition_on_a_legal_ground_then_revision_and_a_new_whole_delay(world):
    project = deposited(world)
    with at(START + dt.timedelta(days=20)):
        project_prepare_decision(
            project=project, by=world.agent, outcome=ProjectDecisionOutcome.OPPOSITION,
            ground=OppositionGround.TERRITORY, motive="Le territoire recoupe celui d'une CPTS existante.",
        )  # fmt: skip
        assert (
            Event.objects.get(type=EventType.PROJECT_DECISION_PREPARED)
            .notifications.filter(recipient=world.decider)
            .exists()
        )
        project_sign_decision(project=reload(project), by=world.decider)
    project = reload(project)
    assert project.status == S.OPPOSED and project.recognised_on is None
    assert "territoire d'action" in Event.objects.get(type=EventType.PROJECT_OPPOSED).payload["ground"]
    assert "Réviser" in " ".join(i.action for i in awaiting_for_user(world.owner)["cpts"])
    with at(START + dt.timedelta(days=30)):
        project_revise(project=project, by=world.owner)
    _redeposit(world, START + dt.timedelta(days=40), "Territoire revu")
    assert tacit_validation_at(reload(project)) == paris(2025, 6, 12)  # 12 April + 2 months


# --- What awaits whom --------------------------------------------------------------------------------------------


def test_what_awaits_each_part(world):
    def todos(user, audience):
        return [i.action for i in awaiting_for_user(user)[audience]]

    with at(START):
        assert "Valider le projet en interne et le mettre en signature" in todos(world.owner, "cpts")
        project_approve(project=world.project, by=world.owner)
        assert "Recueillir les signatures des membres et déposer le projet à l'ARS" in todos(world.owner, "cpts")
        assert "Rédiger le projet de santé" not in todos(world.owner, "cpts")  # the letter's step is over
        sign(world.project)
        project_deposit(project=reload(world.project), by=world.owner)
    assert "Compléter la grille d'analyse et préparer la décision" in todos(world.agent, "ars")
    assert "Signer la décision sur le projet de santé" in todos(world.decider, "ars")
    _complements(world, START + dt.timedelta(days=5))
    assert todos(world.owner, "cpts")[0].startswith("Apporter les compléments demandés")
    _redeposit(world, START + dt.timedelta(days=8), "Revue")
    with at(paris(2025, 6, 1)):
        health_projects_scan()
    assert "Préparer le contrat ACI (projet de santé validé)" in todos(world.owner, "cpts")
    assert todos(world.agent, "ars") == []


# --- Every status × transition × persona ---------------------------------------------------------------------------


SERVICES = {
    "approve": lambda p, u: project_approve(project=p, by=u),
    "reopen": lambda p, u: project_reopen(project=p, by=u),
    "deposit": lambda p, u: project_deposit(project=p, by=u),
    "request_complements": lambda p, u: project_request_complements(
        project=p, by=u, reason="incomplete", message="Précisez.", section_comments={}
    ),
    "prepare_decision": lambda p, u: project_prepare_decision(
        project=p, by=u, outcome=ProjectDecisionOutcome.NON_OPPOSITION
    ),
    "validate": lambda p, u: project_sign_decision(project=p, by=u, outcome=ProjectDecisionOutcome.NON_OPPOSITION),
    "oppose": lambda p, u: project_sign_decision(
        project=p, by=u, outcome=ProjectDecisionOutcome.OPPOSITION, ground=OppositionGround.PRS, motive="PRS"
    ),
    "revise": lambda p, u: project_revise(project=p, by=u),
}
FSM_TARGETS = {t.name: t.target for t in HealthProject._meta.get_field("status").get_all_transitions(HealthProject)}


@pytest.fixture
def personas(world, outsider, foreign_reviewer):
    return {
        "coordinator": (world.owner, {Actor.COORDINATOR}),
        "member": (world.member_user, {Actor.MEMBER}),
        "guichet": (world.reviewers["guichet"][1], {Actor.REVIEWER}),
        "cpam": (world.reviewers["cpam"][1], {Actor.REVIEWER}),
        "msa": (world.reviewers["msa"][1], {Actor.REVIEWER}),
        "ars_agent": (world.agent, {Actor.ARS}),
        "ars_decider": (world.decider, {Actor.ARS, Actor.ARS_DECIDER}),
        "outsider": (outsider, set()),
        "foreign_reviewer": (foreign_reviewer, set()),
    }


def _in_status(world, status):
    """The project in ``status`` with what every guard asks: deposited once (version 1, its clock), then set."""
    project = deposited(world)
    HealthProject.objects.filter(pk=project.pk).update(
        status=status, complements_requested_at=START if status == S.COMPLEMENTS_REQUESTED else None
    )
    return reload(project)


@pytest.mark.parametrize("status", S.values)
def test_every_transition_for_every_persona(status, world, personas):
    project = _in_status(world, status)
    # In SIGNING, the round the deposit used is still the current one, signed by all: the deposit's guard passes.
    for persona, (user, actors) in personas.items():
        roles = definition.project_actor_roles(user, project)
        assert roles & (actors | {Actor.ARS_DD, Actor.HEALTH_INSURANCE}) >= actors, (persona, roles)
    for name, rule in definition.TRANSITION_RULES.items():
        if name == "validate_tacitly":
            continue
        for persona, (user, actors) in personas.items():
            expected = bool(rule.actors.get(status, frozenset()) & actors)
            before = StatusTransition.objects.count()
            with at(START), transaction.atomic():
                fresh = reload(project)
                if expected:
                    SERVICES[name](fresh, user)
                    fresh = reload(project)
                    target = status if name == "prepare_decision" else FSM_TARGETS[name]
                    if name == "reopen":
                        target = S.DRAFT
                    assert fresh.status == target, (status, name, persona)
                    assert StatusTransition.objects.count() == before + 1
                else:
                    with pytest.raises((PermissionDenied, TransitionNotAllowed, ValidationError)):
                        SERVICES[name](fresh, user)
                    assert StatusTransition.objects.count() == before
                transaction.set_rollback(True)


@pytest.mark.parametrize("status", S.values)
def test_nobody_fires_the_tacit_validation_by_hand(status, world, personas):
    project = _in_status(world, status)
    for _persona, (user, _actors) in personas.items():
        assert "validate_tacitly" not in [a.name for a in available_actions(user, project)]


# --- Two workers at once ------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_workers_scanning_at_once_validate_once(world):
    project = deposited(world)
    tacit = tacit_validation_at(project)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def scan():
        try:
            barrier.wait(timeout=10)
            results.append(health_projects_scan(now=tacit + dt.timedelta(minutes=1)))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == [] and sorted(results) == [0, 1]
    assert StatusTransition.objects.filter(transition="validate_tacitly").count() == 1
    assert Event.objects.filter(type=EventType.PROJECT_VALIDATED_TACITLY).count() == 1
    assert reload(project).status == S.VALIDATED_TACITLY


# --- The demo -----------------------------------------------------------------------------------------------------


def test_the_demo_holds_a_deposited_project_with_opinions_under_way_and_one_validated_tacitly(settings):
    from django.test import override_settings

    from tests.demo_world import demo_communes_create

    demo_communes_create()
    with override_settings(DEBUG=True):
        call_command("seed_demo", verbosity=0)
        counts = (StatusTransition.objects.count(), Event.objects.count(), Opinion.objects.count())
        call_command("seed_demo", verbosity=0)  # idempotent
    assert (StatusTransition.objects.count(), Event.objects.count(), Opinion.objects.count()) == counts
    deposited_project = HealthProject.objects.get(cpts__name="CPTS du Volvestre")
    assert deposited_project.status == S.DEPOSITED and tacit_validation_at(deposited_project) is not None
    rows = ExpectedOpinion.objects.filter(health_project=deposited_project)
    given = {r.organisation.name for r in rows if r.received_at}
    pending = {r.organisation.name for r in rows if not r.received_at}
    assert given == {"ARS Occitanie – DD Haute-Garonne", "CPAM de la Haute-Garonne", "Guichet CPTS Occitanie"}
    assert pending == {"MSA Midi-Pyrénées Sud", "ELSM de la Haute-Garonne"}
    version = deposited_project.versions.get()
    assert version.data["signatures"]["signed"] == version.data["signatures"]["expected"] >= 30
    tacit = HealthProject.objects.get(cpts__name="CPTS Sud Réunion")
    assert tacit.status == S.VALIDATED_TACITLY and tacit.validation_kind == ValidationKind.TACIT
    assert tacit.recognised_on < dt.date.today() and tacit.transitions.filter(transition="validate_tacitly").exists()
    assert HealthProject.objects.get(cpts__name="CPTS du Lauragais (projet)").status == S.DRAFT
