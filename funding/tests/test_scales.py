"""The shipped scales load as data, reload idempotently, and match what the pure tests read from the fixture."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import ProtectedError

from accounts.demo import REFERENCE_FIXTURES
from funding.models import FundingScale, ScaleMission, ScaleMissionAmount, ScaleSize
from funding.selectors import scale_data_list, scale_in_force, territory_population
from funding.services import scale_duplicate
from funding.tests.scales import shipped_scales

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_the_scales():
    assert "funding_scales" in REFERENCE_FIXTURES


def test_both_scales_load_and_reload_without_duplicates(scales):
    call_command("loaddata", "funding_scales", verbosity=0)
    assert list(FundingScale.objects.order_by("effective_from").values_list("code", flat=True)) == [
        "aci-2019",
        "aci-2019-avenant-2",
    ]
    assert ScaleSize.objects.count() == 8
    assert ScaleMission.objects.count() == 5 + 6
    assert ScaleMissionAmount.objects.count() == 4 * 11
    avenant = FundingScale.objects.get(code="aci-2019-avenant-2")
    assert avenant.additional_operation_until == dt.date(2022, 9, 30)
    assert (avenant.increase_rate, avenant.increase_threshold, avenant.increase_comparison) == (
        Decimal("0.1000"),
        100,
        "at_least",
    )
    assert avenant.increase_counts == "members" and avenant.increase_applies_to == "year_total"
    assert list(avenant.sizes.values_list("accompaniment", flat=True)) == [
        Decimal(15000),
        Decimal(17500),
        Decimal(25000),
        Decimal(30000),
    ]


def test_the_database_scales_are_the_ones_the_pure_tests_check(scales, django_assert_num_queries):
    with django_assert_num_queries(4):
        from_db = scale_data_list()
    assert from_db == shipped_scales()


def test_the_scale_in_force_on_a_date(scales):
    assert scale_in_force(dt.date(2020, 1, 1)).code == "aci-2019"
    assert scale_in_force(dt.date(2024, 1, 1)).code == "aci-2019-avenant-2"
    assert scale_in_force(dt.date(2019, 1, 1)) is None


def test_an_administrator_adds_a_scale_by_copying_one(scales):
    source = FundingScale.objects.get(code="aci-2019-avenant-2")
    copy = scale_duplicate(scale=source, code="aci-avenant-3", name="ACI avenant 3", effective_from=dt.date(2027, 1, 1))
    assert copy.sizes.count() == 4 and copy.missions.count() == 6
    assert ScaleMissionAmount.objects.filter(mission__scale=copy).count() == 24
    assert scale_in_force(dt.date(2027, 6, 1)) == copy
    assert scale_in_force(dt.date(2026, 6, 1)) == source
    codes = [s.code for s in scale_data_list()]
    assert codes == ["aci-2019", "aci-2019-avenant-2", "aci-avenant-3"]


def test_a_scale_used_by_a_budget_cannot_be_deleted(budget):
    with pytest.raises(ProtectedError):
        budget.scale.delete()


def test_territory_population_counts_whole_communes_and_declared_parts(cpts):
    from diagnostics.models import Commune, Territory, TerritoryCommune

    assert territory_population(cpts) is None
    territory = Territory.objects.create(cpts=cpts, instructing_region=cpts.region)
    a = Commune.objects.create(insee_code="31001", name="A", population=30000)
    b = Commune.objects.create(insee_code="31002", name="B", population=50000)
    TerritoryCommune.objects.create(territory=territory, commune=a)
    TerritoryCommune.objects.create(
        territory=territory, commune=b, is_partial=True, perimeter="quartiers nord", declared_population=12000
    )
    assert territory_population(cpts) == 42000
