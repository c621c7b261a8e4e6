"""Each rule lives once (conventions, "Layers"): month arithmetic, thousands grouping, population -> taille and the
SVG charts each have one implementation in cpts_portal, and no other module of the portal writes its own."""

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from cpts_portal.dates import add_months
from cpts_portal.formatting import format_euros, format_number
from cpts_portal.tailles import band_for_population, taille_for_population

ROOT = Path(__file__).resolve().parents[2]
APPS = ["cpts_portal", "accounts", "diagnostics", "governance", "missions", "funding", "projects"]
NNBSP, NBSP = "\u202f", "\u00a0"

# A rule's own body, found by what only a copy of it would write.
COPIES = {
    "cpts_portal/dates.py": [r"calendar\.monthrange", r"def add_months\b", r"relativedelta"],
    "cpts_portal/formatting.py": [r"insert\(0, integer\[-3:\]\)", r"\{[^}]*:,\}", r"number_format\("],
    "cpts_portal/tailles.py": [r"population_max is None or population <=", r"\b175_?000\b", r"\b80_?000\b"],
}


def _sources():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if "/tests/" in relative or "/migrations/" in relative or relative.endswith("/demo.py"):
                continue
            yield relative, path.read_text(encoding="utf-8")


@pytest.mark.parametrize("home", sorted(COPIES))
def test_no_module_writes_the_rule_again(home):
    patterns = [re.compile(p) for p in COPIES[home]]
    copies = [
        f"{relative}: {pattern.pattern}"
        for relative, source in _sources()
        if relative != home
        for pattern in patterns
        if pattern.search(source)
    ]
    assert copies == [], f"the rule of {home} written again"


def test_one_chart_engine():
    """The SVG charts of every app (funding's years, diagnostics' comparison levels) are drawn by cpts_portal.charts;
    the territory map (diagnostics.maps) is a map, not a chart."""
    engines = sorted(p.relative_to(ROOT).as_posix() for app in APPS for p in (ROOT / app).rglob("charts.py"))
    assert engines == ["cpts_portal/charts.py"]
    drawing_bars = [relative for relative, source in _sources() if "<rect" in source and "_bar" in source]
    assert drawing_bars == ["cpts_portal/charts.py"]


def test_the_rules_themselves():
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2024, 3, 31), -1) == dt.date(2024, 2, 29)
    assert format_number(Decimal("1450000")) == f"1{NNBSP}450{NNBSP}000"
    assert format_number(Decimal("-12345.678"), 1) == f"-12{NNBSP}345,7"
    assert format_euros(Decimal("1450000")) == f"1{NNBSP}450{NNBSP}000{NBSP}€"
    assert format_euros(Decimal("3780.815")) == f"3{NNBSP}780,82{NBSP}€"
    assert format_euros(Decimal("12.5")) == f"12,50{NBSP}€"
    assert format_euros(Decimal("-1000.00")) == f"-1{NNBSP}000{NBSP}€"


class _Band:
    def __init__(self, taille, low, high):
        self.taille, self.population_min, self.population_max = taille, low, high


def test_the_taille_is_the_data_s():
    bands = [_Band(2, 10, 19), _Band(1, 0, 9), _Band(3, 20, None)]
    assert [taille_for_population(bands, p) for p in (0, 9, 10, 19, 20, 10**7)] == [1, 1, 2, 2, 3, 3]
    assert taille_for_population([], 5) is None and band_for_population(bands[:1], 25) is None
