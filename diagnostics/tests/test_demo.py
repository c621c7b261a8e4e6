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


def test_the_demo_diagnostic_of_the_validated_cpts_lacks_nothing_and_a_rerun_changes_nothing(
    cpts, owner, settings, tmp_path
):
    from diagnostics.models import Diagnostic, DiagnosticLink
    from diagnostics.selectors import diagnostic_missing, diagnostic_snapshot

    settings.MEDIA_ROOT = str(tmp_path)
    for code in DEMO_COMMUNES:
        CommuneFactory(insee_code=code)
    assert seed_diagnostics_demo(cpts, with_dataset=False, with_narrative=True, user=owner) is True
    assert diagnostic_missing(cpts) == []
    snapshot = diagnostic_snapshot(cpts)
    assert snapshot["data_collected"]["annex"]["name"] == "annexe-donnees-collectees.pdf"
    assert {link["kind"] for link in snapshot["links"]} == {"dac", "cls", "hospital", "pts"}
    assert snapshot["particularities"]["31582"]["labels"] == ["ZAC"]
    assert "70 ans ou plus" in snapshot["narrative"]["population_text"]
    annex = Diagnostic.objects.get().data_annex.name
    seed_diagnostics_demo(cpts, with_dataset=False, with_narrative=True, user=owner)
    assert DiagnosticLink.objects.count() == 4 and Diagnostic.objects.get().data_annex.name == annex
