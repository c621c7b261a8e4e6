"""Benchmark: goal 5 of issue 14, queries constant with the data. Every list as every persona that may read it, at
10 and at 1 000 letters (``query_counts``, the measure ``test_query_snapshot`` holds in ``make test``); the goal is
the worst list's ratio, its queries at 1 000 letters over its queries at 10, at most 1.

Run with ``pytest tests/benchmarks/bench_queries.py -m benchmark -s -p no:randomly -o python_files="bench_*.py"``.
"""

import pytest

from .query_counts import LARGE, SMALL, measure_both, pages
from .report import ratio_goal

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]


def test_every_list_costs_the_same_queries_at_10_and_1000_letters():
    lists = [page for page in pages() if page.is_list]
    counts = measure_both(lists)
    by_list: dict[str, list[str]] = {}
    for page in lists:
        c = counts[page.key]
        by_list.setdefault(page.name, []).append(f"{page.persona} {c['small']}→{c['large']}")
    print(f"\nRequêtes SQL de chaque liste, par persona, à {SMALL} → {LARGE} lettres :")
    for name, cells in by_list.items():
        print(f"  {name} : {', '.join(cells)}")
    worst_key = max(counts, key=lambda key: (counts[key]["large"] / counts[key]["small"], counts[key]["large"]))
    worst = counts[worst_key]
    ratio_goal(
        "5",
        f"Requêtes constantes avec les données : la liste qui croît le plus ({worst_key}), à {LARGE} lettres",
        app=worst["large"],
        reference=worst["small"],
        unit="requêtes",
        reference_label=f"la même à {SMALL} lettres",
        at_most=1,
    )
