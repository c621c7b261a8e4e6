"""The PDFs of the fiches action: asked for in a request, rendered by a task, followed on a page, downloaded.

Celery runs eagerly in tests (settings.test); the task is sent on commit, so each test decides when the commit
callbacks run: a request whose callbacks are held back shows what the request itself does (no layout at all).
"""

import datetime as dt
import html
import io
from dataclasses import replace

import pytest
from django.urls import reverse
from pypdf import PdfReader

from cpts_portal.pdf import html_to_pdf, render_html
from cpts_portal.rendering import DocumentStatus
from missions import documents
from missions.models import ActionExample, ActionSheet, PlanDocument
from missions.services import action_sheet_create_from_example

pytestmark = pytest.mark.django_db


def url(name, cpts, *args):
    return reverse(f"missions:{name}", args=[cpts.pk, *args])


def text(response) -> str:
    return html.unescape(response.content.decode())


def pdf_text(content: bytes) -> str:
    raw = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(raw.replace("-\n", "-").split())


def download(client, response) -> bytes:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


@pytest.fixture
def sheets(plan, owner):
    for example in ActionExample.objects.filter(mission__code__in=["1", "4"]):
        action_sheet_create_from_example(plan=plan, by=owner, example=example)
    return list(ActionSheet.objects.filter(plan=plan))


def test_the_request_only_records_the_demand_and_the_task_renders_the_plan(
    client, other_member, sheets, cpts, django_capture_on_commit_callbacks
):
    client.force_login(other_member[0])
    page = text(client.get(url("plan_pdf", cpts)))
    assert "Pas encore préparé" in page and "Préparer le PDF" in page
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url("plan_pdf", cpts))
    assert response.status_code == 302 and response["Location"] == url("plan_pdf", cpts)
    document = PlanDocument.objects.get()
    # The request laid nothing out: the row waits, no file, and the render is the one task sent on commit.
    assert document.status == DocumentStatus.PENDING and not document.file and len(callbacks) == 1
    assert "En attente" in text(client.get(url("plan_pdf", cpts)))
    assert client.get(url("plan_pdf_download", cpts)).status_code == 404
    callbacks[0]()  # the worker's turn (eager Celery runs the task here)
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY and document.pages >= len(sheets) and document.sha256
    page = text(client.get(url("plan_pdf", cpts)))
    assert "Prêt" in page and "Télécharger le PDF" in page and document.sha256 in page
    response = client.get(url("plan_pdf_download", cpts))
    assert response["X-Content-SHA256"] == document.sha256
    content = pdf_text(download(client, response))
    assert "Macro-planning" in content
    for sheet in sheets:
        assert " ".join(sheet.title.split()) in content


def test_one_fiche_goes_through_the_same_task(client, owner, sheets, cpts, django_capture_on_commit_callbacks):
    one = next(s for s in sheets if s.mission.code == "4")
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url("sheet_pdf", cpts, one.pk))["Location"] == url("sheet_pdf", cpts, one.pk)
    document = PlanDocument.objects.get(sheet=one)
    assert document.status == DocumentStatus.READY
    single = pdf_text(download(client, client.get(url("sheet_pdf_download", cpts, one.pk))))
    assert one.title in single and "Médecin traitant" not in single and "Macro-planning" not in single


def test_unchanged_content_reuses_the_stored_file_and_a_change_renders_again(
    owner, sheets, plan, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = documents.plan_document_request(plan=plan, sheet=None, with_contacts=True, by=owner)
    first.refresh_from_db()
    name, storage = first.file.name, first.file.storage
    with django_capture_on_commit_callbacks(execute=True):
        documents.plan_document_request(plan=plan, sheet=None, with_contacts=True, by=owner)
    again = PlanDocument.objects.get()
    # Same row, same stored file (a new layout would have saved a new file under a new name).
    assert again.pk == first.pk and again.file.name == name and again.sha256 == first.sha256
    assert again.status == DocumentStatus.READY and again.rendered_at > first.rendered_at
    ActionSheet.objects.filter(pk=sheets[0].pk).update(title="Un titre tout neuf pour la fiche")
    with django_capture_on_commit_callbacks(execute=True):
        documents.plan_document_request(plan=plan, sheet=None, with_contacts=True, by=owner)
    changed = PlanDocument.objects.get()
    assert changed.file.name != name and not storage.exists(name)  # one stored file per document
    assert "Un titre tout neuf pour la fiche" in pdf_text(changed.file.read())


def test_members_contacts_are_in_the_coordinators_pdf_only(
    client, owner, other_member, sheet, cpts, django_capture_on_commit_callbacks
):
    # The fiche carries the pilot's contact when the pilot consented to its transmission to the ARS.
    pilot = sheet.pilot
    pilot.postal_address, pilot.contact_consent_on = "3 rue des Écoles, 11400 Castelnaudary", dt.date(2026, 1, 5)
    pilot.save()
    email = pilot.email
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("sheet_pdf", cpts, sheet.pk))
    coordination = pdf_text(download(client, client.get(url("sheet_pdf_download", cpts, sheet.pk))))
    assert email in coordination and "3 rue des Écoles, 11400 Castelnaudary" in coordination
    client.force_login(other_member[0])
    # The coordinators' file exists, but a member's variant is looked up from their rights: none yet.
    assert client.get(url("sheet_pdf_download", cpts, sheet.pk)).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("sheet_pdf", cpts, sheet.pk))
    assert email not in pdf_text(download(client, client.get(url("sheet_pdf_download", cpts, sheet.pk))))
    assert PlanDocument.objects.filter(sheet=sheet).count() == 2


