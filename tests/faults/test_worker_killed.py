"""A Celery worker killed (SIGKILL) in the middle of a PDF render: after the retry, exactly one stored PDF."""

import io
import os
import signal
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import DatabaseError, transaction
from pypdf import PdfReader

from projects.choices import DOCUMENT_FILE_NAMES, DocumentKind, RenderStatus
from projects.models import RenderedDocument
from projects.workflows.letter_services import letter_submit

from .conftest import start_worker, wait_for

pytestmark = pytest.mark.integration


def render_in_progress(document_id: int) -> bool:
    """The worker holds the row's lock from the start of the render to its commit."""
    try:
        with transaction.atomic():
            RenderedDocument.objects.select_for_update(nowait=True).get(pk=document_id)
    except DatabaseError:
        return True
    return False


def test_a_worker_killed_mid_render_gives_exactly_one_pdf_after_retry(celery_through_redis, letter_world):
    first_worker = celery_through_redis
    letter_submit(letter=letter_world["letter"], by=letter_world["owner"])  # the render task leaves on commit
    document = RenderedDocument.objects.get(version__object_id=letter_world["letter"].pk, kind=DocumentKind.LETTER)

    started = time.monotonic()
    wait_for(lambda: render_in_progress(document.pk), timeout=60, what="le début du rendu par le worker")
    print(f"\nrendu commencé après {time.monotonic() - started:.1f} s : SIGKILL")
    os.kill(first_worker.pid, signal.SIGKILL)
    first_worker.wait(timeout=10)
    document.refresh_from_db()
    assert document.status == RenderStatus.PENDING, "le worker tué n'a rien enregistré"

    # A new worker takes back the unacknowledged message (acks_late) once its visibility timeout has passed.
    second_worker = start_worker(CELERY_VISIBILITY_TIMEOUT="2")
    print(f"second worker prêt après {time.monotonic() - started:.1f} s")
    try:
        wait_for(
            lambda: RenderedDocument.objects.get(pk=document.pk).status == RenderStatus.READY,
            timeout=90,
            what="le rendu repris par un autre worker",
        )
        print(f"PDF prêt après {time.monotonic() - started:.1f} s")
    finally:
        second_worker.terminate()
        second_worker.wait(timeout=10)

    documents = RenderedDocument.objects.filter(version=document.version, kind=DocumentKind.LETTER)
    assert documents.count() == 1
    document = documents.get()
    path = Path(settings.MEDIA_ROOT) / document.file.name
    assert len(PdfReader(io.BytesIO(path.read_bytes())).pages) >= 1
    prefix = f"v{document.version.number}-{DOCUMENT_FILE_NAMES[DocumentKind(document.kind)]}-"
    assert [p.name for p in path.parent.glob(f"{prefix}*.pdf")] == [path.name], "un seul PDF stocké"
