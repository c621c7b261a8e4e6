"""A coordinator opens the funding simulator from their CPTS, changes the missions, sees totals and chart change."""

import datetime as dt
import re

import pytest
from django.core.management import call_command

from accounts.choices import Role
from accounts.tests.factories import MembershipFactory, OrganisationFactory, RegionFactory

from .axe import assert_accessible

pytestmark = [pytest.mark.e2e]
PASSWORD = "mot-de-passe-test"
NNBSP, NBSP = "\u202f", "\u00a0"


def eur(amount: str) -> str:
    return amount.replace(" ", NNBSP) + NBSP + "€"


@pytest.fixture
def coordinator(transactional_db):
    from diagnostics.models import Commune, Territory, TerritoryCommune

    call_command("loaddata", "funding_scales", verbosity=0)
    cpts = OrganisationFactory(name="CPTS du Lauragais", region=RegionFactory())
    territory = Territory.objects.create(cpts=cpts, instructing_region=cpts.region)
    for code, name in (("11076", "Castelnaudary"), ("31582", "Villefranche-de-Lauragais")):
        TerritoryCommune.objects.create(
            territory=territory, commune=Commune.objects.create(insee_code=code, name=name, population=30000)
        )
    user = MembershipFactory(organisation=cpts, role=Role.COORDINATOR, user__email="camille@exemple.fr").user
    from missions.models import ActionPlan

    ActionPlan.objects.create(cpts=cpts, planned_signature_date=dt.date(2027, 10, 1))
    return user, cpts


def chart_totals(page) -> list[str]:
    return page.locator("#funding-chart svg text[font-weight='bold']").all_text_contents()


def test_coordinator_changes_missions_and_sees_totals_and_chart_change(coordinator, live_server, page):
    user, cpts = coordinator
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/organisations/{cpts.pk}/")
    page.get_by_role("link", name="Simulateur de financement").last.click()
    page.wait_for_url(re.compile(rf".*/financement/simulateur/\?cpts={cpts.pk}$"))
    assert page.get_by_label("ou population du territoire (habitants)").input_value() == "60000"
    # The signature defaults to the one the action plan plans (issue 12 §19), and the page says so.
    assert page.get_by_label("Date de signature de l'ACI").input_value() == "2027-10-01"
    assert "Date de signature prévue du plan d'action : 01/10/2027" in page.locator("#planned-signature").inner_text()
    total = page.locator("#total-5-years")
    # Taille 2, core missions, signed on 01/10/2027 (after the 30/09/2022 cut-off): 295 000 + 4 × 277 500.
    assert total.inner_text() == eur("1 405 000")
    assert chart_totals(page) == [eur("295 000"), *[eur("277 500")] * 4]
    svg_before = page.locator("#funding-chart svg").inner_html()
    assert_accessible(page)

    # Adding mission 5 (10 000 fixed + 10 000 variable a year for taille 2) recomputes without a reload.
    page.get_by_label("5 – Qualité et pertinence (optionnelle)").check()
    page.wait_for_function(
        "expected => document.getElementById('total-5-years')?.innerText === expected", arg=eur("1 505 000")
    )
    assert chart_totals(page) == [eur("315 000"), *[eur("297 500")] * 4]
    assert page.locator("#funding-chart svg").inner_html() != svg_before
    assert "Mission 5 – Qualité et pertinence : volet fixe" in page.locator("#simulation-results").inner_text()
    assert "missions=5" in page.url  # the URL can be shared and reloaded

    # Leaving out a core mission is refused with its name.
    page.get_by_label("4 – Crises sanitaires graves (socle)").uncheck()
    page.wait_for_function("() => !document.getElementById('total-5-years')")
    assert "il manque : 4 – Crises sanitaires graves" in page.locator("#simulator-form").inner_text()

    # The plain GET form works too: the "Calculer" button reloads the page with the result.
    page.get_by_label("4 – Crises sanitaires graves (socle)").check()
    page.get_by_role("button", name="Calculer").click()
    page.wait_for_load_state()
    assert page.locator("#total-5-years").inner_text() == eur("1 505 000")
    assert page.locator("#payment-table tbody tr").count() > 20
    assert_accessible(page)