def test_an_outsider_may_neither_ask_nor_download(
    client, owner, outsider, sheet, cpts, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("plan_pdf", cpts))
    client.force_login(outsider)
    for name, args in [("plan_pdf", []), ("plan_pdf_download", []), ("sheet_pdf", [sheet.pk])]:
        assert client.get(url(name, cpts, *args)).status_code == 403
    assert client.post(url("plan_pdf", cpts)).status_code == 403
    assert PlanDocument.objects.count() == 1


def test_a_failed_render_says_so_and_can_be_tried_again(
    client, owner, sheet, cpts, monkeypatch, django_capture_on_commit_callbacks
):
    import weasyprint

    def broken(self, *args, **kwargs):
        raise ValueError("police introuvable")

    client.force_login(owner)
    with monkeypatch.context() as patch:
        patch.setattr(weasyprint.HTML, "write_pdf", broken)
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(url("plan_pdf", cpts)).status_code == 302  # robust: the failure is on the page
    document = PlanDocument.objects.get()
    assert document.status == DocumentStatus.FAILED and "police introuvable" in document.error
    page = text(client.get(url("plan_pdf", cpts)))
    assert "Échec" in page and "Réessayer" in page and "police introuvable" not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("plan_pdf", cpts))
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY and not document.error


def test_a_request_during_a_render_is_read_again_when_it_ends(
    owner, sheet, plan, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        document = documents.plan_document_request(plan=plan, sheet=None, with_contacts=False, by=owner)
    read_content = documents.plan_document_html
    asked_during = []

    def someone_asks_while_it_renders(doc):
        content = read_content(doc)
        with django_capture_on_commit_callbacks(execute=False) as sent:
            documents.plan_document_request(plan=plan, sheet=None, with_contacts=False, by=owner)
        asked_during.extend(sent)
        return content

    monkeypatch.setattr(documents, "RENDERER", replace(documents.RENDERER, build_html=someone_asks_while_it_renders))
    with django_capture_on_commit_callbacks(execute=False) as after:
        documents.plan_document_render_now(document_id=document.pk)
    document.refresh_from_db()
    # The second request sent nothing while the render ran; the render stored its file and asked for a re-read.
    assert not asked_during and len(after) == 1
    assert document.status == DocumentStatus.PENDING and document.file
    monkeypatch.undo()
    name = document.file.name
    after[0]()
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY and document.file.name == name  # unchanged content: reused


def test_a_render_reports_its_pages_as_they_are_laid_out(sheets, plan):
    html_text = render_html(
        documents.SHEETS_TEMPLATE, documents.sheets_document_context(plan, sheet=None, with_contacts=False)
    )
    seen: list[int] = []
    pdf = html_to_pdf(html_text, on_page=seen.append)
    assert seen == list(range(1, len(PdfReader(io.BytesIO(pdf)).pages) + 1))


def test_lost_renders_are_sent_again(owner, sheet, plan, django_capture_on_commit_callbacks):
    import datetime as dt

    from django.utils import timezone

    with django_capture_on_commit_callbacks(execute=False):
        document = documents.plan_document_request(plan=plan, sheet=None, with_contacts=False, by=owner)
    assert documents.plan_documents_resend() == 0  # too recent: its task may still come
    later = timezone.now() + dt.timedelta(minutes=11)
    assert documents.plan_documents_resend(now=later) == 1  # eager: rendered now
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY
