"""The PDFs of the fiches action: what they hold (one context for the whole plan or one fiche), and the services
that ask for one, render it in a task and store it.

No request lays out a PDF: ``plan_document_request`` records the request and sends the task once the transaction
commits; the task (``missions.tasks.plan_document_render``) builds the HTML, and when it is the HTML the stored file
was made from, marks the file ready again without WeasyPrint; otherwise it lays it out, counting the pages as they
are done, and stores the bytes with their SHA-256. The letter's PDF (``projects``) follows the same path with its own
row, tied to a frozen dossier version that this lower layer cannot see.
"""

import datetime as dt
import hashlib
import logging
import time

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.text import slugify

from cpts_portal.pdf import html_to_pdf, render_html
from cpts_portal.uploads import delete_file_on_commit

from . import selectors
from .choices import DocumentStatus
from .models import ActionPlan, ActionSheet, PlanDocument

logger = logging.getLogger(__name__)

SHEETS_TEMPLATE = "pdf/action_sheets.html"
# A render still "en cours" after this long lost its worker (killed, redeployed): it may be claimed again.
STALE_RENDER = dt.timedelta(minutes=15)
PROGRESS_EVERY_S = 1.0  # at most one progress write a second


def sheets_document_context(plan: ActionPlan, *, sheet: ActionSheet | None, with_contacts: bool) -> dict:
    """What ``pdf/action_sheets.html`` needs: every active fiche with the macro-planning, or one fiche."""
    context = {"cpts": plan.cpts, "plan": plan, "show_contacts": with_contacts}
    if sheet is None:
        page = selectors.action_plan_page(plan, full=True, with_gantt=True)
        sheets = [s for block in page.blocks for s in block.sheets]
        return {**context, "page": page, "sheets": sheets, "whole_plan": True}
    one = selectors.sheet_get(plan, sheet.pk, full=True)
    one.number = ""
    return {**context, "sheets": [one], "whole_plan": False}


def plan_document_html(document: PlanDocument) -> str:
    plan = ActionPlan.objects.select_related("cpts__region", "validated_by").get(pk=document.plan_id)
    return render_html(
        SHEETS_TEMPLATE, sheets_document_context(plan, sheet=document.sheet, with_contacts=document.with_contacts)
    )


def plan_document_filename(document: PlanDocument) -> str:
    """The name people download (French, like every name they read)."""
    if document.sheet is not None:
        return f"fiche-action-{slugify(document.sheet.title)[:60]}.pdf"
    return f"fiches-action-{slugify(document.plan.cpts.name)}.pdf"


def plan_document_get(plan: ActionPlan, *, sheet: ActionSheet | None, with_contacts: bool) -> PlanDocument | None:
    return (
        PlanDocument.objects.select_related("plan__cpts", "sheet")
        .filter(plan=plan, sheet=sheet, with_contacts=with_contacts)
        .first()
    )


def plan_document_outdated(document: PlanDocument) -> bool:
    """Whether a fiche (or the plan) was saved after the stored file's content was read: the page then offers to
    prepare it again. A hint only: a render always reads the current content."""
    if document.rendered_at is None:
        return False
    sheets = ActionSheet.objects.filter(plan_id=document.plan_id)
    if document.sheet_id:
        sheets = sheets.filter(pk=document.sheet_id)
    last = sheets.aggregate(last=Max("updated_at"))["last"]
    plan_changed = ActionPlan.objects.filter(pk=document.plan_id, updated_at__gt=document.started_at).exists()
    return plan_changed or bool(last and document.started_at and last > document.started_at)


def _send(document_id: int) -> None:
    from .tasks import plan_document_render

    # robust: a broker outage must not turn the request into an error page; the row stays PENDING, the page says
    # so, and ``plan_documents_resend`` (beat) or the next click sends it again.
    transaction.on_commit(lambda: plan_document_render.delay(document_id), robust=True)


