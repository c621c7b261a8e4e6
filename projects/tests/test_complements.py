"""Complement requests as people meet them: the reviewer picks the fields concerned and sees their current value
beside each comment box; the dossier page names each field by its French label (issue 12, points 2 and 16)."""

import html

import pytest
from django.core.management import call_command
from django.urls import reverse

from projects.calculations import REQUESTABLE_LETTER_FIELDS
from projects.choices import LetterStatus
from projects.models import ComplementRequest
from projects.workflows.letter_services import letter_request_complements

from .factories import VALID_SIRET

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture(autouse=True)
def scales(db):
    call_command("loaddata", "funding_scales", verbosity=0)


def test_the_dossier_page_names_each_commented_field_by_its_french_label(client, under_review, owner, circuit):
    letter_request_complements(
        letter=under_review,
        by=circuit.desk_user,
        reason="incomplete",
        message="Merci de préciser.",
        field_comments={
            "needs": "Chiffres de 2015 : à actualiser.",
            "professionals.professions": "Les kinés manquent.",
            "subsidy.amount": "Montant à justifier.",
        },
    )
    for user in (owner, circuit.desk_user, circuit.reviewer_users[1]):
        client.force_login(user)
        page = text(client.get(reverse("projects:letter_detail", args=[under_review.pk])))
        request_block = page[page.index("Compléments demandés par") :]
        request_block = request_block[: request_block.index("</section>")]
        assert "Besoins identifiés sur le territoire</strong> : Chiffres de 2015 : à actualiser." in request_block
        assert "Professionnels mobilisés par profession</strong> : Les kinés manquent." in request_block
        assert "Montant de subvention demandé</strong> : Montant à justifier." in request_block
        for key in ("needs :", "professionals.professions", "subsidy.amount"):
            assert key not in request_block, (user, key)
    assert ComplementRequest.objects.get().field_comments.count() == 3


def complements_url(letter):
    return reverse("projects:letter_complements", args=[letter.pk])


def test_the_reviewer_picks_fields_and_sees_their_current_value_beside_the_comment_box(client, under_review, circuit):
    client.force_login(circuit.desk_user)
    page = text(client.get(complements_url(under_review)))
    # One checkbox per field of the letter, grouped as the letter reads, and no comment box shown before a pick.
    assert page.count('name="fields_concerned"') == len(REQUESTABLE_LETTER_FIELDS)  # not the computed taille
    assert "Structure porteuse" in page and "Demande de subvention" in page
    siret = page[page.index('id="cf-carrying_structuresiret"') :]
    siret = siret[: siret.index('id="cf-carrying_structureaddress"')]
    assert "SIRET de la structure porteuse" in siret
    assert "Valeur actuelle (version 1)" in siret and VALID_SIRET in siret
    assert 'name="comment__carrying_structure.siret"' in siret
    needs = page[page.index('id="cf-needs"') :][:3000]
    assert "Accès difficile à un médecin traitant pour 12 % des patients en ALD." in needs
    # The comment boxes are revealed by the checkbox through the stylesheet: no script, no inline style.
    assert "<script>" not in page and 'style="' not in page and "css/projects.css" in page


def test_the_request_needs_a_field_and_a_comment_for_each_picked_field_and_keeps_what_was_typed(
    client, under_review, circuit
):
    client.force_login(circuit.desk_user)
    nothing_picked = client.post(complements_url(under_review), {"reason": "incomplete", "message": "À compléter"})
    assert nothing_picked.status_code == 200
    assert "Cochez au moins un champ concerné par la demande." in text(nothing_picked)

    response = client.post(
        complements_url(under_review),
        {
            "reason": "incomplete",
            "message": "Merci de compléter.",
            "fields_concerned": ["needs", "subsidy.amount"],
            "comment__needs": "Chiffres de 2015 : à actualiser.",
            "comment__subsidy.amount": "",
            "comment__team": "Tapé puis décoché : gardé à l'écran, pas envoyé.",
        },
    )
    page = text(response)
    assert response.status_code == 200
    assert "La demande n'est pas envoyée" in page
    assert "Indiquez ce qui est attendu pour « Montant de subvention demandé », ou décochez ce champ." in page
    assert "Chiffres de 2015 : à actualiser." in page and "Merci de compléter." in page  # nothing lost
    assert "Tapé puis décoché : gardé à l'écran, pas envoyé." in page
    assert page.count("checked") >= 2 and 'value="needs" id="id_fields_concerned_8" checked' in page
    under_review.refresh_from_db()
    assert under_review.status == LetterStatus.UNDER_REVIEW and not ComplementRequest.objects.exists()

    sent = client.post(
        complements_url(under_review),
        {
            "reason": "incomplete",
            "message": "Merci de compléter.",
            "fields_concerned": ["needs", "subsidy.amount"],
            "comment__needs": "Chiffres de 2015 : à actualiser.",
            "comment__subsidy.amount": "Montant à justifier.",
            "comment__team": "Tapé puis décoché : gardé à l'écran, pas envoyé.",
        },
    )
    assert sent.status_code == 302
    request = ComplementRequest.objects.get()
    assert dict(request.field_comments.values_list("field_path", "comment")) == {
        "needs": "Chiffres de 2015 : à actualiser.",
        "subsidy.amount": "Montant à justifier.",
    }
    under_review.refresh_from_db()
    assert under_review.status == LetterStatus.COMPLEMENTS_REQUESTED
