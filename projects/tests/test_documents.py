"""PDF of a version: rendered by the task from the preview's template, stored with its SHA-256, served as is."""

import datetime as dt
import hashlib
import html
import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from projects.choices import DocumentKind, RenderStatus
from projects.models import IdentitySheet, OrientationOption, RenderedDocument
from projects.services import document_request
from projects.workflows.engine import current_version
from projects.workflows.letter_services import letter_submit

from .walk import to_transmitted, validate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def scales(db):
    call_command("loaddata", "funding_scales", verbosity=0)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text.replace("-\n", "-"))


def test_the_decision_pdf_holds_the_cpts_communes_opinions_and_decision(
    client, letter, owner, circuit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        to_transmitted(letter, owner, circuit)
        validate(letter, circuit.ars_decider, on=dt.date(2024, 3, 15))
    version = current_version(letter)
    documents = {d.kind: d for d in RenderedDocument.objects.filter(version=version)}
    assert set(documents) == {DocumentKind.LETTER, DocumentKind.LETTER_DECISION}
    document = documents[DocumentKind.LETTER_DECISION]
    assert document.status == RenderStatus.READY
    stored = document.file.open("rb").read()
    assert hashlib.sha256(stored).hexdigest() == document.sha256 and document.size == len(stored)

    reader = PdfReader(io.BytesIO(stored))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = pdf_text(stored)
    for expected in [
        "CPTS du Lauragais",
        "lettre d'intention, version 1",
        "Villefranche-de-Lauragais",
        "Revel",
        "Page 1 /",
        "validée le 15 mars 2024",
        "Avis consolidé",
        "Conformité des objectifs",
        "15 décembre 2024",
        # Issue 15 point 6: the letter shows its taille, as the scale in force counts its population.
        "14 700 habitants, soit une CPTS de taille 1 selon le barème en vigueur",
    ]:
        assert expected in text, expected

    client.force_login(owner)
    response = client.get(reverse("projects:document_download", args=[letter.pk, document.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == stored
    assert response["X-Content-SHA256"] == document.sha256
    # Issue 12 point 10: the file name is French ("…-v1-letter_decision.pdf" before).
    assert 'filename="decision-lettre-intention-cpts-du-lauragais-v1.pdf"' in response["Content-Disposition"]
    assert "lettre-intention-" in document.file.name and "letter" not in document.file.name.rsplit("/", 1)[-1]


def test_the_pdf_is_rendered_once_and_the_download_is_refused_to_others(
    client, letter, owner, outsider, colleague, circuit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        version = letter_submit(letter=letter, by=owner)
    document = RenderedDocument.objects.get(version=version, kind=DocumentKind.LETTER)
    digest = document.sha256
    with django_capture_on_commit_callbacks(execute=True):
        document_request(version=version, kind=DocumentKind.LETTER)
    document.refresh_from_db()
    assert document.sha256 == digest
    url = reverse("projects:document_download", args=[letter.pk, document.pk])
    client.force_login(outsider)
    assert client.get(url).status_code == 403
    client.force_login(colleague)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 405


def test_a_document_whose_file_vanished_is_rendered_again_with_a_french_message_not_a_500(
    client, letter, owner, circuit, django_capture_on_commit_callbacks
):
    """Issue 12: a READY document whose file is missing from storage answered 500 (FileNotFoundError). The download
    now sends back to the dossier with a French message, and the PDF is rendered again from the frozen version."""
    with django_capture_on_commit_callbacks(execute=True):
        version = letter_submit(letter=letter, by=owner)
    document = RenderedDocument.objects.get(version=version, kind=DocumentKind.LETTER)
    document.file.storage.delete(document.file.name)
    url = reverse("projects:document_download", args=[letter.pk, document.pk])
    client.force_login(owner)

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.get(url)
    assert response.status_code == 302 and response["Location"] == reverse("projects:letter_detail", args=[letter.pk])
    document.refresh_from_db()
    assert document.status == RenderStatus.PENDING and not document.file.name and not document.sha256
    assert len(callbacks) == 1  # the render is enqueued again
    page = html.unescape(client.get(response["Location"]).content.decode())
    assert "est introuvable sur le serveur" in page and "en cours de régénération" in page
    assert url not in page  # no download link while it is rendered again

    for callback in callbacks:
        callback()  # the worker renders it
    document.refresh_from_db()
    assert document.status == RenderStatus.READY and document.file.storage.exists(document.file.name)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_preview_is_the_pdf_template_in_the_browser(client, letter, owner):
    letter_submit(letter=letter, by=owner)
    client.force_login(owner)
    page = html.unescape(client.get(reverse("projects:version_preview", args=[letter.pk, 1])).content.decode())
    assert "css/pdf.css" in page and "Villefranche-de-Lauragais" in page and "← Retour au dossier" in page
    assert "style=" not in page and "<script" not in page


def test_a_render_failure_is_recorded_not_swallowed(
    letter, owner, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    import projects.documents

    def broken(*args, **kwargs):
        raise RuntimeError("police introuvable")

    monkeypatch.setattr(projects.documents, "render_pdf", broken)
    # The submission is committed: the failed render is logged and recorded on its row, not raised at the person.
    with django_capture_on_commit_callbacks(execute=True):
        letter_submit(letter=letter, by=owner)
    assert "police introuvable" in caplog.text
    document = RenderedDocument.objects.get()
    assert document.status == RenderStatus.FAILED and "police introuvable" in document.error


def test_reunion_fills_its_fiche_signaletique_after_validation(client, outsider, reunion):
    from projects.choices import DecisionOutcome
    from projects.tests.factories import complete_letter
    from projects.workflows.letter_services import letter_decide, letter_open_review

    call_command("loaddata", "letter_orientations", verbosity=0)
    letter = complete_letter(outsider.memberships.get().organisation)
    letter_submit(letter=letter, by=outsider)
    url = reverse("projects:letter_identity_sheet", args=[letter.pk])
    client.force_login(outsider)
    assert client.get(url).status_code == 403
    letter_open_review(letter=letter, by=reunion.desk_user)
    letter_decide(
        letter=letter,
        by=reunion.ars_decider,
        outcome=DecisionOutcome.VALIDATED,
        motive="COPIL du 20 mai",
        decided_on=dt.date(2024, 5, 20),
        fir_amount=0,
    )
    page = html.unescape(client.get(url).content.decode())
    assert "Prise en charge des patients obèses" in page and "Lutte contre l'antibio-résistance" in page
    assert 'value="Revel"' in page  # the most populated commune is prefilled
    diabetes = OrientationOption.objects.get(label="Diabète")
    response = client.post(
        url,
        {
            "cpts_name": "CPTS de l'Ouest",
            "contact_email": "contact@exemple.re",
            "main_town": "Revel",
            "population": "14700",
            "orientations": [diabetes.pk],
        },
    )
    assert response.status_code == 302
    assert list(IdentitySheet.objects.get(letter=letter).orientations.all()) == [diabetes]
    assert OrientationOption.objects.count() == 3 + 4 + 19 + 13 + 3 + 2
