"""Benchmark: the macro-planning (SVG Gantt) and the fiches PDF of a health project with 60 fiches action.

Run with ``pytest tests/benchmarks/bench_gantt.py -m benchmark -s``; it prints figures and ratios (5 vs 60 fiches,
layout vs template, page vs PDF). ``MISSIONS_BENCH_OUT=/some/dir`` also writes the SVG and the PDF there to look at.
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
from cpts_portal.pdf import render_pdf
from missions import calculations as calc
from missions import selectors, services
from missions.models import ActionExample
from missions.tests.factories import ActionPlanFactory, load_catalogue

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


def measure(plan):
    page_data, select_s = timed(lambda: selectors.action_plan_page(plan, full=True, with_gantt=True), repeat=3)
    missions = selectors.mission_facts(page_data.missions)
    _layout, layout_s = timed(
        lambda: calc.gantt_layout(missions, page_data.facts, plan.planned_signature_date), repeat=5
    )
    svg, svg_s = timed(lambda: render_to_string("missions/_gantt.svg", {"gantt": page_data.gantt}), repeat=5)
    sheets = [s for block in page_data.blocks for s in block.sheets]
    context = {"cpts": plan.cpts, "plan": plan, "page": page_data, "sheets": sheets, "whole_plan": True}
    pdf, pdf_s = timed(lambda: render_pdf("pdf/action_sheets.html", context))
    with CaptureQueriesContext(connection) as queries:
        selectors.action_plan_page(plan, full=True, with_gantt=True)
    return {
        "select": select_s,
        "layout": layout_s,
        "svg": svg_s,
        "svg_kb": len(svg) / 1024,
        "pdf": pdf_s,
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
    small, large = measure(plan_with(5)), measure(plan_with(60))
    print("\nMacro-planning et PDF des fiches action (médiane de 3 à 5 passages, PDF : 1 passage)")
    print(f"{'':32}{'5 fiches':>12}{'60 fiches':>12}{'ratio':>8}")
    for key, label, unit in [
        ("select", "lecture (requêtes + checklist)", "s"),
        ("layout", "calcul du Gantt (pur)", "s"),
        ("svg", "rendu SVG du Gantt", "s"),
        ("svg_kb", "taille du SVG", "Ko"),
        ("pdf", "PDF de toutes les fiches", "s"),
        ("pdf_kb", "taille du PDF", "Ko"),
        ("pages", "pages du PDF", ""),
        ("queries", "requêtes SQL de lecture", ""),
    ]:
        a, b = small[key], large[key]
        print(f"  {label:30}{_fmt(a, unit):>12}{_fmt(b, unit):>12}{b / a if a else 0:>7.1f}x")
    per_page = large["pdf"] / large["pages"]
    print(f"  PDF : {per_page * 1000:.0f} ms par page ; Gantt SVG : {large['svg'] * 1000:.1f} ms pour 60 lignes")
    assert small["queries"] == large["queries"]
    out = os.environ.get("MISSIONS_BENCH_OUT")
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        Path(out, "gantt-60.svg").write_text(large["svg_text"])
        Path(out, "fiches-60.pdf").write_bytes(large["pdf_bytes"])
        Path(out, "fiches-5.pdf").write_bytes(small["pdf_bytes"])
