"""PDFs asked for in a request and laid out by a Celery task: one row per document, one machinery for every kind.

No request lays out a PDF (issue 14). A request records what is asked (``requested_document_request``) and sends the
one task (``cpts_portal.tasks.render_requested_document``) once the transaction commits; the task claims the row (one
worker at a time), builds the HTML outside any transaction, and when it is the HTML the stored file was made from
(its SHA-256 in ``content_sha256``) marks the file ready again without WeasyPrint; otherwise it lays it out, writing
how far it got (``pages_done``), and stores the bytes with their SHA-256 under the row's lock. A transient error
(``OSError``) gives the row back for the task's retry; any other marks it failed; renders whose task was lost are
sent again by the beat (``requested_documents_resend``).

Each app brings what is its own: a concrete model inheriting ``RequestedDocument`` (what the document is of), and a
``Renderer`` (how to build its HTML, under which name to store the file) that its ``AppConfig.ready`` registers in
``RENDERERS``, the plain mapping the task reads by model label.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .pdf import html_to_pdf
from .uploads import delete_file_on_commit

logger = logging.getLogger(__name__)

# A render still "en cours" after this long lost its worker (killed, redeployed): it may be claimed again.
STALE_RENDER = dt.timedelta(minutes=15)
# A request still waiting after this long lost its task (broker down at commit): the beat sends it again.
RESEND_AFTER = dt.timedelta(minutes=10)
PROGRESS_EVERY_S = 1.0  # at most one progress write a second


class DocumentStatus(models.TextChoices):
    """Where a requested PDF stands: asked for, being laid out by a worker, stored, or failed."""

    PENDING = "pending", _("En attente")
    RENDERING = "rendering", _("En cours")
    READY = "ready", _("Prêt")
    FAILED = "failed", _("Échec")


def requested_document_upload_to(instance: RequestedDocument, filename: str) -> str:
    return f"{instance.storage_folder()}/{filename}"


class RequestedDocument(models.Model):
    """A PDF a person asked for, rendered by a task and stored: its state, who asked and when, how far the render
    got, and the stored file with its fingerprints. ``content_sha256`` is the SHA-256 of the HTML the file was made
    from, so a request whose content has not changed reuses the file instead of laying it out again."""

    status = models.CharField(_("état"), max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.PENDING)
    requested_at = models.DateTimeField(_("demandé le"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("demandé par"),
    )
    started_at = models.DateTimeField(_("rendu commencé le"), null=True, blank=True)
    pages_done = models.PositiveIntegerField(_("pages mises en page"), default=0)
    content_sha256 = models.CharField(_("empreinte du contenu"), max_length=64, blank=True)
    file = models.FileField(_("fichier"), upload_to=requested_document_upload_to, blank=True)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("taille (octets)"), null=True, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    rendered_at = models.DateTimeField(_("produit le"), null=True, blank=True)
    error = models.TextField(_("erreur"), blank=True)

    class Meta:
        abstract = True

    def storage_folder(self) -> str:
        """The folder of the stored files under MEDIA_ROOT (each concrete model says where its files go)."""
        raise NotImplementedError

    # Templates read the state through these (never ``document.status == "ready"``: the choices stay the one source).
    @property
    def is_pending(self) -> bool:
        return self.status == DocumentStatus.PENDING

    @property
    def is_rendering(self) -> bool:
        return self.status == DocumentStatus.RENDERING

    @property
    def is_ready(self) -> bool:
        return self.status == DocumentStatus.READY

    @property
    def is_failed(self) -> bool:
        return self.status == DocumentStatus.FAILED

    @property
    def has_file(self) -> bool:
        name = self.file.name
        return name is not None and name != "" and self.file.storage.exists(name)


@dataclass(frozen=True)
class Renderer:
    """What one kind of document brings to the machinery: its model, its HTML, the name its file is stored under
    (given the PDF's SHA-256), and the relations its two callables read (loaded with the row)."""

    model: type[RequestedDocument]
    build_html: Callable[[Any], str]
    stored_name: Callable[[Any, str], str]
    select_related: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.model._meta.label

    def rows(self) -> models.QuerySet:
        return self.model._default_manager.select_related(*self.select_related)


# Model label ("missions.PlanDocument") -> its renderer; filled by each app's ``AppConfig.ready``.
RENDERERS: dict[str, Renderer] = {}


def register(renderer: Renderer) -> None:
    RENDERERS[renderer.label] = renderer


def _send(renderer: Renderer, document_id: int) -> None:
    from .tasks import render_requested_document

    # robust: a broker outage must not turn the request into an error page; the row stays PENDING, the page says
    # so, and ``requested_documents_resend`` (beat) or the next click sends it again.
    transaction.on_commit(lambda: render_requested_document.delay(renderer.label, document_id), robust=True)


def requested_document_request(*, renderer: Renderer, of: dict[str, Any], by) -> Any:
    """Ask for the document ``of`` names (the concrete model's lookup, e.g. ``{"budget": budget}``); a task renders
    it after commit. A request while a render waits or runs only records the time: the render reads the content
    again when it stores the file if a request came in after it started. Permission is the caller's."""
    model = renderer.model
    now = timezone.now()
    with transaction.atomic():
        document, created = model._default_manager.get_or_create(
            **of, defaults={"requested_at": now, "requested_by": by}
        )
        if not created:
            document = model._default_manager.select_for_update().get(pk=document.pk)
            document.requested_at, document.requested_by = now, by
            started = document.started_at
            if document.status == DocumentStatus.RENDERING and started and started > now - STALE_RENDER:
                document.save(update_fields=["requested_at", "requested_by"])
                return document
            document.status = DocumentStatus.PENDING
            document.error = ""
            document.pages_done = 0
            document.save(update_fields=["requested_at", "requested_by", "status", "error", "pages_done"])
        _send(renderer, document.pk)
    return document


def _claim(model: type[RequestedDocument], document_id: int) -> bool:
    """Take the render (one worker at a time): PENDING, or RENDERING by a worker that was lost."""
    now = timezone.now()
    return bool(
        model._default_manager.filter(pk=document_id)
        .filter(
            Q(status=DocumentStatus.PENDING) | Q(status=DocumentStatus.RENDERING, started_at__lt=now - STALE_RENDER)
        )
        .update(status=DocumentStatus.RENDERING, started_at=now, pages_done=0, error="")
    )


def _progress_writer(model: type[RequestedDocument], document_id: int) -> Callable[[int], None]:
    last = [0.0]

    def on_page(number: int) -> None:
        if time.monotonic() - last[0] >= PROGRESS_EVERY_S:
            last[0] = time.monotonic()
            model._default_manager.filter(pk=document_id).update(pages_done=number)

    return on_page


def _pdf_pages(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(BytesIO(pdf)).pages)


def requested_document_render_now(*, renderer: Renderer, document_id: int) -> Any:
    """Render and store a requested PDF (called by the task). Returns None when another worker has it.

    The layout runs outside any transaction, so the page can read the progress; the result is stored under the row's
    lock. A file whose content (the HTML's SHA-256) has not changed is kept, not laid out again."""
    if not _claim(renderer.model, document_id):
        return None
    document = renderer.rows().get(pk=document_id)
    started_at = document.started_at
    assert started_at is not None  # set by the claim
    html = renderer.build_html(document)
    content_sha = hashlib.sha256(html.encode()).hexdigest()
    storage, old_name = document.file.storage, document.file.name or ""
    reuse = content_sha == document.content_sha256 and bool(old_name) and storage.exists(old_name)
    pdf = None if reuse else html_to_pdf(html, on_page=_progress_writer(renderer.model, document_id))
    with transaction.atomic():
        # of=("self",): the row only (a nullable relation's outer join cannot be locked)
        document = renderer.rows().select_for_update(of=("self",)).get(pk=document_id)
        if document.status != DocumentStatus.RENDERING or document.started_at != started_at:
            return None  # taken over by another worker after this one was thought lost
        if pdf is not None:
            digest = hashlib.sha256(pdf).hexdigest()
            document.file.save(renderer.stored_name(document, digest), ContentFile(pdf), save=False)
            if old_name != document.file.name:
                delete_file_on_commit(storage, old_name)
            document.sha256, document.size, document.pages = digest, len(pdf), _pdf_pages(pdf)
            document.content_sha256 = content_sha
        document.rendered_at = timezone.now()
        document.pages_done = document.pages or 0
        document.error = ""
        if document.requested_at > started_at:
            # asked again while this render read the content: read it again (a reuse if nothing changed)
            document.status = DocumentStatus.PENDING
            _send(renderer, document.pk)
        else:
            document.status = DocumentStatus.READY
        document.save()
    return document


def requested_document_release(*, model: type[RequestedDocument], document_id: int) -> None:
    """A render interrupted by a transient error (the task retries it) goes back to PENDING."""
    model._default_manager.filter(pk=document_id, status=DocumentStatus.RENDERING).update(status=DocumentStatus.PENDING)


def requested_document_mark_failed(*, model: type[RequestedDocument], document_id: int, error: str) -> None:
    model._default_manager.filter(pk=document_id).exclude(status=DocumentStatus.READY).update(
        status=DocumentStatus.FAILED, error=error[:2000]
    )


def requested_documents_resend(
    *, renderer: Renderer | None = None, now: dt.datetime | None = None, grace: dt.timedelta = RESEND_AFTER
) -> dict[str, int]:
    """Send again the renders still waiting after ``grace`` or still running after ``STALE_RENDER`` (their task was
    lost: broker down, worker killed), of one kind or of every registered kind; how many, by model label."""
    from .tasks import render_requested_document

    now = now or timezone.now()
    lost = Q(status=DocumentStatus.PENDING, requested_at__lte=now - grace) | Q(
        status=DocumentStatus.RENDERING, started_at__lt=now - STALE_RENDER
    )
    sent = {}
    for one in [renderer] if renderer else list(RENDERERS.values()):
        pks = list(one.model._default_manager.filter(lost).values_list("pk", flat=True))
        for pk in pks:
            render_requested_document.delay(one.label, pk)
        sent[one.label] = len(pks)
    return sent
