"""The budget's document (seed 000 Annexe 2): one context for the HTML preview and the PDF, from the live budget.

The HTML preview is rendered in the request (``views.BudgetPreviewView``); the PDF is not (issue 14: no request
lays out a PDF): ``budget_document_request`` records the request and the shared task (``cpts_portal.rendering``)
renders it after commit through ``RENDERER``, registered by ``FundingConfig.ready``. A frozen copy of the budget's
data goes into the health project's versions (``selectors.budget_data``).
"""

from __future__ import annotations

import datetime as dt
from itertools import zip_longest

from django.utils import timezone
from django.utils.text import slugify

from cpts_portal import rendering
from cpts_portal.pdf import render_html
from diagnostics.calculations import size_bounds_note, size_explanation

from . import calculations as calc
from .models import Budget, BudgetDocument
from .selectors import budget_for_organisation, budget_summary

BUDGET_TEMPLATE = "pdf/budget.html"


def budget_document_context(budget: Budget) -> dict:
    """What ``pdf/budget.html`` needs; ``budget`` as ``budget_for_organisation`` returns it (one query more, for
    the scale's population bands)."""
    summary = budget_summary(budget)
    bands = list(budget.scale.sizes.all())
    start, anniversary = calc.contract_year_bounds(budget.signed_on, budget.contract_year)
    return {
        "organisation": budget.organisation,
        "budget": budget,
        "summary": summary,
        # Annexe 2 sets expenses and resources side by side: one row per pair.
        "parts": [(p, list(zip_longest(p.expenses, p.resources))) for p in summary.parts],
        "year_start": start,
        "year_end": anniversary - dt.timedelta(days=1),
        "size_explanation": size_explanation(budget.population, bands) if budget.population else "",
        "size_bounds_note": size_bounds_note(bands),
        "printed_on": timezone.localdate(),
    }


def budget_document_html(document: BudgetDocument) -> str:
    """The HTML the PDF is laid out from: the budget as it is when the task runs (read again, not the row's)."""
    budget = budget_for_organisation(document.budget.organisation)
    assert budget is not None  # the document's budget (deleting it deletes the document)
    return render_html(BUDGET_TEMPLATE, budget_document_context(budget))


def budget_document_stored_name(document: BudgetDocument, digest: str) -> str:
    return f"budget-annee-{document.budget.contract_year}-{digest[:12]}.pdf"


def budget_pdf_filename(budget: Budget) -> str:
    """The name people download (French, like every name they read)."""
    return f"budget-{slugify(budget.organisation.name)}-annee-{budget.contract_year}.pdf"


RENDERER = rendering.Renderer(
    model=BudgetDocument,
    build_html=budget_document_html,
    stored_name=budget_document_stored_name,
    select_related=("budget__organisation",),
)


def budget_document_get(budget: Budget) -> BudgetDocument | None:
    return BudgetDocument.objects.filter(budget=budget).first()


def budget_document_outdated(document: BudgetDocument, budget: Budget) -> bool:
    """Whether the budget was saved after the stored file's content was read: the page then offers to prepare it
    again. A hint only: a render always reads the current budget."""
    started = document.started_at
    return document.rendered_at is not None and started is not None and budget.updated_at > started


def budget_document_request(*, budget: Budget, by) -> BudgetDocument:
    """Ask for the budget's PDF; the shared task renders it after commit. Permission is the caller's (who may read
    the budget)."""
    return rendering.requested_document_request(renderer=RENDERER, of={"budget": budget}, by=by)


def budget_document_render_now(*, document_id: int) -> BudgetDocument | None:
    """Render and store a requested budget PDF now (the task's work; benchmarks and test worlds call it)."""
    return rendering.requested_document_render_now(renderer=RENDERER, document_id=document_id)
