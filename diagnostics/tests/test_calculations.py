"""Pure calculations: tailles from the scale's bands, population, aggregation by sum and weighted mean, overlaps."""

from decimal import Decimal

import pytest

from cpts_portal.formatting import format_number
from diagnostics import calculations as calc
from diagnostics.imports import parse_french_number
from diagnostics.normalise import normalise_name
from funding.calculations import ZERO, SizeBand
from funding.tests.scales import AVENANT_2, shipped_scales

NNBSP = "\u202f"


# The tailles' bounds are data: the shipped scale's bands (read from the fixture, no database).
BANDS = next(s for s in shipped_scales() if s.code == AVENANT_2).sizes


@pytest.mark.parametrize(
    ("population", "size"),
    [
        (0, 1),
        (39_999, 1),
        (40_000, 2),
        (79_999, 2),
        (80_000, 3),
        (175_000, 3),
        (175_001, 4),
        (2_000_000, 4),
    ],
)
def test_size_bounds(population, size):
    assert calc.size_from_population(population, BANDS) == size


def test_size_bounds_come_from_the_bands_given():
    bands = [
        SizeBand(1, 0, 29_999, ZERO),
        SizeBand(2, 30_000, 69_999, ZERO),
        SizeBand(3, 70_000, 150_000, ZERO),
        SizeBand(4, 150_001, None, ZERO),
    ]
    assert [calc.size_from_population(p, bands) for p in (29_999, 30_000, 150_000, 150_001)] == [1, 2, 3, 4]
    assert (
        calc.size_bounds_note(bands) == f"70{NNBSP}000 et 150{NNBSP}000 habitants exactement relèvent de la taille 3."
    )


def test_no_bands_no_taille_and_no_threshold_in_code():
    assert calc.size_from_population(100_000, []) is None
    assert calc.size_explanation(100_000, []) == "" and calc.size_bands([]) == [] and calc.size_bounds_note([]) == ""


def test_the_shipped_bands_in_words():
    assert calc.size_bands(BANDS) == [
        (1, f"moins de 40{NNBSP}000 habitants"),
        (2, f"de 40{NNBSP}000 à 79{NNBSP}999 habitants"),
        (3, f"de 80{NNBSP}000 à 175{NNBSP}000 habitants inclus"),
        (4, f"plus de 175{NNBSP}000 habitants"),
    ]
    assert (
        calc.size_bounds_note(BANDS) == f"80{NNBSP}000 et 175{NNBSP}000 habitants exactement relèvent de la taille 3."
    )


@pytest.mark.parametrize(
    ("population", "expected"),
    [
        (80_000, f"80{NNBSP}000 habitants exactement : taille 3 (de 80{NNBSP}000 à 175{NNBSP}000 habitants inclus)"),
        (175_000, f"175{NNBSP}000 habitants exactement : taille 3 (de 80{NNBSP}000 à 175{NNBSP}000 habitants inclus)"),
        (40_000, f"40{NNBSP}000 habitants exactement : taille 2 (de 40{NNBSP}000 à 79{NNBSP}999 habitants)"),
        (39_999, f"39{NNBSP}999 habitants : taille 1 (moins de 40{NNBSP}000 habitants)"),
        (175_001, f"175{NNBSP}001 habitants : taille 4 (plus de 175{NNBSP}000 habitants)"),
    ],
)
def test_size_explanation_states_the_bound(population, expected):
    assert calc.size_explanation(population, BANDS) == expected


def test_population_counts_declared_parts_and_reports_unknown_ones():
    parts = [
        calc.PopulationPart(10_000),
        calc.PopulationPart(50_000, is_partial=True, declared_population=12_000),
        calc.PopulationPart(None),
    ]
    total = calc.population_total(parts)
    assert (total.total, total.declared_total, total.unknown_count) == (22_000, 12_000, 1)
    assert parts[1].share == Decimal("0.24")


def test_sum_aggregation_matches_hand_computation():
    # 3 GPs for 1 000 inhabitants, 7 for 3 000, and 10 in a commune covered for a quarter of its 4 000.
    values = [
        calc.CommuneValue(Decimal(3), 1000),
        calc.CommuneValue(Decimal(7), 3000),
        calc.CommuneValue(Decimal(10), 4000, share=Decimal("0.25")),
    ]
    aggregate = calc.aggregate_sum(values)
    assert aggregate.value == Decimal("12.5")  # 3 + 7 + 10 x 0.25
    assert aggregate.population == 5000  # 1 000 + 3 000 + 1 000
    assert aggregate.rate == Decimal(25)  # 12.5 / 5 000 x 10 000
    assert aggregate.count == 3


