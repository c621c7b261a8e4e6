"""The size bounds come from the funding scale in force; a scale whose taille 3 has no maximum falls back to the
texts' bounds (it used to reach the comparisons as None and answer 500 on the territory page)."""

import html

import pytest
from django.core.management import call_command
from django.urls import reverse

from diagnostics import calculations as calc
from diagnostics.selectors import size_bounds_in_force
from funding.models import ScaleSize

from .factories import CommuneFactory, TerritoryCommuneFactory, TerritoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_taille_3(db):
    call_command("loaddata", "funding_scales", verbosity=0)
    ScaleSize.objects.filter(taille=3).update(population_max=None)


def test_a_scale_without_a_taille_3_maximum_keeps_the_texts_bounds(open_taille_3):
    assert size_bounds_in_force() == calc.ACI_SIZE_BOUNDS


def test_the_territory_page_of_a_large_territory_opens_under_such_a_scale(client, owner, cpts, open_taille_3):
    territory = TerritoryFactory(cpts=cpts)
    TerritoryCommuneFactory(territory=territory, commune=CommuneFactory(name="Colomiers", population=100_000))
    client.force_login(owner)
    response = client.get(reverse("diagnostics:territory_edit", kwargs={"cpts_pk": cpts.pk}))
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "100\u202f000 habitants" in page
    assert "80 000 et 175 000 habitants exactement relèvent de la taille 3." in page
