"""Who is told what, through the real services: each notification reaches only the audience it was written for,
once (issue 12, point 5: the coordinator was asked "Votre avis est demandé…" on its own letter)."""

import html
from collections import Counter

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.choices import Role
from projects.choices import Channel, EventType
from projects.models import Notification
from projects.notifications import EVENT_MESSAGES, RECIPIENTS, event_message
from projects.workflows.engine import definitions
from projects.workflows.letter_services import letter_open_review, letter_submit

from .factories import user_in
from .walk import consolidate, give_all_opinions

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def scales(db):
    call_command("loaddata", "funding_scales", verbosity=0)


def portal_rows(event_type):
    return Notification.objects.filter(event__type=event_type, channel=Channel.PORTAL).select_related("recipient")


def test_one_submission_asks_each_reviewer_once_and_never_the_cpts(client, letter, owner, circuit):
    member = user_in(letter.cpts, Role.MEMBER)
    second_reviewer = user_in(circuit.reviewers[1], Role.REVIEWER)  # two people in one URPS: both are asked

    letter_submit(letter=letter, by=owner)
    letter_open_review(letter=letter, by=circuit.desk_user)

    asked = Counter(n.recipient for n in portal_rows(EventType.LETTER_REVIEW_OPENED))
    assert asked == Counter({user: 1 for user in [*circuit.reviewer_users, second_reviewer]})
    assert owner not in asked and member not in asked and circuit.desk_user not in asked
    # The CPTS learns its letter is taken in, in words written for it.
    told = Counter(n.recipient for n in portal_rows(EventType.LETTER_TAKEN_IN))
    assert told == Counter({owner: 1, member: 1})

    client.force_login(owner)
    page = html.unescape(client.get(reverse("projects:notification_list")).content.decode())
    assert "Votre avis est demandé" not in page
    assert "Guichet CPTS a pris en charge la lettre d'intention de CPTS du Lauragais (version 1)" in page
    client.force_login(circuit.reviewer_users[0])
    page = html.unescape(client.get(reverse("projects:notification_list")).content.decode())
    assert page.count("Votre avis est demandé sur la lettre d'intention de CPTS du Lauragais") == 1


def test_the_e_mails_of_one_submission_ask_each_reviewer_once_and_not_the_coordinator(
    letter, owner, circuit, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        letter_submit(letter=letter, by=owner)
    with django_capture_on_commit_callbacks(execute=True):
        letter_open_review(letter=letter, by=circuit.desk_user)
    asked = Counter(address for m in mailoutbox if "Votre avis est demandé" in m.body for address in m.to)
    assert asked == Counter({user.email: 1 for user in circuit.reviewer_users})
    to_owner = [m for m in mailoutbox if owner.email in m.to]
    assert [m.subject for m in to_owner] == ["[Portail CPTS] Lettre d'intention prise en charge – CPTS du Lauragais"]
    assert "Votre avis" not in to_owner[0].body
    assert "Guichet CPTS a pris en charge la lettre d'intention de CPTS du Lauragais" in to_owner[0].body
    assert "&#x27;" not in to_owner[0].subject + to_owner[0].body  # plain text is not HTML-escaped


def test_the_whole_review_notifies_nobody_twice_on_one_channel(letter, owner, circuit):
    letter_submit(letter=letter, by=owner)
    letter_open_review(letter=letter, by=circuit.desk_user)
    give_all_opinions(letter, circuit)
    consolidate(letter, circuit)
    rows = Counter(Notification.objects.values_list("event_id", "recipient_id", "channel"))
    assert rows and max(rows.values()) == 1
    # The coordinator's portal notifications, in order: none of them asks for an opinion.
    messages = [
        event_message(n.event, letter)
        for n in Notification.objects.filter(recipient=owner, channel=Channel.PORTAL).select_related("event")
    ]
    assert messages and not any("Votre avis" in m for m in messages)


def test_messages_addressed_to_you_go_to_a_single_audience():
    """A message that speaks to its reader ("Votre avis…") is written for one part only."""
    for definition in definitions():
        messages = {**EVENT_MESSAGES, **definition.messages}
        recipients = {**RECIPIENTS, **definition.recipients}
        for event_type, message in messages.items():
            if "Votre" in message or "votre" in message:
                assert len(recipients[event_type]) == 1, event_type
