"""The coordinator's "Ce qui vous attend" once the letter is validated: the next step (the health project), the
deadline the decision opened and the days left (issue 12, point 18: the panel was empty)."""

import html

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.choices import Role
from accounts.tests.factories import MembershipFactory, OrganisationFactory
from projects.choices import DeadlineKind

from .factories import complete_letter, territory_for
from .walk import to_transmitted, validate

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def awaiting_block(page: str) -> str:
    block = page[page.index("Ce qui vous attend") :]
    return block[: block.index("</section>")]


@pytest.fixture(autouse=True)
def scales(db):
    call_command("loaddata", "funding_scales", verbosity=0)


@pytest.fixture
def validated(letter, owner, circuit):
    to_transmitted(letter, owner, circuit)
    validate(letter, circuit.ars_decider, on=timezone.localdate())
    return letter


def test_after_validation_the_coordinator_sees_the_health_project_and_its_deadline(client, validated, owner):
    deadline = validated.deadlines.get(kind=DeadlineKind.ACCOMPANIMENT)
    days = (timezone.localdate(deadline.due_at) - timezone.localdate()).days
    assert 270 <= days <= 276  # 9 months

    client.force_login(owner)
    block = awaiting_block(text(client.get(reverse("accounts:home"))))
    url = reverse("projects:health_project_detail", args=[validated.cpts_id])
    assert f'<a href="{url}">Ouvrir et rédiger le projet de santé</a>' in block
    assert "Dépôt du projet de santé et adhésion à l'ACI" in block
    assert f"avant le <strong>{date_format(timezone.localdate(deadline.due_at), 'j F Y')}</strong>" in block
    assert f"encore {days} jours" in block

    client.post(reverse("projects:health_project_start", args=[validated.cpts_id]))
    block = awaiting_block(text(client.get(reverse("accounts:home"))))
    assert f'<a href="{url}">Rédiger le projet de santé</a>' in block


def test_a_passed_deadline_says_by_how_many_days(client, validated, owner):
    deadline = validated.deadlines.get(kind=DeadlineKind.ACCOMPANIMENT)
    type(deadline).objects.filter(pk=deadline.pk).update(
        due_at=timezone.now() - timezone.timedelta(days=3), alert_at=timezone.now() - timezone.timedelta(days=30)
    )
    client.force_login(owner)
    assert "dépassée de 3 jours" in awaiting_block(text(client.get(reverse("accounts:home"))))


def test_the_home_page_costs_the_same_queries_with_more_validated_letters(client, validated, owner, circuit, region):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(owner)
    client.get(reverse("accounts:home"))

    def cost():
        with CaptureQueriesContext(connection) as queries:
            page = text(client.get(reverse("accounts:home")))
        return len([q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]), page

    small, _page = cost()
    for n in range(2):
        other = OrganisationFactory(name=f"CPTS voisine {n}", region=region)
        MembershipFactory(organisation=other, role=Role.COORDINATOR, user=owner)
        territory_for(other, communes=[(f"Commune voisine {n}", 3000 + n)])
        letter = complete_letter(other, with_territory=False)
        coordinator = type(owner).objects.get(pk=owner.pk)  # memberships are cached on the instance
        to_transmitted(letter, coordinator, circuit)
        validate(letter, circuit.ars_decider, on=timezone.localdate())
    large, page = cost()
    assert awaiting_block(page).count("projet de santé</a>") == 3
    assert large == small, (small, large)
