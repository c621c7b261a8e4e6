"""The demo territory of seed_demo: idempotent, and skipped when communes are not loaded."""

import pytest
from django.core.management import call_command

from diagnostics.demo import DEMO_COMMUNES, DEMO_DATASET_FILE, DEMO_DATASET_LABEL, seed_diagnostics_demo
from diagnostics.models import IndicatorDataset, IndicatorDefinition, IndicatorValue, TerritoryCommune

from .factories import CommuneFactory

pytestmark = pytest.mark.django_db


def test_demo_territory_needs_the_communes_and_runs_twice_without_duplicates(cpts):
    assert seed_diagnostics_demo(cpts) is False
    assert not TerritoryCommune.objects.exists()
    for code in DEMO_COMMUNES:
        CommuneFactory(insee_code=code)
    call_command("loaddata", "indicators", verbosity=0)
    assert seed_diagnostics_demo(cpts) is True
    assert not IndicatorDataset.objects.exists()  # the dataset's neighbours are missing: no half import
    for line in DEMO_DATASET_FILE.read_text().splitlines()[1:]:
        CommuneFactory(insee_code=line.split(";")[0])
    assert seed_diagnostics_demo(cpts) is True
    assert seed_diagnostics_demo(cpts) is True
    assert cpts.territory.entries.count() == len(DEMO_COMMUNES)
    dataset = IndicatorDataset.objects.get(label=DEMO_DATASET_LABEL)
    catalogue = IndicatorDefinition.objects.filter(is_active=True).count()
    assert dataset.is_demo and dataset.indicators.count() == catalogue == 35  # every indicator of the catalogue
    assert IndicatorValue.objects.filter(dataset=dataset).values("commune").distinct().count() == 26
