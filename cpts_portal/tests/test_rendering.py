"""The shared machinery of requested PDFs (``cpts_portal.rendering`` and its one task), tested once on a stand-in
renderer over the fiches' row: each kind of document (``missions``, ``funding``) tests only what is its own.

Celery runs eagerly in tests; the task is sent on commit, so each test decides when the commit callbacks run.
"""

import datetime as dt
from dataclasses import replace

import pytest
from django.utils import timezone

from cpts_portal import rendering
from cpts_portal.celery import app
from cpts_portal.rendering import RENDERERS, DocumentStatus, Renderer
from cpts_portal.tasks import render_requested_document
from missions.models import PlanDocument
from missions.tests.factories import ActionPlanFactory

pytestmark = pytest.mark.django_db

LABEL = "missions.PlanDocument"


class Source:
    """The stand-in document's content, set by the test, and who read it."""

    def __init__(self):
        self.html = "<p>Premier contenu</p>"
        self.reads: list[int] = []

    def build_html(self, document) -> str:
        self.reads.append(document.pk)
        return self.html


@pytest.fixture
def source():
    return Source()


@pytest.fixture
def renderer(source, monkeypatch):
    """A one-page document, registered in place of the fiches' for the test."""
    stand_in = Renderer(
        model=PlanDocument,
        build_html=source.build_html,
        stored_name=lambda document, digest: f"essai-{digest[:12]}.pdf",
    )
    monkeypatch.setitem(RENDERERS, LABEL, stand_in)
    return stand_in


@pytest.fixture
def plan(cpts):
    return ActionPlanFactory(cpts=cpts)


def request(renderer, plan, owner):
    return rendering.requested_document_request(
        renderer=renderer, of={"plan": plan, "sheet": None, "with_contacts": False}, by=owner
    )


def test_every_kind_is_registered_and_the_worker_knows_the_one_task():
    assert {"missions.PlanDocument", "funding.BudgetDocument"} <= set(RENDERERS)
    app.loader.import_default_modules()  # what a worker does at start (autodiscovery included)
    assert "cpts_portal.tasks.render_requested_document" in app.tasks


def test_a_request_is_rendered_by_the_task_after_commit_and_stored_with_its_fingerprints(
    renderer, source, plan, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as sent:
        document = request(renderer, plan, owner)
    assert document.is_pending and not document.file and len(sent) == 1 and source.reads == []
    sent[0]()
    document.refresh_from_db()
    assert document.is_ready and document.pages == 1 and document.pages_done == 1 and document.size
    assert document.file.name == f"fiches-action/{plan.pk}/essai-{document.sha256[:12]}.pdf" and document.has_file
    assert len(document.content_sha256) == 64 and document.requested_by == owner


def test_unchanged_html_reuses_the_file_and_changed_html_replaces_it(
    renderer, source, plan, owner, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = request(renderer, plan, owner)
    first.refresh_from_db()

    def no_layout(*args, **kwargs):
        raise AssertionError("mis en page alors que le contenu n'a pas changé")

    with monkeypatch.context() as patch:
        patch.setattr(rendering, "html_to_pdf", no_layout)
        with django_capture_on_commit_callbacks(execute=True):
            request(renderer, plan, owner)
    again = PlanDocument.objects.get()
    assert again.is_ready and again.file.name == first.file.name and again.rendered_at > first.rendered_at
    source.html = "<p>Second contenu</p>"
    with django_capture_on_commit_callbacks(execute=True):
        request(renderer, plan, owner)
    changed = PlanDocument.objects.get()
    assert changed.sha256 != first.sha256 and not first.file.storage.exists(first.file.name)


def test_a_render_is_claimed_once_and_a_lost_one_again_after_the_stale_delay(renderer, plan, owner):
    document = request(renderer, plan, owner)  # no commit in this test: the task is never sent
    assert rendering._claim(PlanDocument, document.pk)
    assert not rendering._claim(PlanDocument, document.pk)  # a second worker leaves it alone
    assert rendering.requested_document_render_now(renderer=renderer, document_id=document.pk) is None
    # A request while it renders only records the time: the row stays with the running render.
    assert request(renderer, plan, owner).status == DocumentStatus.RENDERING
    PlanDocument.objects.filter(pk=document.pk).update(started_at=timezone.now() - dt.timedelta(minutes=16))
    assert rendering._claim(PlanDocument, document.pk)  # its worker was lost


def test_the_task_gives_a_transient_error_back_and_marks_any_other_failed(renderer, plan, owner):
    document = request(renderer, plan, owner)

    def lost_disk(document):
        raise OSError("disque plein")

    RENDERERS[LABEL] = replace(renderer, build_html=lost_disk)
    with pytest.raises(OSError):
        render_requested_document(LABEL, document.pk)  # called directly, the retry re-raises
    document.refresh_from_db()
    assert document.status == DocumentStatus.PENDING  # for the retry to claim

    def broken(document):
        raise ValueError("gabarit cassé")

    RENDERERS[LABEL] = replace(renderer, build_html=broken)
    with pytest.raises(ValueError):
        render_requested_document(LABEL, document.pk)
    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED and document.error == "gabarit cassé"
    rendering.requested_document_mark_failed(model=PlanDocument, document_id=document.pk, error="autre")
    RENDERERS[LABEL] = renderer
    request(renderer, plan, owner)
    rendering.requested_document_render_now(renderer=renderer, document_id=document.pk)
    rendering.requested_document_mark_failed(model=PlanDocument, document_id=document.pk, error="trop tard")
    document.refresh_from_db()
    assert document.is_ready and document.error == ""  # a stored file is never marked failed


def test_lost_renders_of_every_kind_are_sent_again(renderer, plan, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        document = request(renderer, plan, owner)
    sent = rendering.requested_documents_resend()
    assert sent[LABEL] == 0 and sent["funding.BudgetDocument"] == 0  # too recent: its task may still come
    later = timezone.now() + dt.timedelta(minutes=11)
    assert rendering.requested_documents_resend(now=later)[LABEL] == 1  # eager: rendered now
    document.refresh_from_db()
    assert document.is_ready
