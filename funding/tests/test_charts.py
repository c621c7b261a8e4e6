"""The shared SVG chart helpers (cpts_portal.charts): accessible, escaped, CSP-safe. No database."""

import xml.etree.ElementTree as ET
from decimal import Decimal

from cpts_portal.charts import Series, horizontal_bar_chart, stacked_bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg) -> ET.Element:
    return ET.fromstring(str(svg))


def test_a_stacked_bar_chart_is_titled_described_patterned_and_labelled():
    svg = stacked_bar_chart(
        categories=["Année 1", "Année 2"],
        series=[Series("Fonctionnement", [Decimal(60000), Decimal(60000)]), Series("Fixe", [155000, 137500])],
        title="Financement <ACI>",
        desc="Deux années",
        unit=" €",
    )
    root = parse(svg)
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id and root.find(f"{SVG}title").text == "Financement <ACI>"
    assert root.find(f"{SVG}desc").get("id") == desc_id
    patterns = root.findall(f".//{SVG}pattern")
    assert len(patterns) == 2 and len({p.get("id") for p in patterns}) == 2
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Fonctionnement" in texts and "Fixe" in texts  # legend: colour is not the only cue
    assert "215\u202f000 €" in texts and "197\u202f500 €" in texts  # totals above the bars
    assert "Année 1" in texts
    assert all("style" not in element.attrib for element in root.iter())
    assert "<script" not in str(svg)


def test_two_charts_on_one_page_have_distinct_ids():
    a = parse(stacked_bar_chart(categories=["a"], series=[Series("s", [1])], title="A", desc="a"))
    b = parse(stacked_bar_chart(categories=["a"], series=[Series("s", [1])], title="B", desc="b"))
    assert a.get("aria-labelledby") != b.get("aria-labelledby")


def test_a_horizontal_bar_chart_writes_each_value_and_escapes_labels():
    svg = horizontal_bar_chart(
        items=[("Toulouse <31>", 471941), ("Albi", Decimal("48970.5"))], title="Population", desc="Par commune"
    )
    root = parse(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Toulouse <31>" in texts and "471\u202f941" in texts and "48\u202f971" in texts
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect") if r.get("height") == "22"]
    assert widths[0] > widths[1] > 0


def test_empty_and_zero_data_do_not_break():
    parse(stacked_bar_chart(categories=[], series=[], title="Vide", desc="Rien"))
    parse(horizontal_bar_chart(items=[("a", 0)], title="Zéro", desc="Rien"))
