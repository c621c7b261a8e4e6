import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts.choices import OrganisationKind, Role
from accounts.models import Organisation, RegionalSettings
from accounts.selectors import regional_settings_for
from accounts.services import membership_grant, membership_revoke
from accounts.tests.factories import DepartementFactory, OrganisationFactory, RegionFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_role_must_suit_the_organisation_kind(cpts):
    with pytest.raises(ValidationError, match="n'existe pas pour ce type"):
        membership_grant(user=UserFactory(), organisation=cpts, role=Role.DECIDER)


def test_granting_twice_keeps_one_membership_and_revoking_keeps_history(cpts):
    user = UserFactory()
    first = membership_grant(user=user, organisation=cpts, role=Role.MEMBER)
    assert membership_grant(user=user, organisation=cpts, role=Role.MEMBER).pk == first.pk
    membership_revoke(membership=first)
    first.refresh_from_db()
    assert not first.is_active
    assert first.history.count() == 2


def test_a_person_may_belong_to_several_organisations(cpts, region):
    user = UserFactory()
    other = OrganisationFactory(region=region)
    membership_grant(user=user, organisation=cpts, role=Role.MEMBER)
    membership_grant(user=user, organisation=other, role=Role.COORDINATOR)
    assert user.memberships.count() == 2


def test_urps_requires_a_profession_by_constraint(region):
    with pytest.raises(IntegrityError):
        Organisation.objects.create(name="URPS sans profession", kind=OrganisationKind.URPS, region=region)


def test_departement_must_belong_to_the_region():
    other = RegionFactory(code="04", name="La Réunion")
    org = Organisation(name="CPAM", kind=OrganisationKind.CPAM, region=other, departement=DepartementFactory())
    with pytest.raises(ValidationError, match="n'appartient pas à la région"):
        org.full_clean()


def test_regional_settings_in_force_on_a_date(region):
    RegionalSettings.objects.create(region=region, valid_from=dt.date(2019, 6, 1), letter_circuit="guichet_urps")
    newer = RegionalSettings.objects.create(region=region, valid_from=dt.date(2025, 1, 1), letter_circuit="ars_direct")
    assert regional_settings_for(region=region, on=dt.date(2024, 12, 31)).valid_from == dt.date(2019, 6, 1)
    assert regional_settings_for(region=region, on=dt.date(2025, 3, 1)) == newer
    assert regional_settings_for(region=region, on=dt.date(2018, 1, 1)) is None
