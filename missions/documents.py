"""The PDFs of the fiches action: what they hold (one context for the whole plan or one fiche), and the parts of
their render that are theirs; the request, the task, the progress, the storage and the reuse of an unchanged file
are the shared machinery's (``cpts_portal.rendering``), which every requested PDF of the portal goes through.

No request lays out a PDF: ``plan_document_request`` records the request and the shared task renders it after
commit (``RENDERER``, registered by ``MissionsConfig.ready``). The letter's PDF (``projects``) has its own row, tied
to a frozen dossier version that this lower layer cannot see.
"""

import datetime as dt

from django.db.models import Max
from django.utils.text import slugify

from cpts_portal import rendering
from cpts_portal.pdf import render_html

from . import selectors
from .models import ActionPlan, ActionSheet, PlanDocument

SHEETS_TEMPLATE = "pdf/action_sheets.html"


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


def plan_document_stored_name(document: PlanDocument, digest: str) -> str:
    kind = f"fiche-{document.sheet_id}" if document.sheet_id else "plan"
    variant = "coordination" if document.with_contacts else "membres"
    return f"{kind}-{variant}-{digest[:12]}.pdf"


def plan_document_filename(document: PlanDocument) -> str:
    """The name people download (French, like every name they read)."""
    if document.sheet is not None:
        return f"fiche-action-{slugify(document.sheet.title)[:60]}.pdf"
    return f"fiches-action-{slugify(document.plan.cpts.name)}.pdf"


RENDERER = rendering.Renderer(
    model=PlanDocument,
    build_html=plan_document_html,
    stored_name=plan_document_stored_name,
    select_related=("plan__cpts", "sheet"),
)


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


def plan_document_request(*, plan: ActionPlan, sheet: ActionSheet | None, with_contacts: bool, by) -> PlanDocument:
    """Ask for the PDF of a plan's fiches (or of one fiche) in one variant; the shared task renders it after commit.
    Permission is the caller's (who may view the plan)."""
    return rendering.requested_document_request(
        renderer=RENDERER, of={"plan": plan, "sheet": sheet, "with_contacts": with_contacts}, by=by
    )


def plan_document_render_now(*, document_id: int) -> PlanDocument | None:
    """Render and store a requested PDF of the fiches now (the task's work; the authorization world calls it)."""
    return rendering.requested_document_render_now(renderer=RENDERER, document_id=document_id)


def plan_documents_resend(*, now: dt.datetime | None = None, grace: dt.timedelta = rendering.RESEND_AFTER) -> int:
    """Send again the renders of the fiches' PDFs whose task was lost (see ``rendering.requested_documents_resend``)."""
    return rendering.requested_documents_resend(renderer=RENDERER, now=now, grace=grace)[RENDERER.label]
