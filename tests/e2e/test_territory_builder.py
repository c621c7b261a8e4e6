"""A coordinator builds a territory by typing commune names, sees population and taille update, then the
diagnostic's chart and its table."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from accounts.choices import Role
from accounts.tests.factories import DepartementFactory, MembershipFactory, OrganisationFactory, RegionFactory

from .axe import assert_accessible

pytestmark = [pytest.mark.e2e]
PASSWORD = "mot-de-passe-test"
NNBSP = "\u202f"


@pytest.fixture
def lauragais(transactional_db):
    from diagnostics.choices import Aggregation
    from diagnostics.imports import indicator_dataset_import
    from diagnostics.tests.factories import CommuneFactory, IndicatorDefinitionFactory

    call_command("loaddata", "funding_scales", verbosity=0)  # the tailles' bounds are the scale's data
    region = RegionFactory()
    haute_garonne = DepartementFactory(code="31", name="Haute-Garonne", region=region)
    communes = [
        CommuneFactory(
            insee_code=code,
            name=name,
            population=population,
            departement=haute_garonne,
            postal_codes=[postal],
            postal_code_index=f" {postal} ",
        )  # fmt: skip
        for code, name, population, postal in [
            ("31582", "Villefranche-de-Lauragais", 4519, "31290"),
            ("31004", "Ayguesvives", 2655, "31450"),
            ("31048", "Baziège", 3346, "31450"),
            ("31506", "Saint-Orens-de-Gameville", 11830, "31650"),
            ("31113", "Castanet-Tolosan", 13529, "31320"),
        ]
    ]
    definitions = [
        IndicatorDefinitionFactory(code="mg", label="Médecins généralistes", unit="médecins", position=1),
        IndicatorDefinitionFactory(
            code="apl",
            label="APL médecins généralistes",
            unit="consultations/an/hab.",
            aggregation=Aggregation.WEIGHTED_MEAN,
            position=2,
        ),  # fmt: skip
    ]
    cpts = OrganisationFactory(name="CPTS du Lauragais", region=region)
    user = MembershipFactory(organisation=cpts, role=Role.COORDINATOR, user__email="camille@exemple.fr").user
    csv = "code_insee;mg;apl\n" + "".join(f"{c.insee_code};{i + 2};3,{i}\n" for i, c in enumerate(communes))
    indicator_dataset_import(
        SimpleUploadedFile("demo.csv", csv.encode()), indicators=definitions, label="Démo", is_demo=True, user=user
    )
    return user, cpts


def add_by_typing(page, typed: str, choice: str):
    search = page.get_by_role("combobox", name="Nom de commune, code INSEE, code postal ou EPCI")
    search.fill("")
    search.press_sequentially(typed, delay=40)
    option = page.get_by_role("option", name=re.compile(choice))
    option.wait_for()
    option.click()
    page.locator("#territory-panel").get_by_text(f"{choice} ajoutée au territoire.").wait_for()


def test_coordinator_builds_a_territory_by_typing_and_sees_the_diagnostic(lauragais, live_server, page):
    user, cpts = lauragais
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/")

    page.get_by_role("link", name="Territoires", exact=True).click()
    page.get_by_role("link", name="Territoire de CPTS du Lauragais").click()
    page.wait_for_url(f"{live_server.url}/territoires/{cpts.pk}/")
    population = page.locator("#territory-population")
    size = page.locator("#territory-size")
    assert population.inner_text().startswith("0 habitants")

    add_by_typing(page, "villefranche", "Villefranche-de-Lauragais")
    assert population.inner_text().startswith(f"4{NNBSP}519 habitants")
    assert "Taille 1" in size.inner_text()

    add_by_typing(page, "ayguesv", "Ayguesvives")  # accents and case do not matter
    add_by_typing(page, "BAZIEGE", "Baziège")
    add_by_typing(page, "st orens", "Saint-Orens-de-Gameville")
    assert population.inner_text().startswith(f"22{NNBSP}350 habitants")
    assert size.inner_text().startswith("Taille 1 – 22")
    assert "moins de 40" in size.inner_text()
    rows = page.locator("#territory-communes tbody tr")
    assert rows.count() == 4
    assert page.locator("svg.territory-map").is_visible()

    # Removing a commune refreshes the panel in place too.
    page.get_by_role("button", name="Retirer Baziège").click()
    page.locator("#territory-panel").get_by_text("Baziège retirée du territoire.").wait_for()
    assert population.inner_text().startswith(f"19{NNBSP}004 habitants")
    assert page.locator("#territory-departements").inner_text().startswith("31 – Haute-Garonne")
    assert_accessible(page)

    page.get_by_role("link", name="Voir le diagnostic territorial").click()
    page.wait_for_url(f"{live_server.url}/territoires/{cpts.pk}/diagnostic/")
    chart = page.get_by_role("img", name=re.compile("^Médecins généralistes Territoire"))
    assert chart.is_visible()
    table = page.get_by_role("table", name="Médecins généralistes : territoire et niveaux de comparaison", exact=True)
    assert table.is_visible()
    # mg values: Villefranche 2, Ayguesvives 3, Saint-Orens 5 -> 10 GPs in the territory.
    assert table.get_by_role("row", name=re.compile("^Territoire")).inner_text().split("\t")[1] == "10"
    assert page.get_by_text("Données fictives de démonstration").first.is_visible()
    assert_accessible(page)
