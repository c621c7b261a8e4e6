"""Every view with the personas: the coordinator (owner), an URPS reviewer of the region (colleague), a reviewer
of another region and an outsider; wrong HTTP methods; bad input; the dossier page's query count."""

import html

import pytest
from django.core.management import call_command
from django.urls import reverse

from projects.choices import LetterStatus
from projects.models import DossierVersion, IntentionLetter, PrivateNote, StatusTransition
from projects.services import message_post, opinion_give
from projects.workflows.letter_services import letter_open_review, letter_request_complements, letter_submit

from .walk import answers_for, consolidate, give_all_opinions, to_transmitted

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture(autouse=True)
def scales(db):
    call_command("loaddata", "funding_scales", verbosity=0)


@pytest.fixture
def personas(owner, colleague, foreign_reviewer, outsider):
    return {"owner": owner, "colleague": colleague, "foreign": foreign_reviewer, "outsider": outsider}


def status_of(client, user, method, url, data=None):
    client.force_login(user)
    response = getattr(client, method)(url, data or {})
    client.logout()
    return response.status_code


# (url name, extra args, method, expected status per persona) on a letter under review.
UNDER_REVIEW_MATRIX = [
    ("letter_detail", [], "get", {"owner": 200, "colleague": 200, "foreign": 403, "outsider": 403}),
    ("letter_edit", [], "get", {"owner": 403, "colleague": 403, "foreign": 403, "outsider": 403}),
    ("letter_opinion", [], "get", {"owner": 403, "colleague": 200, "foreign": 403, "outsider": 403}),
    ("letter_complements", [], "get", {"owner": 403, "colleague": 403, "foreign": 403, "outsider": 403}),
    ("letter_decision", [], "get", {"owner": 403, "colleague": 403, "foreign": 403, "outsider": 403}),
    ("letter_identity_sheet", [], "get", {"owner": 403, "colleague": 403, "foreign": 403, "outsider": 403}),
    ("version_preview", [1], "get", {"owner": 200, "colleague": 200, "foreign": 403, "outsider": 403}),
    ("letter_transmit", [], "post", {"owner": 403, "colleague": 403, "foreign": 403, "outsider": 403}),
    ("letter_withdraw", [], "post", {"owner": 302, "colleague": 403, "foreign": 403, "outsider": 403}),
    ("letter_open_review", [], "post", {"owner": 403, "colleague": 403, "foreign": 403, "outsider": 403}),
    ("letter_message", [], "post", {"owner": 302, "colleague": 302, "foreign": 403, "outsider": 403}),
    ("letter_note", [], "post", {"owner": 403, "colleague": 302, "foreign": 403, "outsider": 403}),
]


@pytest.mark.parametrize("name,args,method,expected", UNDER_REVIEW_MATRIX, ids=[m[0] for m in UNDER_REVIEW_MATRIX])
def test_views_on_a_letter_under_review(client, under_review, personas, name, args, method, expected):
    url = reverse(f"projects:{name}", args=[under_review.pk, *args])
    data = {"body": "Bonjour", "comment": ""}
    got = {persona: status_of(client, user, method, url, data) for persona, user in personas.items()}
    # letter_open_review by the owner: the POST is accepted but refused in a message (wrong status), never applied.
    assert got == expected
    under_review.refresh_from_db()
    assert under_review.status in (LetterStatus.UNDER_REVIEW, LetterStatus.ABANDONED)


@pytest.mark.parametrize(
    "name,args,method",
    [
        ("letter_detail", [], "post"),
        ("letter_detail", [], "delete"),
        ("letter_edit", [], "put"),
        ("letter_submit", [], "get"),
        ("letter_transmit", [], "get"),
        ("letter_withdraw", [], "get"),
        ("letter_message", [], "get"),
        ("letter_note", [], "get"),
        ("letter_opinion", [], "put"),
        ("letter_decision", [], "delete"),
        ("version_diff", [1], "post"),
        ("version_preview", [1], "post"),
    ],
)
def test_wrong_http_methods_are_refused(client, under_review, owner, name, args, method):
    client.force_login(owner)
    response = getattr(client, method)(reverse(f"projects:{name}", args=[under_review.pk, *args]))
    assert response.status_code == 405


