"""The opinions of the 10 URPS of Occitanie and the Guichet on the dossier page, in Chromium at 1280 px: the
summary per criterion reads "8 favorables, 2 réservés" and the table of opinions fits the window, with no
horizontal scrolling (issue 12, point 15)."""

import os

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.e2e]

PASSWORD = "mot-de-passe-test"
SCREENSHOT = os.environ.get("E2E_SCREENSHOT_DIR")


@pytest.fixture
def world(transactional_db):
    from accounts.choices import Role
    from accounts.tests.factories import MembershipFactory, OrganisationFactory, RegionFactory
    from projects.choices import Assessment
    from projects.services import opinion_give
    from projects.tests.factories import complete_letter, occitanie_circuit
    from projects.tests.walk import answers_for, consolidate
    from projects.workflows.letter_services import letter_open_review, letter_submit

    call_command("loaddata", "opinion_grids", "funding_scales", verbosity=0)
    region = RegionFactory()
    cpts = OrganisationFactory(name="CPTS du Lauragais", region=region)
    coordinator = MembershipFactory(organisation=cpts, role=Role.COORDINATOR).user
    circuit = occitanie_circuit(region, urps_count=10)
    letter = complete_letter(cpts)
    letter_submit(letter=letter, by=coordinator)
    letter_open_review(letter=letter, by=circuit.desk_user)
    for n, user in enumerate(circuit.reviewer_users):
        assessment = Assessment.RESERVED if n < 2 else Assessment.FAVORABLE
        answers = {
            c: (assessment, "Une représentation des professionnels du territoire à élargir avant le projet de santé.")
            for c in answers_for(letter)
        }
        opinion_give(letter=letter, by=user, overall=assessment, comment="Avis motivé de l'URPS.", answers=answers)
    consolidate(letter, circuit)
    return {"letter": letter, "circuit": circuit}


def test_eleven_opinions_read_at_1280_px(world, live_server, page):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill(world["circuit"].desk_user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/dossiers/lettres/{world['letter'].pk}/")

    summary = page.locator("table.opinion-summary")
    assert summary.get_by_role("row", name="Mobilisation des acteurs de santé 8 favorables, 2 réservés").is_visible()
    table = page.locator("table.opinions-by-organisation")
    assert table.locator("tbody tr").count() == 11
    assert table.locator("thead th").count() == 5
    # Nothing overflows: neither the table in its scrolling box, nor the page.
    box = table.locator("xpath=..")
    assert box.evaluate("e => e.scrollWidth <= e.clientWidth"), box.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert table.bounding_box()["x"] + table.bounding_box()["width"] <= 1280
    if SCREENSHOT:
        page.locator("#h-opinions").scroll_into_view_if_needed()
        page.screenshot(path=os.path.join(SCREENSHOT, "opinions-1280.png"), full_page=True)
