"""Complement requests as people meet them: the reviewer picks the fields concerned and sees their current value
beside each comment box; the dossier page names each field by its French label (issue 12, points 2 and 16)."""

import html

import pytest
from django.core.management import call_command
from django.urls import reverse

from projects.models import ComplementRequest
from projects.workflows import letter_open_review, letter_request_complements, letter_submit

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture(autouse=True)
def scales(db):
    call_command("loaddata", "funding_scales", verbosity=0)


@pytest.fixture
def under_review(letter, owner, circuit):
    letter_submit(letter=letter, by=owner)
    letter_open_review(letter=letter, by=circuit.desk_user)
    return letter


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
