"""The budget's PDF: asked for on its page, laid out by the shared render task (never in the request), followed on
the page, downloaded as stored; an unchanged budget reuses the stored file.

Celery runs eagerly in tests; the task is sent on commit, so each test decides when the commit callbacks run.
"""

import html
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from cpts_portal.rendering import DocumentStatus
from funding.documents import budget_document_request
from funding.models import Budget, BudgetDocument
from funding.services import budget_part_save_lines

pytestmark = pytest.mark.django_db


def url(name, cpts):
    return reverse(f"funding:{name}", args=[cpts.pk])


def text(response) -> str:
    return html.unescape(response.content.decode())


def pdf_text(content: bytes) -> str:
    return " ".join("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def test_the_request_records_the_demand_and_the_task_renders_the_budget(
    client, member, budget, cpts, django_capture_on_commit_callbacks
):
    client.force_login(member)
    page = text(client.get(url("budget_pdf", cpts)))
    assert "Pas encore préparé" in page and "Préparer le PDF" in page and 'data-state="none"' in page
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url("budget_pdf", cpts))
    assert response.status_code == 302 and response["Location"] == url("budget_pdf", cpts)
    document = BudgetDocument.objects.get()
    # The request laid nothing out: the row waits, no file, and the render is the one task sent on commit.
    assert document.budget == budget and document.requested_by == member
    assert document.status == DocumentStatus.PENDING and not document.file and len(callbacks) == 1
    assert "En attente" in text(client.get(url("budget_pdf", cpts)))
    assert client.get(url("budget_pdf_download", cpts)).status_code == 404
    callbacks[0]()  # the worker's turn (eager Celery runs the task here)
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY and document.pages >= 1 and document.sha256
    page = text(client.get(url("budget_pdf", cpts)))
    assert "Prêt" in page and "Télécharger le PDF" in page and document.sha256 in page
    response = client.get(url("budget_pdf_download", cpts))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["X-Content-SHA256"] == document.sha256
    assert f'filename="budget-{cpts.name.lower().replace(" ", "-")}' in response["Content-Disposition"]
    content = pdf_text(b"".join(response.streaming_content))
    assert cpts.name in content and "Mission 1 A" in content and "Mission 1 B" in content


def test_an_unchanged_budget_reuses_the_file_and_a_change_renders_it_again(
    client, owner, budget, cpts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = budget_document_request(budget=budget, by=owner)
    first.refresh_from_db()
    name, storage = first.file.name, first.file.storage
    with django_capture_on_commit_callbacks(execute=True):
        budget_document_request(budget=budget, by=owner)
    again = BudgetDocument.objects.get()
    # Same row, same stored file (a new layout would have saved a new file under a new name).
    assert again.pk == first.pk and again.file.name == name and again.sha256 == first.sha256
    assert again.status == DocumentStatus.READY and again.rendered_at > first.rendered_at
    part_2 = next(p for p in budget.parts.all() if p.code == "2")
    budget_part_save_lines(
        part=part_2,
        by=owner,
        lines=[{"instance": None, "category": "material", "label": "Ordinateur portable", "amount": Decimal(1200)}],
    )
    client.force_login(owner)
    assert "Le budget a été modifié depuis" in text(client.get(url("budget_pdf", cpts)))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("budget_pdf", cpts))
    changed = BudgetDocument.objects.get()
    assert changed.file.name != name and not storage.exists(name)  # one stored file per document
    assert "Ordinateur portable" in pdf_text(changed.file.read())
    assert "Le budget a été modifié depuis" not in text(client.get(url("budget_pdf", cpts)))


@pytest.mark.parametrize("persona", ["colleague", "outsider"])
def test_others_may_neither_ask_for_nor_download_the_budget_pdf(
    client, owner, budget, cpts, persona, request, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        budget_document_request(budget=budget, by=owner)
    client.force_login(request.getfixturevalue(persona))
    for name in ("budget_pdf", "budget_pdf_download"):
        assert client.get(url(name, cpts)).status_code == 403
    assert client.post(url("budget_pdf", cpts)).status_code == 403
    assert BudgetDocument.objects.get().requested_by == owner  # the refused request changed nothing


def test_wrong_methods_and_a_cpts_without_budget(client, owner, budget, cpts):
    client.force_login(owner)
    assert client.put(url("budget_pdf", cpts)).status_code == 405
    assert client.post(url("budget_pdf_download", cpts)).status_code == 405
    Budget.objects.filter(pk=budget.pk).delete()
    for name in ("budget_pdf", "budget_pdf_download"):
        assert client.get(url(name, cpts)).status_code == 404
    assert client.post(url("budget_pdf", cpts)).status_code == 404


def test_a_failed_render_says_so_and_can_be_tried_again(
    client, owner, budget, cpts, monkeypatch, django_capture_on_commit_callbacks
):
    import weasyprint

    def broken(self, *args, **kwargs):
        raise ValueError("police introuvable")

    client.force_login(owner)
    with monkeypatch.context() as patch:
        patch.setattr(weasyprint.HTML, "write_pdf", broken)
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(url("budget_pdf", cpts)).status_code == 302  # robust: the failure is on the page
    document = BudgetDocument.objects.get()
    assert document.status == DocumentStatus.FAILED and "police introuvable" in document.error
    page = text(client.get(url("budget_pdf", cpts)))
    assert "Échec" in page and "Réessayer" in page and "police introuvable" not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("budget_pdf", cpts))
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY and not document.error


def test_the_budget_page_links_to_the_pdf_page(client, owner, budget, cpts):
    client.force_login(owner)
    assert url("budget_pdf", cpts) in text(client.get(url("budget_detail", cpts)))
