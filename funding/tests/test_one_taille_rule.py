"""Population -> taille is one rule (``calculations.band_for_population``) over the scale's data: the calculator's
dataclasses and the accompaniment terms of a letter's decision (``projects``) read the same bands."""

import datetime as dt

import pytest

from funding import calculations as calc
from funding.selectors import scale_data, scale_in_force, scale_queryset
from projects.selectors import accompaniment_terms

ON = dt.date(2024, 6, 1)


@pytest.mark.parametrize("population", [1, 39_999, 40_000, 79_999, 80_000, 175_000, 175_001, 400_000])
def test_the_calculator_and_the_accompaniment_terms_give_the_same_taille(scales, population):
    row = scale_in_force(ON)
    assert row is not None
    data = scale_data(scale_queryset().get(pk=row.pk))
    terms = accompaniment_terms(population=population, on=ON)
    assert terms is not None
    assert terms.size == calc.taille_for_population(data, population)
    band = calc.band_for_population(row.sizes.all(), population)
    assert band is not None and terms.amount == band.accompaniment


def test_a_population_outside_every_band_has_no_band():
    bands = [calc.SizeBand(taille=1, population_min=1, population_max=10, operation=calc.ZERO)]
    assert calc.band_for_population(bands, 11) is None
    assert calc.band_for_population(bands, 10) == bands[0]