def test_anonymous_people_are_sent_to_the_login_page(client, under_review):
    response = client.get(reverse("projects:letter_detail", args=[under_review.pk]))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_draft_is_seen_and_edited_only_by_its_cpts(client, letter, owner, colleague, outsider, foreign_reviewer):
    for user, code in [(owner, 200), (colleague, 403), (outsider, 403), (foreign_reviewer, 403)]:
        assert status_of(client, user, "get", reverse("projects:letter_detail", args=[letter.pk])) == code
        assert status_of(client, user, "get", reverse("projects:letter_edit", args=[letter.pk])) == code
    client.force_login(colleague)
    refused = client.get(reverse("projects:letter_detail", args=[letter.pk]))
    assert "ne relève pas de vos organisations" in text(refused) and letter.needs not in text(refused)


def test_the_letter_form_shows_the_taille_of_its_population(client, letter, owner, scales):
    """Issue 15 point 6: the taille as the scale in force counts the territory's population, beside it."""
    client.force_login(owner)
    page = " ".join(text(client.get(reverse("projects:letter_edit", args=[letter.pk]))).split())
    assert "14 700 habitants, soit une CPTS de taille 1 selon le barème en vigueur" in page


def test_the_list_shows_each_person_their_letters_with_the_opinion_counter(
    client, under_review, owner, colleague, outsider, circuit
):
    opinion_give(letter=under_review, by=colleague, overall="favorable", comment="", answers=answers_for(under_review))
    client.force_login(circuit.desk_user)
    page = text(client.get(reverse("projects:letter_list")))
    assert under_review.cpts.name in page and "avis reçus 1/3" in page and "URPS infirmiers" in page
    client.force_login(outsider)
    assert under_review.cpts.name not in text(client.get(reverse("projects:letter_list")))


def test_a_coordinator_starts_the_letter_of_their_cpts_only(client, cpts, owner, outsider, circuit):
    client.force_login(outsider)
    assert client.post(reverse("projects:letter_start", args=[cpts.pk])).status_code == 403
    assert client.get(reverse("projects:letter_start", args=[cpts.pk])).status_code == 405
    client.force_login(owner)
    response = client.post(reverse("projects:letter_start", args=[cpts.pk]))
    letter = IntentionLetter.objects.get(cpts=cpts)
    assert response["Location"] == reverse("projects:letter_edit", args=[letter.pk])
    assert letter.status == LetterStatus.DRAFT and letter.carrying_structure.stage == "letter"
    assert client.post(reverse("projects:letter_start", args=[cpts.pk])).status_code == 403  # one open letter


def _edit_data(letter, **changes):
    data = {
        "pilot_name": letter.pilot_name,
        "contact_email": letter.contact_email,
        "needs": letter.needs,
        "structure-legal_form": "prefiguration",
        "structure-name": "Association",
        "structure-siret": "73282932000074",
        "team-TOTAL_FORMS": "0",
        "team-INITIAL_FORMS": "0",
        "professions-TOTAL_FORMS": "0",
        "professions-INITIAL_FORMS": "0",
        "action": "save",
    }
    data.update(changes)
    return data


