"""SVG map and charts: readable without colour (patterns, words), CSP-safe (no style attribute, no script)."""

import re
from decimal import Decimal

import pytest

from accounts.tests.factories import OrganisationFactory
from diagnostics import calculations as calc
from diagnostics.maps import MapCommune, territory_map
from diagnostics.reports import LevelValue, comparison_chart, territory_map_svg
from diagnostics.selectors import territory_summary

from .factories import CommuneFactory, TerritoryCommuneFactory, TerritoryFactory, engage, square_wkb


def test_chart_names_every_level_writes_every_value_and_uses_patterns():
    levels = [
        LevelValue("territory", "Territoire", calc.Aggregate(Decimal("25"), 6000, 2)),
        LevelValue("departement", "Haute-Garonne (31)", calc.Aggregate(Decimal("24.04"), 9000, 3)),
        LevelValue("region", "Occitanie", calc.Aggregate(None, 0, 0)),
        LevelValue("france", "France", calc.Aggregate(Decimal("22"), 90000, 30)),
    ]
    svg = comparison_chart(levels, title="Médecins <généralistes>", unit="médecins pour 10 000 habitants")
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert "Médecins &lt;généralistes&gt;" in svg
    for label in ("Territoire", "Haute-Garonne (31)", "Occitanie", "France", "24", "22", "pas de données"):
        assert label in svg
    assert "Occitanie : pas de données" in svg and "France : 22 médecins pour 10 000 habitants" in svg  # the desc
    # Each level its own pattern (not colour alone), drawn by the portal's one chart engine.
    fills = re.findall(r'<rect x="190" y="\d+" width="[\d.]+" height="22" fill="url\(#(chart\d+-p\d)\)"', svg)
    assert len(fills) == 3 and len(set(fills)) == 3
    assert 'class="diagnostic-chart"' in svg
    assert " style=" not in svg and "<script" not in svg


def test_map_draws_territory_shared_partial_and_neighbours_with_scale_and_legend():
    communes = [
        MapCommune("Voisine", square_wkb(2), role="neighbour"),
        MapCommune("Ayguesvives", square_wkb(0)),
        MapCommune("Baziège", square_wkb(1), is_shared=True),
        MapCommune("Montgiscard", square_wkb(20), is_partial=True),
    ]
    svg = territory_map(communes, title="Carte du territoire")
    assert svg.count("<path") >= 6
    for text in (
        "Commune du territoire",
        "Partagée avec une autre CPTS",
        "Commune voisine",
        "Commune incluse en partie",
    ):
        assert text in svg
    assert re.search(r">\d+(,\d+)? km<", svg)
    assert "<title>Baziège</title>" in svg and "dont 1 partagées" in svg
    assert " style=" not in svg and "<script" not in svg


def test_no_map_without_outlines():
    assert territory_map([MapCommune("Sans contour", None)], title="x") is None


@pytest.mark.django_db
def test_map_of_a_territory_takes_neighbours_from_the_database(cpts):
    a, b, neighbour = CommuneFactory(), CommuneFactory(), CommuneFactory()
    far = CommuneFactory(geometry_wkb=square_wkb(0, origin=(5.0, 48.0)), min_lon=5.0, max_lon=5.05, min_lat=48.0,
                         max_lat=48.05, name="Lointaine")  # fmt: skip
    territory = TerritoryFactory(cpts=cpts)
    TerritoryCommuneFactory(territory=territory, commune=a)
    TerritoryCommuneFactory(territory=territory, commune=b)
    other = TerritoryFactory(cpts=OrganisationFactory())
    TerritoryCommuneFactory(territory=other, commune=b)
    engage(other.cpts)
    svg = territory_map_svg(territory_summary(territory))
    assert f"<title>{neighbour.name}</title>" in svg and far.name not in svg
    assert "dont 1 partagées" in svg
