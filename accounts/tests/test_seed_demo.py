import pytest
from django.core.management import call_command
from django.test import override_settings

from accounts.choices import LetterCircuit, OrganisationKind, Role
from accounts.models import Departement, Membership, Organisation, Region, RegionalSettings, User

pytestmark = pytest.mark.django_db

MODELS = [Region, Departement, Organisation, RegionalSettings, User, Membership]


def _counts():
    return {m.__name__: m.objects.count() for m in MODELS}


@override_settings(DEBUG=True)
def test_seed_demo_twice_gives_the_same_counts(capsys):
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")
    assert _counts() == first
    assert first["Region"] == 18 and first["Departement"] == 101
    out = capsys.readouterr().out
    assert "coordination@demo.portail-cpts.fr" in out and "mot de passe" in out


@override_settings(DEBUG=True)
def test_demo_world_has_the_regional_circuits():
    call_command("seed_demo")
    occitanie = RegionalSettings.objects.get(region__code="76")
    assert occitanie.letter_circuit == LetterCircuit.GUICHET_URPS
    assert occitanie.letter_desk.kind == OrganisationKind.GUICHET
    assert occitanie.letter_reviewers.filter(kind=OrganisationKind.URPS).count() == 10
    assert occitanie.fir_engineering_amount == 50000
    reunion = RegionalSettings.objects.get(region__code="04")
    assert reunion.letter_circuit == LetterCircuit.COPIL
    assert reunion.first_meeting_delay_days == 15
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == {r.value for r in Role}


def test_seed_demo_refuses_to_run_without_debug():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")


def test_reference_data_loads_without_demo_data_and_twice_changes_nothing():
    call_command("load_reference_data")
    first = _counts()
    call_command("load_reference_data")
    assert _counts() == first
    assert first["Region"] == 18 and first["User"] == 0 and first["Organisation"] == 0
