"""Population -> taille is one rule (``cpts_portal.tailles.band_for_population``) over the scale's data, read in
one place (``funding.selectors.size_bands_in_force``): the calculator's dataclasses, the accompaniment terms of a
letter's decision (``projects``) and the territory pages (``diagnostics``, through the reader funding hands it)
give the same taille."""

import datetime as dt

import pytest

from cpts_portal.tailles import band_for_population
from diagnostics.selectors import territory_size
from funding import calculations as calc
from funding.selectors import scale_data, scale_in_force, scale_queryset, size_band_for_population
from projects.selectors import accompaniment_terms

ON = dt.date(2024, 6, 1)


@pytest.mark.parametrize("population", [1, 39_999, 40_000, 79_999, 80_000, 175_000, 175_001, 400_000])
def test_the_calculator_the_letter_and_the_territory_give_the_same_taille(scales, population):
    row = scale_in_force(ON)
    assert row is not None
    data = scale_data(scale_queryset().get(pk=row.pk))
    terms = accompaniment_terms(population=population, on=ON)
    assert terms is not None
    # The territory pages read the scale in force today: the same amended scale as on ON.
    assert terms.size == calc.taille_for_population(data, population) == territory_size(population)
    band = size_band_for_population(population, ON)
    assert band is not None and terms.amount == band.accompaniment and band.scale == row


def test_a_population_outside_every_band_has_no_band():
    bands = [calc.SizeBand(taille=1, population_min=1, population_max=10, operation=calc.ZERO)]
    assert band_for_population(bands, 11) is None
    assert band_for_population(bands, 10) == bands[0]
