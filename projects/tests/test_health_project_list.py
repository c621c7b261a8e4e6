"""The list of health projects (the ARS's weekly view) and the regional register of recognised CPTS (issue 16,
point 7): who sees which project, the clock read from the project's own deadline row, the register filled by the
tacit validation, its export."""

import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from projects.choices import HealthProjectStatus
from projects.workflows.health_project_services import health_projects_scan

from . import test_health_project_review_views as review

START, deposit, text = review.START, review.deposit, review.text
world = review.world  # the deposited-project fixture of the review pages

pytestmark = pytest.mark.django_db

LIST = reverse("projects:health_project_list")
REGISTER = reverse("projects:recognised_register")


def test_the_cpts_lists_its_draft_and_reviewers_see_it_only_once_deposited(client, world):
    w = world
    client.force_login(w.owner)
    assert w.cpts.name in text(client.get(LIST))
    dd_agent = w.reviewers[0][1]
    client.force_login(dd_agent)
    assert "Aucun projet de santé à afficher" in text(client.get(LIST))

    deposit(w)
    with time_machine.travel(START + dt.timedelta(days=1), tick=False):
        page = text(client.get(LIST))
    assert w.cpts.name in page
    assert "avis reçus 0/5" in page
    # The date the project's page shows (the open TACIT_VALIDATION row): deposit + 2 months, at 23:59.
    assert "le 3 mai 2025" in page and "60 jours restants" in page
    client.force_login(w.outsider)
    assert w.cpts.name not in text(client.get(LIST))


def test_anonymous_people_are_sent_to_the_login_page(client):
    for url in (LIST, REGISTER):
        response = client.get(url)
        assert response.status_code == 302 and "/connexion/" in response["Location"]
    assert client.post(REGISTER).status_code in (302, 405)


def test_the_tacit_validation_enters_the_cpts_in_its_region_s_register(client, world):
    w = world
    deposit(w)
    client.force_login(w.outsider)
    region = w.cpts.region.code
    assert "Aucune CPTS reconnue dans cette région" in text(client.get(REGISTER, {"region": region}))
    with time_machine.travel(dt.datetime(2025, 5, 4, 0, 1, tzinfo=START.tzinfo), tick=False):
        assert health_projects_scan() == 1
    w.project.refresh_from_db()
    assert w.project.status == HealthProjectStatus.VALIDATED_TACITLY

    response = client.get(REGISTER, {"region": region})
    page = text(response)
    # Recognised on the last day of the delay (silence until 3 May 23:59), whenever the scan ran after it.
    assert w.cpts.name in page and "Validation tacite" in page and "3 mai 2025" in page
    # The outsider reads the register (public information) but not the project: no link to it.
    assert reverse("projects:health_project_detail", args=[w.cpts.pk]) not in response.content.decode()
    client.force_login(w.agent)
    response = client.get(REGISTER, {"region": region})
    assert reverse("projects:health_project_detail", args=[w.cpts.pk]) in response.content.decode()

    export = client.get(REGISTER, {"region": region, "format": "csv"})
    assert export["Content-Disposition"] == f'attachment; filename="registre-cpts-reconnues-{region}.csv"'
    csv_text = export.content.decode("utf-8-sig")
    assert "Reconnue le" in csv_text and w.cpts.name in csv_text and "03/05/2025" in csv_text
    sheet = load_workbook(io.BytesIO(client.get(REGISTER, {"region": region, "format": "xlsx"}).content)).active
    row = [c.value for c in sheet[2]]
    assert row[0] == w.cpts.name and row[2] == "03/05/2025" and row[4] == 1


def test_an_unknown_region_is_a_404(client, world):
    client.force_login(world.owner)
    assert client.get(REGISTER, {"region": "ZZ"}).status_code == 404
