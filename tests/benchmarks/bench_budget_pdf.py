"""Benchmark of the budget's PDF (issue 15, point 5): laid out in the request only if it takes well under a second.

Run with ``pytest tests/benchmarks/bench_budget_pdf.py -m benchmark -s -p no:randomly -o python_files="bench_*.py"``.
The budget is the largest the scale allows: part 1, 1A, 1B and missions 2 to 6 (8 parts), each with its 4 expense
lines and 4 more typed ones. Figures: the download view end to end (request to PDF bytes, as a person waits for
it), and raw WeasyPrint on the same HTML (the reference, same run).
"""

import datetime as dt
import io
import statistics
import time
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.benchmarks.report import ratio_goal
from tests.benchmarks.weasy_reference import interleaved, raw_pdf

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]


def test_budget_pdf_in_the_request(client, cpts, owner):
    from pypdf import PdfReader

    from cpts_portal.pdf import render_html
    from funding.documents import BUDGET_TEMPLATE, budget_document_context
    from funding.selectors import budget_for_organisation
    from funding.services import budget_part_save_lines, budget_save_parameters

    call_command("loaddata", "funding_scales", verbosity=0)
    budget = budget_save_parameters(
        organisation=cpts,
        by=owner,
        signed_on=dt.date(2023, 1, 15),
        missions=["1", "2", "3", "4", "5", "6"],
        taille=4,
        members=120,
    )
    for part in budget.parts.all():
        budget_part_save_lines(
            part=part,
            by=owner,
            lines=[
                {"instance": None, "category": c, "label": f"Poste détaillé {i}", "amount": Decimal(1234 + i)}
                for i, c in enumerate(["salaries", "material", "consultant", "complementary"])
            ],
        )
    client.force_login(owner)
    url = reverse("funding:budget_pdf", args=[cpts.pk])
    first = client.get(url)
    assert first.status_code == 200
    pages = len(PdfReader(io.BytesIO(first.content)).pages)
    html = render_html(BUDGET_TEMPLATE, budget_document_context(budget_for_organisation(cpts)))

    def download():
        assert client.get(url).status_code == 200

    app_s, raw_s = interleaved(download, lambda: raw_pdf(html), repeat=7)
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        download()
        runs.append(time.perf_counter() - start)
    print(
        f"\nPDF du budget (8 parties, {pages} pages, {len(first.content)} octets) : vue complète {app_s * 1000:.0f} ms "
        f"(médiane de 7), 5 autres : pire {max(runs) * 1000:.0f} ms, médiane {statistics.median(runs) * 1000:.0f} ms ; "
        f"WeasyPrint brut sur le même HTML {raw_s * 1000:.0f} ms"
    )
    # The request answers in well under a second (1 s is the line the brief draws between the request and a task).
    ratio_goal(
        "15-5",
        "PDF du budget dans la requête (8 parties, vue complète)",
        app=app_s,
        reference=raw_s,
        unit="s",
        reference_label="WeasyPrint brut sur le même HTML, même exécution",
        at_most=1.3,
    )
