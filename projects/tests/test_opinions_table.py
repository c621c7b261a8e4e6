"""The opinions on the dossier page with the 10 URPS of Occitanie and the Guichet: a summary per criterion
("8 favorables, 2 réservés") and one row per organisation, so that 11 organisations read at 1280 px (issue 12,
point 15: the table had 11 columns and overflowed)."""

import html
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import OrganisationFactory, RegionFactory
from projects.calculations import assessment_counts_text
from projects.choices import Assessment
from projects.services import opinion_give
from projects.workflows.letter_services import letter_open_review, letter_submit

from .factories import complete_letter, occitanie_circuit, user_in
from .walk import answers_for, consolidate

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def ten_urps(grids):
    call_command("loaddata", "funding_scales", verbosity=0)
    region = RegionFactory()
    cpts = OrganisationFactory(name="CPTS du Lauragais", region=region)
    owner = user_in(cpts, "coordinator")
    circuit = occitanie_circuit(region, urps_count=10)
    letter = complete_letter(cpts)
    letter_submit(letter=letter, by=owner)
    letter_open_review(letter=letter, by=circuit.desk_user)
    return letter, circuit


def give(letter, user, assessment):
    opinion_give(letter=letter, by=user, overall=assessment, comment="", answers=answers_for(letter, assessment))


def page_queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    sql = [q["sql"] for q in queries.captured_queries]
    return len([q for q in sql if "SAVEPOINT" not in q and "django_session" not in q]), text(response)


@pytest.mark.parametrize(
    "counts,expected",
    [
        ({"favorable": 8, "reserved": 2}, "8 favorables, 2 réservés"),
        ({"reserved": 1, "unfavorable": 1, "favorable": 0}, "1 réservé, 1 défavorable"),
        ({"unfavorable": 3}, "3 défavorables"),
        ({}, "aucun avis"),
    ],
)
def test_the_counts_read_as_a_sentence(counts, expected):
    assert assessment_counts_text(counts) == expected


def test_eleven_organisations_give_one_row_each_and_a_summary_per_criterion(client, ten_urps):
    letter, circuit = ten_urps
    url = reverse("projects:letter_detail", args=[letter.pk])
    client.force_login(circuit.desk_user)
    for user in circuit.reviewer_users[:2]:
        give(letter, user, Assessment.RESERVED)
    consolidate(letter, circuit)
    client.get(url)
    few, _page = page_queries(client, url)

    for user in circuit.reviewer_users[2:]:
        give(letter, user, Assessment.FAVORABLE)
    many, page = page_queries(client, url)
    assert many == few  # the table is built from prefetched rows

    summary = page[page.index('class="table table-sm opinion-summary"') :]
    summary = summary[: summary.index("</table>")]
    for label in ["Conformité des objectifs", "Mobilisation des acteurs de santé", "Identification du territoire"]:
        assert re.search(rf"{label}[^<]*</th><td>8 favorables, 2 réservés</td><td>Favorable</td>", summary), label
    assert "Avis global</th><td>8 favorables, 2 réservés</td><td>Favorable</td>" in summary

    table = page[page.index('class="table table-sm table-bordered opinions-by-organisation"') :]
    table = table[: table.index("</table>")]
    header = table[table.index("<thead>") : table.index("</thead>")]
    assert header.count('<th scope="col">') == 5  # organisation, the 3 criteria, the overall opinion
    assert table.count('<th scope="row">') == 11
    assert table.index("Avis consolidé – Guichet CPTS") < table.index("URPS infirmiers")  # the desk's row first
