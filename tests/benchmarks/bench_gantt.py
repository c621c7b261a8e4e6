"""Benchmark: the macro-planning (SVG Gantt) and the fiches PDF of a health project with 60 fiches action; the PDF
request of a plan of 120 fiches.

Run with ``pytest tests/benchmarks/bench_gantt.py -m benchmark -s``; it prints figures and ratios (5 vs 60 fiches,
layout vs template, page vs PDF) and two goals of issue 14: the fiches PDF against raw WeasyPrint on the same HTML
(point 4), and the time the PDF request of 120 fiches takes against the render it hands to the task (point 7).
``MISSIONS_BENCH_OUT=/some/dir`` also writes the SVG and the PDF there to look at.
"""

import io
import os
import statistics
import time
from pathlib import Path

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from accounts.tests.factories import OrganisationFactory
from cpts_portal.pdf import render_html, render_pdf
from cpts_portal.rendering import DocumentStatus
from missions import calculations as calc
from missions import selectors, services
from missions.models import ActionExample, PlanDocument
from missions.tests.factories import ActionPlanFactory, load_catalogue
from tests.benchmarks.report import ratio_goal
from tests.benchmarks.weasy_reference import interleaved, raw_pdf

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]


def timed(fn, repeat: int = 1):
    runs, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - start)
    return result, statistics.median(runs)


def plan_with(count: int):
    """A plan with ``count`` fiches copied from the worked examples (every field filled, 2 to 4 indicators each)."""
    plan = ActionPlanFactory(cpts=OrganisationFactory(name=f"CPTS de {count} fiches"))
    examples = list(ActionExample.objects.select_related("mission", "sub_mission"))
    for i in range(count):
        services.action_sheet_create_from_example(plan=plan, by=None, example=examples[i % len(examples)])
    return plan


def measure(plan, *, repeat: int):
    page_data, select_s = timed(lambda: selectors.action_plan_page(plan, full=True, with_gantt=True), repeat=3)
    missions = selectors.mission_facts(page_data.missions)
    _layout, layout_s = timed(
        lambda: calc.gantt_layout(missions, page_data.facts, plan.planned_signature_date), repeat=5
    )
    svg, svg_s = timed(lambda: render_to_string("missions/_gantt.svg", {"gantt": page_data.gantt}), repeat=5)
    sheets = [s for block in page_data.blocks for s in block.sheets]
    context = {"cpts": plan.cpts, "plan": plan, "page": page_data, "sheets": sheets, "whole_plan": True}
    html = render_html("pdf/action_sheets.html", context)
    pdf = render_pdf("pdf/action_sheets.html", context)
    pdf_s, raw_s = interleaved(
        lambda: render_pdf("pdf/action_sheets.html", context), lambda: raw_pdf(html), repeat=repeat, warm_up=False
    )
    with CaptureQueriesContext(connection) as queries:
        selectors.action_plan_page(plan, full=True, with_gantt=True)
    return {
        "select": select_s,
        "layout": layout_s,
        "svg": svg_s,
        "svg_kb": len(svg) / 1024,
        "pdf": pdf_s,
        "raw": raw_s,
        "pdf_kb": len(pdf) / 1024,
        "pages": len(PdfReader(io.BytesIO(pdf)).pages),
        "queries": len(queries),
        "svg_text": svg,
        "pdf_bytes": pdf,
    }


def _fmt(value, unit: str) -> str:
    return f"{value:.4f} s" if unit == "s" else f"{value:.0f} {unit}".strip()


