"""Shared fixtures: the three personas every view is tested with."""

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django must accept ORM calls there (tests only).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def region(db):
    from accounts.tests.factories import RegionFactory

    return RegionFactory()


@pytest.fixture
def other_region(db):
    from accounts.tests.factories import RegionFactory

    return RegionFactory(code="04", name="La Réunion")


@pytest.fixture
def cpts(region):
    from accounts.tests.factories import OrganisationFactory

    return OrganisationFactory(name="CPTS du Lauragais", region=region)


@pytest.fixture
def owner(cpts):
    """The coordinator of the CPTS."""
    from accounts.choices import Role
    from accounts.tests.factories import MembershipFactory

    return MembershipFactory(organisation=cpts, role=Role.COORDINATOR, user__first_name="Camille").user


@pytest.fixture
def colleague(region):
    """A legitimate person with a different role: an URPS reviewer of the same region."""
    from accounts.choices import OrganisationKind, Role
    from accounts.tests.factories import MembershipFactory, OrganisationFactory

    urps = OrganisationFactory(
        name="URPS Médecins Occitanie", kind=OrganisationKind.URPS, region=region, profession="medecins"
    )
    return MembershipFactory(organisation=urps, role=Role.REVIEWER).user


@pytest.fixture
def outsider(other_region):
    """The coordinator of another CPTS in another region."""
    from accounts.choices import Role
    from accounts.tests.factories import MembershipFactory, OrganisationFactory

    other = OrganisationFactory(name="CPTS de l'Ouest", region=other_region)
    return MembershipFactory(organisation=other, role=Role.COORDINATOR).user
