import datetime as dt

import pytest
from django.core.management import call_command


@pytest.fixture
def scales(db):
    """The two shipped scales, loaded as seed_demo loads them."""
    call_command("loaddata", "funding_scales", verbosity=0)


@pytest.fixture
def budget(scales, cpts, owner):
    """A budget of the personas' CPTS: taille 2, core missions, signed before the 30/09/2022 cut-off."""
    from funding.services import budget_save_parameters

    return budget_save_parameters(
        organisation=cpts, by=owner, signed_on=dt.date(2022, 3, 1), missions=["1", "2", "3", "4"], taille=2
    )


@pytest.fixture
def member(cpts):
    """A plain member (not coordinator) of the personas' CPTS."""
    from accounts.choices import Role
    from accounts.tests.factories import MembershipFactory

    return MembershipFactory(organisation=cpts, role=Role.MEMBER).user