def plan_document_request(*, plan: ActionPlan, sheet: ActionSheet | None, with_contacts: bool, by) -> PlanDocument:
    """Ask for the PDF of a plan's fiches (or of one fiche) in one variant; a task renders it after commit.

    A request while a render waits or runs only records the time: the render re-reads the content when it stores
    the file if a request came in after it started. Permission is the caller's (who may view the plan)."""
    now = timezone.now()
    with transaction.atomic():
        document, created = PlanDocument.objects.get_or_create(
            plan=plan, sheet=sheet, with_contacts=with_contacts, defaults={"requested_at": now, "requested_by": by}
        )
        if not created:
            document = PlanDocument.objects.select_for_update().get(pk=document.pk)
            document.requested_at, document.requested_by = now, by
            started = document.started_at
            if document.status == DocumentStatus.RENDERING and started and started > now - STALE_RENDER:
                document.save(update_fields=["requested_at", "requested_by"])
                return document
            document.status = DocumentStatus.PENDING
            document.error = ""
            document.pages_done = 0
            document.save(update_fields=["requested_at", "requested_by", "status", "error", "pages_done"])
        _send(document.pk)
    return document


def _claim(document_id: int) -> bool:
    """Take the render (one worker at a time): PENDING, or RENDERING by a worker that was lost."""
    now = timezone.now()
    return bool(
        PlanDocument.objects.filter(pk=document_id)
        .filter(
            Q(status=DocumentStatus.PENDING) | Q(status=DocumentStatus.RENDERING, started_at__lt=now - STALE_RENDER)
        )
        .update(status=DocumentStatus.RENDERING, started_at=now, pages_done=0, error="")
    )


def _progress_writer(document_id: int):
    last = [0.0]

    def on_page(number: int) -> None:
        if time.monotonic() - last[0] >= PROGRESS_EVERY_S:
            last[0] = time.monotonic()
            PlanDocument.objects.filter(pk=document_id).update(pages_done=number)

    return on_page


def _pdf_pages(pdf: bytes) -> int:
    from io import BytesIO

    from pypdf import PdfReader

    return len(PdfReader(BytesIO(pdf)).pages)


def plan_document_render_now(*, document_id: int) -> PlanDocument | None:
    """Render and store a requested PDF (called by the task). Returns None when another worker has it.

    The layout runs outside any transaction, so the page can read the progress; the result is stored under the row's
    lock. A file whose content (the HTML's SHA-256) has not changed is kept, not laid out again."""
    if not _claim(document_id):
        return None
    document = PlanDocument.objects.select_related("plan__cpts", "sheet").get(pk=document_id)
    started_at = document.started_at
    assert started_at is not None  # set by the claim
    html = plan_document_html(document)
    content_sha = hashlib.sha256(html.encode()).hexdigest()
    storage, old_name = document.file.storage, document.file.name or ""
    reuse = content_sha == document.content_sha256 and bool(old_name) and storage.exists(old_name)
    pdf = None if reuse else html_to_pdf(html, on_page=_progress_writer(document_id))
    with transaction.atomic():
        document = (
            PlanDocument.objects.select_for_update(of=("self",))
            .select_related("plan__cpts", "sheet")
            .get(pk=document_id)
        )
        if document.status != DocumentStatus.RENDERING or document.started_at != started_at:
            return None  # taken over by another worker after this one was thought lost
        if pdf is not None:
            digest = hashlib.sha256(pdf).hexdigest()
            kind = f"fiche-{document.sheet_id}" if document.sheet_id else "plan"
            variant = "coordination" if document.with_contacts else "membres"
            document.file.save(f"{kind}-{variant}-{digest[:12]}.pdf", ContentFile(pdf), save=False)
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
            _send(document.pk)
        else:
            document.status = DocumentStatus.READY
        document.save()
    return document


def plan_document_release(*, document_id: int) -> None:
    """A render interrupted by a transient error (the task retries it) goes back to PENDING."""
    PlanDocument.objects.filter(pk=document_id, status=DocumentStatus.RENDERING).update(status=DocumentStatus.PENDING)


def plan_document_mark_failed(*, document_id: int, error: str) -> None:
    PlanDocument.objects.filter(pk=document_id).exclude(status=DocumentStatus.READY).update(
        status=DocumentStatus.FAILED, error=error[:2000]
    )


def plan_documents_resend(*, now: dt.datetime | None = None, grace: dt.timedelta = dt.timedelta(minutes=10)) -> int:
    """Send again the renders still waiting after ``grace`` (their task was lost: broker down, worker killed)."""
    from .tasks import plan_document_render

    now = now or timezone.now()
    lost = Q(status=DocumentStatus.PENDING, requested_at__lte=now - grace) | Q(
        status=DocumentStatus.RENDERING, started_at__lt=now - STALE_RENDER
    )
    pks = list(PlanDocument.objects.filter(lost).values_list("pk", flat=True))
    for pk in pks:
        plan_document_render.delay(pk)
    return len(pks)
