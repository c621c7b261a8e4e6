"""The member count as the scale counts it is one function (``selectors.cpts_member_count``) over governance's
register: the budget and the health project read the same figure, whatever the scale's taille 4++ rule counts."""

import datetime as dt

import pytest
from django.core.management import call_command

from funding import calculations as calc
from funding.models import FundingScale
from funding.selectors import cpts_member_count, scale_data, scale_in_force, scale_queryset
from governance.tests.factories import MemberFactory, StructureMemberFactory
from projects.models import HealthProject
from projects.selectors.health_project import health_project_page, health_project_snapshot

ON = dt.date(2025, 6, 1)


@pytest.fixture
def roster(cpts):
    call_command("loaddata", "professions", verbosity=0)
    MemberFactory.create_batch(2, cpts=cpts)
    StructureMemberFactory(cpts=cpts)
    MemberFactory(cpts=cpts, left_on=dt.date(2025, 1, 1))  # gone before ON


def _health_project_count(cpts) -> tuple[str, int]:
    project = HealthProject(cpts=cpts)
    organisation = next(s for s in health_project_page(project, on=ON).sections if s.number == 4)
    return organisation.summary, health_project_snapshot(project, on=ON)["organisation"]["member_count"]


@pytest.mark.parametrize(("counts", "expected"), [(calc.COUNT_MEMBERS, 3), (calc.COUNT_PROFESSIONALS, 2)])
def test_the_budget_and_the_health_project_count_as_the_scale_counts(scales, cpts, roster, counts, expected):
    FundingScale.objects.update(increase_counts=counts)
    row = scale_in_force(ON)
    assert row is not None
    data = scale_data(scale_queryset().get(pk=row.pk))
    assert cpts_member_count(cpts, on=ON, scale=data) == cpts_member_count(cpts, on=ON) == expected
    summary, frozen = _health_project_count(cpts)
    assert frozen == expected and summary.startswith(f"{expected} membres")


def test_without_a_scale_every_member_counts(cpts, roster):
    assert cpts_member_count(cpts, on=ON) == 3