def test_weighted_mean_matches_hand_computation():
    # APL 2.0 for 1 000 inhabitants, 4.0 for 3 000: (2 000 + 12 000) / 4 000 = 3.5 (plain mean would be 3).
    values = [calc.CommuneValue(Decimal("2.0"), 1000), calc.CommuneValue(Decimal("4.0"), 3000)]
    assert calc.aggregate_weighted_mean(values).value == Decimal("3.5")
    # A part weighs its share: 4.0 over 3 000 x 1/3 = 1 000 -> (2 000 + 4 000) / 2 000 = 3.
    values[1] = calc.CommuneValue(Decimal("4.0"), 3000, share=Decimal(1) / Decimal(3))
    assert calc.aggregate_weighted_mean(values).value.quantize(Decimal("0.0001")) == Decimal("3.0000")


def test_weighted_mean_without_any_population_falls_back_to_plain_mean():
    values = [calc.CommuneValue(Decimal(2), None), calc.CommuneValue(Decimal(4), None)]
    assert calc.aggregate_weighted_mean(values).value == Decimal(3)
    assert calc.aggregate_sum([]).value is None


def test_aggregate_from_database_sums():
    mean = calc.aggregate_from_sums(
        "weighted_mean", value_sum=Decimal(6), weighted_sum=Decimal(14_000), population=4000, count=2
    )
    assert mean.value == Decimal("3.5")
    total = calc.aggregate_from_sums("sum", value_sum=Decimal(10), weighted_sum=None, population=4000, count=2)
    assert (total.value, total.rate) == (Decimal(10), Decimal(25))
    assert calc.aggregate_from_sums("sum", value_sum=None, weighted_sum=None, population=None, count=0).value is None


@pytest.mark.parametrize(
    ("mine", "theirs", "kind"),
    [
        (calc.Claim(1, None, False), calc.Claim(1, None, False), "conflict"),
        (calc.Claim(1, None, False), calc.Claim(1, None, True), "conflict"),
        (calc.Claim(1, None, True), calc.Claim(1, None, False), "conflict"),
        (calc.Claim(1, None, True), calc.Claim(1, None, True), "shared"),
        (calc.Claim(1, None, False), calc.Claim(2, None, False), None),
        # Paris (1) whole vs its 11th arrondissement (11): the city contains it.
        (calc.Claim(1, None, False), calc.Claim(11, 1, False), "conflict"),
        (calc.Claim(1, None, True), calc.Claim(11, 1, False), "shared"),
        (calc.Claim(11, 1, False), calc.Claim(1, None, False), "conflict"),
        (calc.Claim(11, 1, False), calc.Claim(1, None, True), "shared"),
        # Two different arrondissements of one city never overlap.
        (calc.Claim(11, 1, False), calc.Claim(12, 1, False), None),
    ],
)
def test_overlap_kind(mine, theirs, kind):
    assert calc.overlap_kind(mine, theirs) == kind


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Saint-Orens-de-Gameville", "st orens de gameville"),
        ("st orens", "st orens"),
        ("ÉCOLE-VALENTIN", "ecole valentin"),
        # The leading article is dropped (INSEE's search key), so "Le Tampon" and "Tampon" meet.
        ("L'Haÿ-les-Roses", "hay les roses"),
        ("Le Tampon", "tampon"),
        ("les cassés", "casses"),
        ("La Possession", "possession"),
        ("Le", "le"),
        ("Cœuvres-et-Valsery", "coeuvres et valsery"),
        ("  Sainte   Foy ", "ste foy"),
    ],
)
def test_normalise_name(text, expected):
    assert normalise_name(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12,5", "12.5000"), ("1 234,5", "1234.5000"), ("1\u202f234,5", "1234.5000"), ("1.234,5", "1234.5000"),
     ("12.5", "12.5000"), ("-3", "-3.0000"), ("0,25", "0.2500")],
)  # fmt: skip
def test_parse_french_number(text, expected):
    assert parse_french_number(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["abc", "12,5,3", "1e5", "NaN", "Infinity", "", "12 %", "99999999999999999"])
def test_parse_french_number_refuses(text):
    with pytest.raises(ValueError):
        parse_french_number(text)


def test_format_number_is_french():
    assert format_number(Decimal("12345.678"), 1) == f"12{NNBSP}345,7"
    assert format_number(Decimal("3.50"), 2) == "3,5"
    assert format_number(None) == "–"
    assert format_number(-1500) == f"-1{NNBSP}500"
