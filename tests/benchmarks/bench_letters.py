"""Benchmarks of the letter circuit: the dossier page as its history grows, and the PDF of a large territory.

Run with ``pytest tests/benchmarks/bench_letters.py -m benchmark -s``; prints figures and ratios, and the goal of
issue 14 point 4: the letter's PDF against raw WeasyPrint on the same HTML, in the same run.
"""

import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.benchmarks.report import ratio_goal
from tests.benchmarks.weasy_reference import interleaved, raw_pdf

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]


def _page(client, url, repeat=5):
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    count = len(queries)  # read now: the next request resets the connection's query log
    start = time.perf_counter()
    for _ in range(repeat):
        assert client.get(url).status_code == 200
    return (time.perf_counter() - start) / repeat * 1000, count


def test_dossier_page_and_pdf(client, cpts, owner, colleague, region):
    from accounts.models import Organisation
    from cpts_portal.pdf import render_html, render_pdf
    from projects.documents import letter_document_context
    from projects.tests.factories import complete_letter, occitanie_circuit, territory_for
    from projects.tests.test_views import _grow
    from projects.workflows.engine import current_version

    call_command("loaddata", "opinion_grids", "funding_scales", verbosity=0)
    circuit = occitanie_circuit(region, urps_count=10, reuse=[Organisation.objects.get(kind="urps")])
    territory_for(cpts, communes=[(f"Commune {i}", 1000 + i) for i in range(60)])
    letter = complete_letter(cpts)
    _grow(letter, owner, circuit, rounds=1)
    client.force_login(circuit.desk_user)
    url = reverse("projects:letter_detail", args=[letter.pk])
    small_ms, small_q = _page(client, url)
    _grow(letter, owner, circuit, rounds=9)
    big_ms, big_q = _page(client, url)
    print(f"\ndossier page, 1 round (10 opinions): {small_ms:.0f} ms, {small_q} queries")
    print(f"dossier page, 10 rounds (100 opinions): {big_ms:.0f} ms, {big_q} queries")
    print(f"ratio time {big_ms / small_ms:.2f}, queries {big_q}/{small_q}")
    context = letter_document_context(current_version(letter), with_decision=True)
    html = render_html("pdf/letter.html", context)
    pdf = render_pdf("pdf/letter.html", context)
    app_s, raw_s = interleaved(lambda: render_pdf("pdf/letter.html", context), lambda: raw_pdf(html), repeat=7)
    print(
        f"PDF of a 60-commune letter with 10 opinions: {app_s * 1000:.0f} ms (median of 7), {len(pdf)} bytes; "
        f"raw WeasyPrint on the same HTML {raw_s * 1000:.0f} ms"
    )
    # 1.2, as for the fiches (bench_gantt): the template, the finders and PDF/A-3b are a few per cent of the layout.
    ratio_goal(
        "4b",
        "PDF de la lettre (60 communes, 10 avis, render_pdf)",
        app=app_s,
        reference=raw_s,
        unit="s",
        reference_label="WeasyPrint brut sur le même HTML, même exécution",
        at_most=1.2,
    )
