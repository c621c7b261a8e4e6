"""The budget's document (seed 000 Annexe 2): one context for the HTML preview and the PDF, from the live budget.

A budget is 1 to 3 pages: it is laid out in the request (``views.BudgetPdfView``), not by a task; a frozen copy of
its data goes into the health project's versions (``selectors.budget_data``).
"""

from __future__ import annotations

import datetime as dt
from itertools import zip_longest

from django.utils import timezone
from django.utils.text import slugify

from cpts_portal.pdf import render_pdf
from diagnostics.calculations import size_bounds_note, size_explanation

from . import calculations as calc
from .models import Budget
from .selectors import budget_summary

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


def budget_pdf(context: dict) -> bytes:
    return render_pdf(BUDGET_TEMPLATE, context)


def budget_pdf_filename(budget: Budget) -> str:
    """The name people download (French, like every name they read)."""
    return f"budget-{slugify(budget.organisation.name)}-annee-{budget.contract_year}.pdf"
