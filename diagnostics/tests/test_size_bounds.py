"""The tailles' bounds are the funding scale's data, read where funding handed its reader over (no fallback
bounds in code); a scale whose taille 3 has no maximum still opens the territory page (it used to reach the
comparisons as None and answer 500)."""

import datetime as dt
import html

import pytest
from django.core.management import call_command
from django.urls import reverse

from diagnostics import selectors
from diagnostics.selectors import size_bands_in_force, territory_size
from funding.models import ScaleSize
from funding.selectors import size_bands_in_force as funding_reader

from .factories import CommuneFactory, TerritoryCommuneFactory, TerritoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_taille_3(db):
    call_command("loaddata", "funding_scales", verbosity=0)
    ScaleSize.objects.filter(taille=3).update(population_max=None)


def test_funding_hands_its_reader_over_when_the_apps_load():
    assert selectors._size_bands_reader is funding_reader


def test_the_bands_are_those_of_the_scale_in_force_on_the_day(scales, django_assert_num_queries):
    with django_assert_num_queries(1):
        bands = size_bands_in_force(dt.date(2024, 1, 1))
    assert [(b.taille, b.population_min, b.population_max) for b in bands] == [
        (1, 0, 39_999), (2, 40_000, 79_999), (3, 80_000, 175_000), (4, 175_001, None)
    ]  # fmt: skip
    assert bands[0].scale.code == "aci-2019-avenant-2"
    assert size_bands_in_force(dt.date(2019, 1, 1)) == []  # before the first scale: no bands, no guess


def test_a_changed_scale_changes_the_taille(scales):
    ScaleSize.objects.filter(taille=2).update(population_max=89_999)
    ScaleSize.objects.filter(taille=3).update(population_min=90_000)
    assert territory_size(85_000) == 2


def test_the_territory_page_of_a_large_territory_opens_under_such_a_scale(client, owner, cpts, open_taille_3):
    territory = TerritoryFactory(cpts=cpts)
    TerritoryCommuneFactory(territory=territory, commune=CommuneFactory(name="Colomiers", population=100_000))
    client.force_login(owner)
    response = client.get(reverse("diagnostics:territory_edit", kwargs={"cpts_pk": cpts.pk}))
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "100\u202f000 habitants" in page
    assert "Taille 3</strong>" in page
