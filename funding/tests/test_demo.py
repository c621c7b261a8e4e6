"""The demo's CPTS with a health project in progress has its budget as Annexe 2 draws it: 1A and 1B filled, every
part balanced, mission 1's ACI split adding up, the budget complete, and its PDF holding them."""

import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from accounts.demo import CPTS_NAME
from accounts.models import Organisation
from cpts_portal.pdf import render_pdf
from funding.choices import BudgetStatus
from funding.documents import BUDGET_TEMPLATE, budget_document_context
from funding.selectors import budget_for_organisation, budget_summary

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=True)
def test_the_demo_budget_fills_1a_and_1b_balanced_and_complete():
    from pypdf import PdfReader

    from tests.demo_world import demo_communes_create

    demo_communes_create()
    call_command("seed_demo")
    budget = budget_for_organisation(Organisation.objects.get(name=CPTS_NAME))
    assert budget is not None and budget.status == BudgetStatus.COMPLETE and budget.split_note == ""
    summary = budget_summary(budget)
    split = {p.part.code: p for p in summary.parts if p.part.is_split}
    assert set(split) == {"1A", "1B"}
    for p in split.values():
        assert p.total_resources > 0 and p.total_expenses == p.total_resources
        assert all(line.amount > 0 for line in p.resources if line.from_calculator)
    assert summary.is_balanced and summary.split_warnings == []
    text = " ".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(render_pdf(BUDGET_TEMPLATE, budget_document_context(budget)))).pages
    )
    text = " ".join(text.split())
    for expected in ("Mission 1 A – Médecin traitant", "Mission 1 B – Soins non-programmés", "ACI – Résultat"):
        assert expected in text
    call_command("seed_demo")  # a rerun leaves the complete budget alone
    assert budget_for_organisation(budget.organisation).status == BudgetStatus.COMPLETE
