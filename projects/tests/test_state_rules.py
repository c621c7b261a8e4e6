"""Generated from STATE_RULES / TRANSITION_RULES and the FSM: every status × transition × persona.

For each combination the permission check must agree with the tables, and the service must either move the
letter to the FSM's target with exactly one log row, or raise and leave no trace.
"""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django_fsm import TransitionNotAllowed

from accounts.choices import Role
from projects.choices import DecisionOutcome, LetterStatus
from projects.models import IntentionLetter, Opinion, StatusTransition
from projects.permissions import can_edit_letter, can_give_opinion, can_transition, can_view_letter
from projects.selectors import letter_snapshot
from projects.services import version_create
from projects.workflows.engine import Actor
from projects.workflows.letter import STATE_RULES, TRANSITION_RULES
from projects.workflows.letter_services import (
    letter_decide,
    letter_open_review,
    letter_prepare_decision,
    letter_request_complements,
    letter_submit,
    letter_transmit,
    letter_withdraw,
)

from .factories import user_in

pytestmark = pytest.mark.django_db

SERVICES = {
    "submit": lambda letter, user: letter_submit(letter=letter, by=user),
    "open_review": lambda letter, user: letter_open_review(letter=letter, by=user),
    "request_complements": lambda letter, user: letter_request_complements(
        letter=letter, by=user, reason="incomplete", message="Précisez."
    ),
    "transmit": lambda letter, user: letter_transmit(letter=letter, by=user),
    "prepare_decision": lambda letter, user: letter_prepare_decision(
        letter=letter, by=user, outcome=DecisionOutcome.VALIDATED, motive="Projet cohérent", commitment_months=9
    ),
    "validate": lambda letter, user: letter_decide(
        letter=letter,
        by=user,
        outcome=DecisionOutcome.VALIDATED,
        motive="ok",
        decided_on=dt.date(2024, 1, 10),
        commitment_months=9,
    ),
    "refuse": lambda letter, user: letter_decide(
        letter=letter, by=user, outcome=DecisionOutcome.REFUSED, motive="non", decided_on=dt.date(2024, 1, 10)
    ),
    "withdraw": lambda letter, user: letter_withdraw(letter=letter, by=user),
}
FSM_TARGETS = {t.name: t.target for t in IntentionLetter._meta.get_field("status").get_all_transitions(IntentionLetter)}


@pytest.fixture
def cpam_agent(cpts, circuit):
    """An agent of the CPAM of the département the letter's territory lies in (the Assurance Maladie)."""
    from accounts.tests.factories import DepartementFactory, OrganisationFactory
    from diagnostics.models import Commune

    departement = DepartementFactory(region=circuit.region)
    Commune.objects.filter(territory_entries__territory__cpts=cpts).update(departement=departement)
    cpam = OrganisationFactory(name="CPAM du territoire", kind="cpam", region=circuit.region, departement=departement)
    return user_in(cpam, Role.AGENT)


@pytest.fixture
def personas(owner, member, colleague, circuit, outsider, foreign_reviewer, cpam_agent):
    return {
        "coordinator": (owner, {Actor.COORDINATOR}),
        "member": (member, {Actor.MEMBER}),
        "desk": (circuit.desk_user, {Actor.DESK}),
        "urps": (colleague, {Actor.REVIEWER}),
        "ars_agent": (circuit.ars_agent, {Actor.ARS}),
        "ars_decider": (circuit.ars_decider, {Actor.ARS, Actor.ARS_DECIDER}),
        "ars_dd": (circuit.ars_dd_agent, {Actor.ARS_DD}),
        "cpam": (cpam_agent, {Actor.HEALTH_INSURANCE}),
        "outsider": (outsider, set()),
        "foreign_reviewer": (foreign_reviewer, set()),
    }


def _prepare(letter, owner, circuit, status):
    """A letter in ``status`` whose guards all pass: submitted once, every opinion in, consolidated."""
    version = version_create(dossier=letter, data=letter_snapshot(letter), by=owner)
    IntentionLetter.objects.filter(pk=letter.pk).update(
        status=status,
        current_version_number=1,
        regional_settings=circuit.settings,
        circuit=circuit.settings.letter_circuit,
        instructing_region=circuit.region,
    )
    letter = IntentionLetter.objects.get(pk=letter.pk)
    for org, user in [*zip(circuit.reviewers, circuit.reviewer_users, strict=True), (circuit.desk, circuit.desk_user)]:
        Opinion.objects.create(
            version=version,
            organisation=org,
            author=user,
            overall="favorable",
            created_at=version.submitted_at,
            is_consolidated=org == circuit.desk,
        )
    return letter


def _expected(status, name, actors, letter):
    allowed = TRANSITION_RULES[name].actors.get(status, frozenset())
    if not allowed & actors:
        return False
    # The FSM conditions: the Guichet circuit transmits from review and decides only once transmitted.
    if name in ("validate", "refuse", "prepare_decision"):
        return status == LetterStatus.TRANSMITTED
    return True


@pytest.mark.parametrize("status", LetterStatus.values)
def test_every_transition_for_every_persona(status, letter, owner, circuit, personas):
    letter = _prepare(letter, owner, circuit, status)
    for name in TRANSITION_RULES:
        for persona, (user, actors) in personas.items():
            expected = _expected(status, name, actors, letter)
            fresh = IntentionLetter.objects.get(pk=letter.pk)
            decision = can_transition(user, fresh, name)
            assert decision.allowed == expected, (status, name, persona, decision.reason)
            assert expected or decision.reason, (status, name, persona)
            before = StatusTransition.objects.count()
            with transaction.atomic():
                if expected:
                    SERVICES[name](fresh, user)
                    fresh.refresh_from_db()
                    # Preparing the decision is logged but keeps the status (django-fsm's RETURN_VALUE target).
                    target = status if name == "prepare_decision" else FSM_TARGETS[name]
                    assert fresh.status == target, (status, name, persona)
                    assert StatusTransition.objects.count() == before + 1
                else:
                    with pytest.raises((PermissionDenied, TransitionNotAllowed, ValidationError)):
                        SERVICES[name](fresh, user)
                    assert StatusTransition.objects.count() == before
                transaction.set_rollback(True)


@pytest.mark.parametrize("status", LetterStatus.values)
def test_view_edit_and_opinion_follow_the_state_rules(status, letter, owner, circuit, personas):
    letter = _prepare(letter, owner, circuit, status)
    Opinion.objects.filter(organisation__in=circuit.reviewers[1:]).delete()  # one URPS has not answered yet
    rule = STATE_RULES[status]
    for persona, (user, actors) in personas.items():
        assert bool(can_view_letter(user, letter)) == bool(actors & rule.view), (status, persona)
        assert bool(can_edit_letter(user, letter)) == bool(actors & rule.edit), (status, persona)
    late_urps = circuit.reviewer_users[1]
    assert bool(can_give_opinion(late_urps, letter)) == (Actor.REVIEWER in rule.opinion)


def test_a_member_of_the_cpts_edits_the_draft_but_does_not_submit(letter, circuit, cpts):
    member = user_in(cpts, Role.MEMBER)
    assert can_edit_letter(member, letter)
    decision = can_transition(member, letter, "submit")
    assert not decision and "coordination de la CPTS" in decision.reason
