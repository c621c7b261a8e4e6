"""The letter list costs the same queries whatever the number of letters or of CPTS a person belongs to
(issue 14, point 5): as the Guichet, as an URPS, as a coordinator of several CPTS."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.choices import Role
from accounts.tests.factories import MembershipFactory, OrganisationFactory
from projects.workflows.letter_services import letter_open_review, letter_submit

from .factories import complete_letter, territory_for, user_in

pytestmark = pytest.mark.django_db


def _cost(client, user) -> int:
    client.force_login(user)
    client.get(reverse("projects:letter_list"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("projects:letter_list"))
    assert response.status_code == 200
    return len([q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]])


def _letters_under_review(count, *, start, region, circuit, coordinator=None):
    for n in range(start, start + count):
        cpts = OrganisationFactory(name=f"CPTS numéro {n}", region=region)
        owner = coordinator or user_in(cpts, Role.COORDINATOR)
        if coordinator is not None:
            MembershipFactory(organisation=cpts, role=Role.COORDINATOR, user=coordinator)
            owner = type(coordinator).objects.get(pk=coordinator.pk)  # memberships are cached on the instance
        territory_for(cpts, communes=[(f"Commune {n}", 2000 + n)])
        letter = complete_letter(cpts, with_territory=False)
        letter_submit(letter=letter, by=owner)
        letter_open_review(letter=letter, by=circuit.desk_user)


@pytest.mark.parametrize("persona", ["desk", "urps"])
def test_the_reviewers_letter_list_costs_the_same_queries_with_more_letters(client, circuit, region, persona):
    user = circuit.desk_user if persona == "desk" else circuit.reviewer_users[0]
    _letters_under_review(2, start=0, region=region, circuit=circuit)
    small = _cost(client, user)
    _letters_under_review(6, start=2, region=region, circuit=circuit)
    large = _cost(client, user)
    assert large == small, (small, large)


def test_a_coordinator_of_several_cpts_pays_the_same_queries_for_their_list(client, circuit, region, owner):
    _letters_under_review(1, start=0, region=region, circuit=circuit, coordinator=owner)
    small = _cost(client, owner)
    _letters_under_review(5, start=1, region=region, circuit=circuit, coordinator=owner)
    large = _cost(client, owner)
    assert large == small, (small, large)