def test_a_draft_saves_with_partial_content(client, cpts, owner, circuit):
    letter = IntentionLetter.objects.create(cpts=cpts)
    client.force_login(owner)
    response = client.post(
        reverse("projects:letter_edit", args=[letter.pk]),
        _edit_data(letter, needs="Premiers constats", **{"structure-siret": ""}),
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.needs == "Premiers constats" and letter.status == LetterStatus.DRAFT
    page = text(client.get(reverse("projects:letter_edit", args=[letter.pk])))
    assert "Complétude" in page
    assert 'href="#territoire">Le territoire d\'action doit compter au moins une commune.' in page
    assert 'href="#id_objectives"' in page and 'id="id_objectives"' in page


def test_an_invalid_siret_is_refused_next_to_its_field(client, cpts, owner, circuit):
    letter = IntentionLetter.objects.create(cpts=cpts)
    client.force_login(owner)
    response = client.post(
        reverse("projects:letter_edit", args=[letter.pk]),
        _edit_data(letter, needs="Texte gardé", **{"structure-siret": "73282932000075"}),
    )
    page = text(response)
    assert response.status_code == 200
    assert "Ce numéro SIRET n'est pas valide" in page
    siret_block = page[page.index('id="f-siret"') :]
    siret_block = siret_block[: siret_block.index('class="letter-field"')]
    assert "Ce numéro SIRET n'est pas valide" in siret_block
    assert "Texte gardé" in page  # what was typed is kept in the form


def test_submitting_an_incomplete_letter_lists_what_is_missing_and_keeps_everything(client, cpts, owner, circuit):
    letter = IntentionLetter.objects.create(cpts=cpts)
    client.force_login(owner)
    response = client.post(
        reverse("projects:letter_edit", args=[letter.pk]),
        _edit_data(letter, needs="Besoins déjà décrits", objectives="Objectifs écrits", action="submit"),
    )
    page = text(response)
    assert response.status_code == 200
    assert "La lettre n'a pas été déposée" in page
    assert "Le territoire d'action doit compter au moins une commune." in page
    assert "Besoins déjà décrits" in page and "Objectifs écrits" in page
    letter.refresh_from_db()
    assert letter.status == LetterStatus.DRAFT and letter.objectives == "Objectifs écrits"
    assert not DossierVersion.objects.exists()


def test_a_double_click_on_submit_creates_one_version(client, letter, owner):
    client.force_login(owner)
    url = reverse("projects:letter_submit", args=[letter.pk])
    first, second = client.post(url, {"confirm": "on"}), client.post(url, {"confirm": "on"}, follow=True)
    assert first.status_code == 302
    assert "n'est pas possible" in text(second)
    assert DossierVersion.objects.filter(intention_letter=letter).count() == 1
    assert StatusTransition.objects.filter(intention_letter=letter).count() == 1


def test_complement_comments_show_beside_their_fields(client, under_review, owner, circuit):
    client.force_login(circuit.desk_user)
    response = client.post(
        reverse("projects:letter_complements", args=[under_review.pk]),
        {
            "reason": "incorrect",
            "message": "Revoir le territoire",
            "fields_concerned": ["needs"],
            "comment__needs": "Chiffres de 2015 : à actualiser",
        },
    )
    assert response.status_code == 302
    under_review.refresh_from_db()
    assert under_review.status == LetterStatus.COMPLEMENTS_REQUESTED
    client.force_login(owner)
    page = text(client.get(reverse("projects:letter_edit", args=[under_review.pk])))
    needs_block = page[page.index('id="f-needs"') :][:3000]
    assert "Remarque du relecteur" in needs_block and "Chiffres de 2015 : à actualiser" in needs_block
    assert "Revoir le territoire" in page and "(incorrect)" in page


def test_an_urps_gives_its_opinion_on_the_three_criteria(client, under_review, colleague, grids):
    client.force_login(colleague)
    page = text(client.get(reverse("projects:letter_opinion", args=[under_review.pk])))
    for label in ["Conformité des objectifs", "Mobilisation des acteurs de santé", "Identification du territoire"]:
        assert label in page
    criteria = list(
        under_review.regional_settings
        and __import__("projects.selectors").selectors.letter_grid(under_review).criteria.all()
    )
    incomplete = {"overall": "favorable"}
    response = client.post(reverse("projects:letter_opinion", args=[under_review.pk]), incomplete)
    assert response.status_code == 200 and "Ce champ est obligatoire" in text(response)
    data = {"overall": "reserved", "comment": "Représentation à élargir"}
    for c in criteria:
        data[f"c{c.pk}_assessment"] = "favorable"
        data[f"c{c.pk}_comment"] = f"Sur {c.code}"
    assert client.post(reverse("projects:letter_opinion", args=[under_review.pk]), data).status_code == 302
    detail = text(client.get(reverse("projects:letter_detail", args=[under_review.pk])))
    assert "avis reçus 1/3" in detail and "Représentation à élargir" in detail and "Sur mobilisation" in detail
    assert client.get(reverse("projects:letter_opinion", args=[under_review.pk])).status_code == 403  # given


def test_private_notes_stay_inside_the_reviewing_organisation(client, under_review, colleague, owner, circuit):
    client.force_login(colleague)
    client.post(reverse("projects:letter_note", args=[under_review.pk]), {"body": "Note réservée URPS"})
    assert PrivateNote.objects.get().organisation.name == "URPS Médecins Occitanie"
    assert "Note réservée URPS" in text(client.get(reverse("projects:letter_detail", args=[under_review.pk])))
    for user in (owner, circuit.desk_user, circuit.reviewer_users[1]):
        client.force_login(user)
        assert "Note réservée URPS" not in text(client.get(reverse("projects:letter_detail", args=[under_review.pk])))


def test_the_message_thread_is_shared_between_the_cpts_and_its_reviewers(client, under_review, owner, circuit):
    client.force_login(owner)
    client.post(reverse("projects:letter_message", args=[under_review.pk]), {"body": "Question au guichet"})
    client.force_login(circuit.desk_user)
    assert "Question au guichet" in text(client.get(reverse("projects:letter_detail", args=[under_review.pk])))
    assert client.post(reverse("projects:letter_message", args=[under_review.pk]), {"body": "  "}).status_code == 302


def test_the_ars_decides_with_prefilled_fir_and_sees_the_opinions(client, letter, owner, circuit):
    to_transmitted(letter, owner, circuit)
    client.force_login(circuit.ars_decider)  # a decider signs; an agent prepares (test_review_and_decision_views)
    form_page = client.get(reverse("projects:letter_decision", args=[letter.pk]))
    page = text(form_page)
    assert form_page.status_code == 200
    assert 'value="50000' in page and "Avis consolidé" in page and "avis reçus 3/3" in page
    bad = client.post(reverse("projects:letter_decision", args=[letter.pk]), {"outcome": "validated"})
    assert bad.status_code == 200 and "Ce champ est obligatoire" in text(bad)
    response = client.post(
        reverse("projects:letter_decision", args=[letter.pk]),
        {
            "outcome": "validated",
            "motive": "Projet solide",
            "decided_on": "2024-03-15",
            "fir_amount": "50000",
            "fir_instalments": "2",
            "fir_period_months": "6",
            "accompaniment_amount": "15000",
            "commitment_months": "9",
        },
    )
    assert response.status_code == 302
    client.force_login(owner)
    detail = text(client.get(reverse("projects:letter_detail", args=[letter.pk])))
    assert "Décision : lettre validée le 15 mars 2024" in detail
    assert "15 décembre 2024" in detail and "25\u202f000,00 €" in detail and "15 septembre 2024" in detail


def test_version_diff_lists_the_changed_fields(client, under_review, owner, circuit):
    letter_request_complements(letter=under_review, by=circuit.desk_user, reason="incomplete", message="x")
    IntentionLetter.objects.filter(pk=under_review.pk).update(needs="Besoins actualisés en 2024")
    under_review.refresh_from_db()
    letter_submit(letter=under_review, by=owner)
    client.force_login(circuit.reviewer_users[0])
    page = text(client.get(reverse("projects:version_diff", args=[under_review.pk, 2])))
    assert "Besoins identifiés sur le territoire" in page and "Besoins actualisés en 2024" in page
    assert "Description succincte du projet" not in page
    assert client.get(reverse("projects:version_diff", args=[under_review.pk, 1])).status_code == 404


def test_the_home_page_lists_what_awaits_each_person(client, under_review, owner, colleague, circuit):
    client.force_login(colleague)
    page = text(client.get(reverse("accounts:home")))
    assert "Dossiers en attente de votre avis" in page
    assert under_review.cpts.name in page and "Rendre l'avis de votre organisation" in page
    client.force_login(circuit.desk_user)
    assert "avis reçus 0/3" in text(client.get(reverse("accounts:home")))
    give_all_opinions(under_review, circuit)
    consolidate(under_review, circuit)
    client.force_login(circuit.ars_decider)
    assert under_review.cpts.name not in text(client.get(reverse("accounts:home")))


def test_notifications_are_listed_and_marked_read(client, under_review, owner, colleague):
    client.force_login(colleague)
    page = text(client.get(reverse("projects:notification_list")))
    assert "Votre avis est demandé sur la lettre d'intention de CPTS du Lauragais" in page and "Nouveau" in page
    assert client.get(reverse("projects:notification_read")).status_code == 405
    client.post(reverse("projects:notification_read"))
    assert "Nouveau" not in text(client.get(reverse("projects:notification_list")))


def _grow(letter, owner, circuit, rounds):
    """Add versions, opinions, transitions and messages: ``rounds`` complete review rounds."""
    for n in range(rounds):
        if letter.status != LetterStatus.DRAFT:
            letter_request_complements(letter=letter, by=circuit.desk_user, reason="incomplete", message=f"Round {n}")
            IntentionLetter.objects.filter(pk=letter.pk).update(needs=f"Besoins v{n}")
            letter.refresh_from_db()
        letter_submit(letter=letter, by=owner)
        letter_open_review(letter=letter, by=circuit.desk_user)
        give_all_opinions(letter, circuit)
        message_post(letter=letter, by=owner, body=f"Message {n}")


def _page_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    # Session bookkeeping of the accounts middleware may add a savepoint pair now and then: not the page's cost.
    return len(
        [q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"] and "django_session" not in q["sql"]]
    )


@pytest.mark.parametrize("persona", ["desk", "owner", "ars"])
def test_the_dossier_page_costs_the_same_queries_whatever_its_history(
    client, letter, owner, circuit, django_assert_max_num_queries, persona
):
    user = {"desk": circuit.desk_user, "owner": owner, "ars": circuit.ars_agent}[persona]
    _grow(letter, owner, circuit, rounds=2)  # 2 versions, 6 opinions, 1 complement request, 5 transitions
    client.force_login(user)
    url = reverse("projects:letter_detail", args=[letter.pk])
    client.get(url)
    small = _page_queries(client, url)
    _grow(letter, owner, circuit, rounds=4)  # 6 versions, 18 opinions, 5 complement requests, 21 transitions
    assert _page_queries(client, url) == small
    with django_assert_max_num_queries(small + 4):  # + the session bookkeeping (select, savepoint, update, release)
        response = client.get(url)
    assert "version 6" in text(response)
    assert small <= 40, small


def test_the_navigation_counts_unread_notifications(client, cpts, owner):
    from django.utils import timezone

    from projects.models import Event, Notification

    from .factories import complete_letter

    letter = complete_letter(cpts)
    event = Event.objects.create(dossier=letter, type="submitted", actor=owner, created_at=timezone.now())
    Notification.objects.create(event=event, recipient=owner, channel="portal")
    client.force_login(owner)
    page = html.unescape(client.get(reverse("accounts:home")).content.decode())
    assert 'Notifications <span class="badge text-bg-light">1<span class="visually-hidden"> non lue</span>' in page
