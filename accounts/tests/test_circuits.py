"""The circuit of each stage, per regional settings: one read (``RegionalSettings.circuit``), at a fixed cost."""

import datetime as dt

import pytest
from django.db import IntegrityError

from accounts.choices import OrganisationKind, Stage
from accounts.models import RegionalSettings, StageCircuit, circuits_prefetch
from accounts.selectors import regional_settings_for
from accounts.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def settings_with_circuits(region):
    settings = RegionalSettings.objects.create(region=region, valid_from=dt.date(2019, 6, 1), letter_circuit="copil")
    copil = OrganisationFactory(name="COPIL", kind=OrganisationKind.COPIL, region=region)
    ars = OrganisationFactory(name="ARS", kind=OrganisationKind.ARS, region=region)
    cgss = OrganisationFactory(name="CGSS", kind=OrganisationKind.CGSS, region=region)
    letter = StageCircuit.objects.create(settings=settings, stage=Stage.LETTER, desk=copil, grid_code="lettre-copil")
    letter.reviewers.set([copil])
    project = StageCircuit.objects.create(
        settings=settings, stage=Stage.HEALTH_PROJECT, desk=ars, opinion_delay_days=30, decision_delay_months=2
    )
    project.reviewers.set([cgss])
    return settings


def test_each_stage_reads_its_own_circuit_and_an_unset_stage_reads_none(settings_with_circuits):
    settings = RegionalSettings.objects.get(pk=settings_with_circuits.pk)
    assert settings.circuit(Stage.LETTER).desk.name == "COPIL"
    assert settings.circuit(Stage.LETTER).grid_code == "lettre-copil"
    project = settings.circuit(Stage.HEALTH_PROJECT)
    assert (project.desk.name, project.decision_delay_months) == ("ARS", 2)
    assert [o.name for o in project.reviewers.all()] == ["CGSS"]
    assert settings.circuit(Stage.CONTRACT) is None


def test_the_circuits_cost_two_queries_once_per_instance(settings_with_circuits, django_assert_num_queries):
    settings = RegionalSettings.objects.get(pk=settings_with_circuits.pk)
    with django_assert_num_queries(2):  # the circuits with their desk, their reviewers
        for stage in Stage:
            circuit = settings.circuit(stage)
            if circuit:
                assert circuit.desk.name and list(circuit.reviewers.all())


@pytest.mark.parametrize("prefetch", [circuits_prefetch(), "circuits__reviewers"])
def test_prefetched_circuits_cost_no_query(settings_with_circuits, prefetch, django_assert_num_queries):
    settings = RegionalSettings.objects.prefetch_related(prefetch).get(pk=settings_with_circuits.pk)
    with django_assert_num_queries(0):
        assert [o.name for o in settings.circuit(Stage.LETTER).reviewers.all()] == ["COPIL"]
        assert settings.circuit(Stage.CONTRACT) is None


def test_the_settings_in_force_come_with_their_circuits(settings_with_circuits, region, django_assert_num_queries):
    with django_assert_num_queries(3):  # the settings, their circuits with desks, the reviewers
        settings = regional_settings_for(region=region, on=dt.date(2025, 1, 1))
        assert settings.circuit(Stage.LETTER).desk.name == "COPIL"
        assert [o.name for o in settings.circuit(Stage.HEALTH_PROJECT).reviewers.all()] == ["CGSS"]


def test_one_circuit_per_stage_and_settings(settings_with_circuits):
    with pytest.raises(IntegrityError):
        StageCircuit.objects.create(settings=settings_with_circuits, stage=Stage.LETTER)


def test_a_circuit_keeps_its_history_with_its_reviewers(settings_with_circuits, region):
    circuit = settings_with_circuits.circuit(Stage.LETTER)
    urps = OrganisationFactory(name="URPS", kind=OrganisationKind.URPS, region=region, profession="medecins")
    circuit.reviewers.add(urps)
    circuit.opinion_delay_days = 10
    circuit.save()
    latest = circuit.history.latest()
    assert latest.opinion_delay_days == 10
    assert {r.organisation.name for r in latest.reviewers.all()} == {"COPIL", "URPS"}
