"""The letter's lifecycle through its services: every allowed path, forbidden transitions, the log, deadlines."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from projects.choices import ComplementReason, DeadlineKind, DecisionOutcome, EventType, LetterStatus
from projects.models import (
    DossierVersion,
    Event,
    ExpectedOpinion,
    IntentionLetter,
    Notification,
    StatusTransition,
)
from projects.services import deadline_process_due, expected_opinion_remind_late, opinion_give
from projects.workflows.letter import STATE_RULES, TRANSITION_RULES
from projects.workflows.letter_services import (
    letter_decide,
    letter_open_review,
    letter_request_complements,
    letter_submit,
    letter_transmit,
    letter_withdraw,
)

from .walk import answers_for, consolidate, give_all_opinions, to_transmitted, validate

pytestmark = pytest.mark.django_db

FORBIDDEN = (PermissionDenied, TransitionNotAllowed, ValidationError)


@pytest.fixture(autouse=True)
def scales(db):
    call_command("loaddata", "funding_scales", verbosity=0)


def log(letter):
    return list(StatusTransition.objects.filter(intention_letter=letter).order_by("at", "pk"))


def test_every_status_has_a_rule_and_every_transition_matches_the_fsm():
    assert set(STATE_RULES) == set(LetterStatus.values)
    for name, rule in TRANSITION_RULES.items():
        fsm_sources = {
            t.source
            for t in IntentionLetter._meta.get_field("status").get_all_transitions(IntentionLetter)
            if t.name == name
        }
        assert fsm_sources == set(rule.actors), name


@time_machine.travel(dt.datetime(2024, 3, 1, 10, tzinfo=dt.UTC), tick=False)
def test_occitanie_happy_path_from_draft_to_validation(letter, owner, circuit):
    version = letter_submit(letter=letter, by=owner, comment="Première version")
    assert letter.status == LetterStatus.SUBMITTED
    assert version.number == 1 and version.data["territory"]["communes"][0]["insee"]
    assert version.data["territory"]["population"] == 14_700
    assert version.data["territory"]["size"] == 1  # issue 15 point 6: frozen with the version (scale of 2024)
    assert letter.circuit == "guichet_urps" and letter.regional_settings == circuit.settings

    expected = letter_open_review(letter=letter, by=circuit.desk_user)
    assert {e.organisation for e in expected} == set(circuit.reviewers)
    assert all(e.due_at == timezone.now() + dt.timedelta(days=21) for e in expected)

    give_all_opinions(letter, circuit)
    assert not ExpectedOpinion.objects.filter(intention_letter=letter, received_at__isnull=True).exists()
    consolidate(letter, circuit)
    letter_transmit(letter=letter, by=circuit.desk_user)
    assert letter.status == LetterStatus.TRANSMITTED

    decision = validate(letter, circuit.ars_decider, on=dt.date(2024, 3, 15))
    assert letter.status == LetterStatus.VALIDATED
    assert decision.fir_amount == Decimal("50000")
    assert [(i.amount, i.due_on) for i in decision.instalments.all()] == [
        (Decimal("25000.00"), dt.date(2024, 3, 15)),
        (Decimal("25000.00"), dt.date(2024, 9, 15)),
    ]
    # Taille 1 (14 700 inhabitants) under the scale in force in 2024: 15 000 €, 9 months.
    assert decision.accompaniment_size == 1 and decision.accompaniment_amount == Decimal("15000.00")
    assert decision.accompaniment_deadline == dt.date(2024, 12, 15)
    deadline = letter.deadlines.get(kind=DeadlineKind.ACCOMPANIMENT)
    assert timezone.localtime(deadline.due_at).date() == dt.date(2024, 12, 15)
    assert deadline.alert_at < deadline.due_at

    rows = log(letter)
    assert [(r.transition, r.source, r.target) for r in rows] == [
        ("submit", "draft", "submitted"),
        ("open_review", "submitted", "under_review"),
        ("transmit", "under_review", "transmitted"),
        ("validate", "transmitted", "validated"),
    ]
    assert [r.by for r in rows] == [owner, circuit.desk_user, circuit.desk_user, circuit.ars_decider]
    assert rows[0].comment == "Première version" and rows[-1].comment == "Projet cohérent"
    assert all(r.version.number == 1 for r in rows)


def test_two_rounds_of_complements_make_versions_two_and_three(letter, owner, circuit):
    letter_submit(letter=letter, by=owner)
    letter_open_review(letter=letter, by=circuit.desk_user)
    opinion_give(
        letter=letter, by=circuit.reviewer_users[0], overall="reserved", comment="", answers=answers_for(letter)
    )
    request = letter_request_complements(
        letter=letter,
        by=circuit.desk_user,
        reason=ComplementReason.INCOMPLETE,
        message="Précisez les partenaires.",
        field_comments={"partners.associated": "Lesquels ?"},
    )
    assert letter.status == LetterStatus.COMPLEMENTS_REQUESTED
    assert request.organisation == circuit.desk and request.field_comments.get().field_path == "partners.associated"

    IntentionLetter.objects.filter(pk=letter.pk).update(partners_associated="Hôpital et EHPAD")
    letter.refresh_from_db()
    v2 = letter_submit(letter=letter, by=owner)
    assert v2.number == 2
    request.refresh_from_db()
    assert request.answered_by_version == v2

    # Second round: the opinions are asked again on version 2; the earlier one stays on version 1.
    letter_open_review(letter=letter, by=circuit.desk_user)
    assert ExpectedOpinion.objects.filter(intention_letter=letter, received_at__isnull=True).count() == len(
        circuit.reviewers
    )
    give_all_opinions(letter, circuit)
    consolidate(letter, circuit)
    letter_transmit(letter=letter, by=circuit.desk_user)
    letter_request_complements(
        letter=letter, by=circuit.ars_decider, reason=ComplementReason.OUTDATED, message="Budget à actualiser."
    )
    assert letter.status == LetterStatus.COMPLEMENTS_REQUESTED
    v3 = letter_submit(letter=letter, by=owner)
    assert v3.number == 3 and letter.current_version_number == 3
    assert DossierVersion.objects.filter(intention_letter=letter).count() == 3
    assert [r.target for r in log(letter)] == [
        "submitted",
        "under_review",
        "complements_requested",
        "submitted",
        "under_review",
        "transmitted",
        "complements_requested",
        "submitted",
    ]


def test_refusal_records_a_motive_and_no_funding(letter, owner, circuit):
    to_transmitted(letter, owner, circuit)
    decision = letter_decide(
        letter=letter,
        by=circuit.ars_decider,
        outcome=DecisionOutcome.REFUSED,
        motive="Territoire non pertinent",
        decided_on=dt.date(2024, 4, 1),
    )
    assert letter.status == LetterStatus.REFUSED and decision.fir_amount is None
    assert not letter.deadlines.exists()
    assert log(letter)[-1].comment == "Territoire non pertinent"


@time_machine.travel(dt.datetime(2024, 5, 2, 9, tzinfo=dt.UTC), tick=False)
def test_reunion_circuit_goes_through_the_copil(cpts, outsider, reunion, other_region):
    from projects.tests.factories import complete_letter

    other_cpts = outsider.memberships.get().organisation
    letter = complete_letter(other_cpts)
    letter_submit(letter=letter, by=outsider)
    assert letter.circuit == "copil"
    meeting = letter.deadlines.get(kind=DeadlineKind.FIRST_MEETING)
    assert meeting.due_at == timezone.now() + dt.timedelta(days=15)

    letter_open_review(letter=letter, by=reunion.desk_user)
    with pytest.raises(TransitionNotAllowed):  # no transmission step in this circuit
        letter_transmit(letter=letter, by=reunion.desk_user)
    opinion = opinion_give(
        letter=letter, by=reunion.desk_user, overall="favorable", comment="Équipe crédible", answers=answers_for(letter)
    )
    assert [a.criterion.code for a in opinion.answers.all()] == ["credibilite", "pertinence", "equipe-projet"]
    assert not opinion.is_consolidated

    decision = letter_decide(
        letter=letter,
        by=reunion.desk_user,
        outcome=DecisionOutcome.VALIDATED,
        motive="Validée en COPIL",
        decided_on=dt.date(2024, 5, 20),
        fir_amount=Decimal("40000"),
        support_days=20,
    )
    assert letter.status == LetterStatus.VALIDATED
    # La Réunion's settings open support by a structure d'appui (days, 9 months), not an FIR grant.
    assert decision.fir_amount is None and decision.support_days == 20 and not decision.instalments.exists()
    assert decision.accompaniment_deadline == dt.date(2025, 2, 20)
    assert letter.deadlines.filter(kind=DeadlineKind.SUPPORT).exists()
    assert letter.deadlines.get(kind=DeadlineKind.FIRST_MEETING).closed_at is not None
    assert [r.transition for r in log(letter)] == ["submit", "open_review", "validate"]


def test_withdrawal_by_the_coordinator_from_every_open_status(letter, owner, circuit, member):
    with pytest.raises(PermissionDenied):
        letter_withdraw(letter=letter, by=member)
    letter_submit(letter=letter, by=owner)
    letter_open_review(letter=letter, by=circuit.desk_user)
    letter_withdraw(letter=letter, by=owner, comment="Projet fusionné avec une CPTS voisine")
    assert letter.status == LetterStatus.ABANDONED
    assert log(letter)[-1].comment == "Projet fusionné avec une CPTS voisine"
    with pytest.raises(TransitionNotAllowed):
        letter_submit(letter=letter, by=owner)


@pytest.mark.parametrize(
    "action",
    [
        lambda letter, c, owner: letter_open_review(letter=letter, by=c.desk_user),
        lambda letter, c, owner: letter_transmit(letter=letter, by=c.desk_user),
        lambda letter, c, owner: validate(letter, c.ars_decider),
        lambda letter, c, owner: letter_request_complements(
            letter=letter, by=c.desk_user, reason="incomplete", message="x"
        ),
        lambda letter, c, owner: opinion_give(
            letter=letter, by=c.reviewer_users[0], overall="favorable", comment="", answers={}
        ),
    ],
    ids=["open_review", "transmit", "validate", "request_complements", "opinion"],
)
def test_nothing_but_submission_and_withdrawal_happens_to_a_draft(letter, owner, circuit, action):
    with pytest.raises(FORBIDDEN):
        action(letter, circuit, owner)
    letter.refresh_from_db()
    assert letter.status == LetterStatus.DRAFT and not log(letter)


def test_reviewers_never_fire_the_ars_decision_and_the_ars_never_transmits(letter, owner, circuit):
    letter_submit(letter=letter, by=owner)
    letter_open_review(letter=letter, by=circuit.desk_user)
    give_all_opinions(letter, circuit)
    consolidate(letter, circuit)
    with pytest.raises(PermissionDenied):
        letter_transmit(letter=letter, by=circuit.ars_agent)
    with pytest.raises(TransitionNotAllowed):  # the Guichet's review does not end in a decision
        validate(letter, circuit.desk_user)
    letter_transmit(letter=letter, by=circuit.desk_user)
    for user in [circuit.desk_user, circuit.reviewer_users[0], owner, circuit.ars_dd_agent]:
        with pytest.raises(PermissionDenied):
            validate(letter, user)
    assert len(log(letter)) == 3


def test_submitting_an_incomplete_letter_lists_what_is_missing(cpts, owner, circuit):
    from projects.models import IntentionLetter

    letter = IntentionLetter.objects.create(cpts=cpts, needs="Déjà écrit")
    with pytest.raises(ValidationError) as exc:
        letter_submit(letter=letter, by=owner)
    messages = exc.value.messages
    assert "Le territoire d'action doit compter au moins une commune." in messages
    assert "Présentez l'équipe projet et sa composition." in messages
    assert not any("besoins" in m for m in messages)
    letter.refresh_from_db()
    assert letter.status == LetterStatus.DRAFT and letter.needs == "Déjà écrit"
    assert not DossierVersion.objects.exists() and not log(letter)


def test_a_second_submission_of_the_same_version_creates_nothing(letter, owner, circuit):
    stale = IntentionLetter.objects.get(pk=letter.pk)  # the second click's copy, loaded before the first
    letter_submit(letter=letter, by=owner)
    with pytest.raises(TransitionNotAllowed):
        letter_submit(letter=stale, by=owner)
    assert DossierVersion.objects.filter(intention_letter=letter).count() == 1
    assert len(log(letter)) == 1


def test_transmission_waits_for_the_consolidated_opinion_and_the_urps_until_the_delay(letter, owner, circuit):
    with time_machine.travel(dt.datetime(2024, 3, 1, 10, tzinfo=dt.UTC), tick=False):
        letter_submit(letter=letter, by=owner)
        letter_open_review(letter=letter, by=circuit.desk_user)
        opinion_give(
            letter=letter, by=circuit.reviewer_users[0], overall="favorable", comment="", answers=answers_for(letter)
        )
        with pytest.raises(ValidationError) as exc:
            letter_transmit(letter=letter, by=circuit.desk_user, comment="Motif")
        assert any("avis consolidé" in m for m in exc.value.messages)
        consolidate(letter, circuit)
        # Within the delay, the desk goes on only by stating why.
        with pytest.raises(ValidationError) as exc:
            letter_transmit(letter=letter, by=circuit.desk_user)
        assert any("indiquez pourquoi" in m and "22 mars 2024" in m for m in exc.value.messages)
        assert letter.status == LetterStatus.UNDER_REVIEW and len(log(letter)) == 2
    with time_machine.travel(dt.datetime(2024, 3, 23, 10, tzinfo=dt.UTC), tick=False):
        letter_transmit(letter=letter, by=circuit.desk_user)  # the late URPS no longer hold the letter back
    assert letter.status == LetterStatus.TRANSMITTED
    row = log(letter)[-1]
    assert row.details == {"missing_opinions": sorted(o.name for o in circuit.reviewers[1:]), "delay_passed": True}


def test_a_stated_motive_lets_the_desk_transmit_before_the_delay(letter, owner, circuit):
    letter_submit(letter=letter, by=owner)
    letter_open_review(letter=letter, by=circuit.desk_user)
    consolidate(letter, circuit)
    letter_transmit(letter=letter, by=circuit.desk_user, comment="Commission de l'ARS jeudi.")
    row = log(letter)[-1]
    assert row.comment == "Commission de l'ARS jeudi." and row.details["delay_passed"] is False
    assert len(row.details["missing_opinions"]) == 3
    event = Event.objects.get(type=EventType.LETTER_TRANSMITTED)
    assert event.payload["missing_opinions"] == row.details["missing_opinions"]


def test_an_agent_prepares_and_a_decider_signs_both_in_the_log(letter, owner, circuit):
    from projects.models import PreparedDecision
    from projects.workflows.letter_services import letter_prepare_decision

    to_transmitted(letter, owner, circuit)
    with pytest.raises(PermissionDenied):
        validate(letter, circuit.ars_agent)
    with pytest.raises(PermissionDenied):  # the desk does not prepare the ARS's decision
        letter_prepare_decision(letter=letter, by=circuit.desk_user, outcome="validated", motive="x")
    with pytest.raises(ValidationError):
        letter_prepare_decision(letter=letter, by=circuit.ars_agent, outcome="validated", motive=" ")
    letter_prepare_decision(
        letter=letter, by=circuit.ars_agent, outcome="refused", motive="Territoire incohérent", commitment_months=9
    )
    prepared = letter_prepare_decision(
        letter=letter, by=circuit.ars_agent, outcome="validated", motive="Projet cohérent", fir_amount=Decimal("50000")
    )
    assert PreparedDecision.objects.get() == prepared and prepared.outcome == "validated"
    assert letter.status == LetterStatus.TRANSMITTED
    decision = validate(letter, circuit.ars_decider)
    assert decision.prepared_by == circuit.ars_agent and decision.decided_by == circuit.ars_decider
    assert [r.transition for r in log(letter)][-4:] == ["transmit", "prepare_decision", "prepare_decision", "validate"]
    assert [r.target for r in log(letter)][-3:-1] == [LetterStatus.TRANSMITTED, LetterStatus.TRANSMITTED]
    assert log(letter)[-1].details == {"prepared_by": circuit.ars_agent.get_full_name(), "amended": False}


def test_late_opinions_are_reminded_once_to_their_organisation(letter, owner, circuit):
    with time_machine.travel(dt.datetime(2024, 3, 1, 10, tzinfo=dt.UTC), tick=False):
        letter_submit(letter=letter, by=owner)
        letter_open_review(letter=letter, by=circuit.desk_user)
        give_all_opinions(
            letter, circuit.__class__(**{**circuit.__dict__, "reviewer_users": circuit.reviewer_users[:2]})
        )
        assert expected_opinion_remind_late() == 0
    with time_machine.travel(dt.datetime(2024, 3, 22, 11, tzinfo=dt.UTC), tick=False):
        assert expected_opinion_remind_late() == 1
        assert expected_opinion_remind_late() == 0  # a rerun sends nothing
    event = Event.objects.get(type=EventType.OPINION_LATE)
    recipients = set(Notification.objects.filter(event=event, channel="portal").values_list("recipient", flat=True))
    assert recipients == {circuit.reviewer_users[2].pk, circuit.desk_user.pk}


def test_the_accompaniment_deadline_alerts_before_it_passes_then_once_passed(letter, owner, circuit):
    with time_machine.travel(dt.datetime(2024, 3, 15, 10, tzinfo=dt.UTC), tick=False):
        to_transmitted(letter, owner, circuit)
        validate(letter, circuit.ars_decider, on=dt.date(2024, 3, 15))
        assert deadline_process_due() == 0
    with time_machine.travel(dt.datetime(2024, 11, 16, 10, tzinfo=dt.UTC), tick=False):
        assert deadline_process_due() == 1  # 30 days before 15 December
        assert deadline_process_due() == 0
    with time_machine.travel(dt.datetime(2024, 12, 16, 10, tzinfo=dt.UTC), tick=False):
        assert deadline_process_due() == 1
    types = list(Event.objects.filter(type__startswith="deadline").values_list("type", flat=True))
    assert sorted(types) == ["deadline_approaching", "deadline_passed"]
    assert Notification.objects.filter(event__type="deadline_passed", recipient=owner).exists()


def test_transitions_notify_who_acts_next_and_the_coordinator(
    letter, owner, circuit, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        letter_submit(letter=letter, by=owner)
    submitted = Event.objects.get(type=EventType.LETTER_SUBMITTED)
    assert set(submitted.notifications.values_list("recipient", flat=True)) == {circuit.desk_user.pk}
    with django_capture_on_commit_callbacks(execute=True):
        letter_open_review(letter=letter, by=circuit.desk_user)
    opened = Event.objects.get(type=EventType.LETTER_REVIEW_OPENED)
    # The reviewers are asked for their opinion; the CPTS is told by its own "prise en charge" event (point 5).
    assert set(opened.notifications.filter(channel="portal").values_list("recipient", flat=True)) == {
        u.pk for u in circuit.reviewer_users
    }
    taken_in = Event.objects.get(type=EventType.LETTER_TAKEN_IN)
    assert owner.pk in set(taken_in.notifications.values_list("recipient", flat=True))
    assert any("Votre avis est demandé" in m.body for m in mailoutbox)
    message = next(m for m in mailoutbox if m.to == [circuit.reviewer_users[0].email])
    assert "http" in message.body and f"/dossiers/lettres/{letter.pk}/" in message.body
    assert message.alternatives and "<html" in message.alternatives[0][0]
    assert opened.notifications.filter(channel="email", status="sent").count() == len(circuit.reviewer_users)
