import pytest
from django.core.management import call_command

from accounts.choices import OrganisationKind, Role
from projects.workflows.letter_services import letter_open_review, letter_submit

from .factories import complete_letter, occitanie_circuit, reunion_circuit, user_in


@pytest.fixture
def grids(db):
    call_command("loaddata", "opinion_grids", verbosity=0)


@pytest.fixture
def circuit(region, colleague, grids):
    """Occitanie: the Guichet, three URPS (the colleague's URPS Médecins among them) and the ARS."""
    from accounts.models import Organisation

    medecins = Organisation.objects.get(kind=OrganisationKind.URPS, region=region)
    return occitanie_circuit(region, urps_count=3, reuse=[medecins])


@pytest.fixture
def reunion(other_region, grids):
    return reunion_circuit(other_region)


@pytest.fixture
def member(cpts):
    return user_in(cpts, Role.MEMBER)


@pytest.fixture
def letter(cpts, owner, circuit):
    return complete_letter(cpts)


@pytest.fixture
def foreign_reviewer(other_region):
    """A reviewer of another region's Guichet."""
    from accounts.tests.factories import OrganisationFactory

    guichet = OrganisationFactory(name="Guichet d'ailleurs", kind=OrganisationKind.GUICHET, region=other_region)
    return user_in(guichet, Role.REVIEWER)


@pytest.fixture
def under_review(letter, owner, circuit):
    """The letter deposited and taken in by the Guichet: its opinions are awaited."""
    letter_submit(letter=letter, by=owner)
    letter_open_review(letter=letter, by=circuit.desk_user)
    return letter