def test_gantt_and_fiches_pdf_for_60_fiches():
    load_catalogue()
    small, large = measure(plan_with(5), repeat=5), measure(plan_with(60), repeat=3)
    print("\nMacro-planning et PDF des fiches action (médiane de 3 à 5 passages ; PDF : 5 et 3 passages alternés)")
    print(f"{'':32}{'5 fiches':>12}{'60 fiches':>12}{'ratio':>8}")
    for key, label, unit in [
        ("select", "lecture (requêtes + checklist)", "s"),
        ("layout", "calcul du Gantt (pur)", "s"),
        ("svg", "rendu SVG du Gantt", "s"),
        ("svg_kb", "taille du SVG", "Ko"),
        ("pdf", "PDF de toutes les fiches", "s"),
        ("raw", "WeasyPrint brut, même HTML", "s"),
        ("pdf_kb", "taille du PDF", "Ko"),
        ("pages", "pages du PDF", ""),
        ("queries", "requêtes SQL de lecture", ""),
    ]:
        a, b = small[key], large[key]
        print(f"  {label:30}{_fmt(a, unit):>12}{_fmt(b, unit):>12}{b / a if a else 0:>7.1f}x")
    per_page = large["pdf"] / large["pages"]
    print(f"  PDF : {per_page * 1000:.0f} ms par page ; Gantt SVG : {large['svg'] * 1000:.1f} ms pour 60 lignes")
    assert small["queries"] == large["queries"]
    # 1.2: render_pdf adds the template rendering, the static files read through the finders and PDF/A-3b to the
    # layout, a few per cent (1.00–1.08 measured before); a render done twice, or a resource fetched per fiche,
    # shows as ≥ 1.3 — above the noise of two shared cores on medians of alternated runs.
    ratio_goal(
        "4a",
        "PDF des 60 fiches action (render_pdf)",
        app=large["pdf"],
        reference=large["raw"],
        unit="s",
        reference_label="WeasyPrint brut sur le même HTML, même exécution",
        at_most=1.2,
    )
    out = os.environ.get("MISSIONS_BENCH_OUT")
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        Path(out, "gantt-60.svg").write_text(large["svg_text"])
        Path(out, "fiches-60.pdf").write_bytes(large["pdf_bytes"])
        Path(out, "fiches-5.pdf").write_bytes(small["pdf_bytes"])


def test_the_pdf_request_of_120_fiches_hands_the_render_to_a_task(client, django_capture_on_commit_callbacks):
    """Point 7: the request records the demand and answers; the layout runs in the task (eager here, run by hand
    after the request so that each is timed alone)."""
    from django.urls import reverse

    from accounts.choices import Role
    from accounts.tests.factories import MembershipFactory

    load_catalogue()
    plan = plan_with(120)
    coordinator = MembershipFactory(organisation=plan.cpts, role=Role.COORDINATOR).user
    client.force_login(coordinator)
    page_url = reverse("missions:plan_pdf", args=[plan.cpts.pk])
    client.get(page_url)  # warm: the session, the templates
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        start = time.perf_counter()
        response = client.post(page_url)
        request_s = time.perf_counter() - start
    assert response.status_code == 302 and len(callbacks) == 1
    _page, status_s = timed(lambda: client.get(page_url), repeat=5)
    start = time.perf_counter()
    callbacks[0]()  # the task: HTML, layout, storage
    render_s = time.perf_counter() - start
    document = PlanDocument.objects.get(plan=plan)
    assert document.status == DocumentStatus.READY, document.error
    download_url = reverse("missions:plan_pdf_download", args=[plan.cpts.pk])
    start = time.perf_counter()
    body = b"".join(client.get(download_url).streaming_content)
    download_s = time.perf_counter() - start
    with django_capture_on_commit_callbacks(execute=False) as again:
        client.post(page_url)
    start = time.perf_counter()
    again[0]()  # unchanged content: the stored file is reused, no layout
    reuse_s = time.perf_counter() - start
    print(
        f"\nPDF de 120 fiches : requête {request_s * 1000:.0f} ms, page d'état {status_s * 1000:.0f} ms, "
        f"rendu par la tâche {render_s:.1f} s ({document.pages} pages, {len(body) / 1024:.0f} Ko), "
        f"téléchargement {download_s * 1000:.0f} ms, nouvelle demande sans changement {reuse_s:.2f} s (fichier repris)"
    )
    # 0.05: the goal is "the request ≤ 2 s"; the render of 120 fiches takes about 40 s here, so 5 % of the render is
    # that budget, kept as a ratio because only ratios hold on two shared cores.
    ratio_goal(
        "7",
        "requête du PDF de 120 fiches (enregistre la demande, rendu par la tâche)",
        app=request_s,
        reference=render_s,
        unit="s",
        reference_label="rendu du même PDF par la tâche, même exécution",
        at_most=0.05,
    )
