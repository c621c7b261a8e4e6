"""Query-count snapshot of every list and detail page at 10 and at 1 000 letters, part of ``make test`` (issue 14,
points 3 and 5). The world and its growth: ``query_counts``.

Every list, and every page of the health project and of the members' signatures, costs no more queries at 1 000
letters than at 10, for every persona that may read it (no query per row; they are equal when run alone); no page
costs more than the committed snapshot (``query_snapshot.json``) at either size. The table of every page's counts is
printed (``-s``).

Run:    .venv/bin/pytest tests/benchmarks/test_query_snapshot.py -s -p no:randomly
Update: QUERY_SNAPSHOT_UPDATE=1 .venv/bin/pytest tests/benchmarks/test_query_snapshot.py -s   (then commit the JSON)
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from .query_counts import EVERY_READER, LARGE, SMALL, measure_both, pages

SNAPSHOT = Path(__file__).with_name("query_snapshot.json")


@pytest.mark.django_db
def test_lists_cost_the_same_queries_at_10_and_1000_letters_and_no_page_more_than_the_snapshot():
    measured = pages()
    current = measure_both(measured)
    lists = {p.key for p in measured if p.is_list}
    # The health project's and the signatures' pages read the project's own rows: constant too (issue 16).
    constant = lists | {p.key for p in measured if p.name.startswith(EVERY_READER)}
    # A list that costs fewer queries at 1 000 letters is no N+1 (a cache the small size warmed, in a full run).
    growing = {key: c for key, c in current.items() if key in constant and c["large"] > c["small"]}
    print(f"\n{len(current)} pages mesurées (requêtes SQL à {SMALL} → {LARGE} lettres) :")
    for key, c in current.items():
        mark = "  ← croît avec les données" if key in growing else ""
        print(f"  {'liste' if key in lists else 'page '} {key:62} {c['small']:4} → {c['large']:4}{mark}")
    if os.environ.get("QUERY_SNAPSHOT_UPDATE"):
        SNAPSHOT.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
        pytest.skip(f"instantané réécrit : {SNAPSHOT}")
    snapshot = json.loads(SNAPSHOT.read_text())
    worse = [
        f"{key} à {size} : {current[key][size]} requêtes (instantané : {snapshot[key][size]})"
        for key in current
        if key in snapshot
        for size in ("small", "large")
        if current[key][size] > snapshot[key][size]
    ]
    new = sorted(set(current) - set(snapshot))
    assert not growing, f"Des pages coûtent des requêtes par ligne ({SMALL} → {LARGE} lettres) : " + ", ".join(
        f"{key} {c['small']} → {c['large']}" for key, c in growing.items()
    )
    assert not worse, "Des pages coûtent plus de requêtes qu'avant :\n" + "\n".join(worse)
    assert not new, f"Pages absentes de l'instantané (QUERY_SNAPSHOT_UPDATE=1 pour l'ajouter) : {new}"
