"""A coordinator imports a members file with a bad line, reads the error, fixes the file and sees the counts."""

import html

import pytest

from accounts.choices import Role
from accounts.tests.factories import MembershipFactory, OrganisationFactory, RegionFactory
from governance.tests.factories import CommuneFactory, load_professions, rpps_for

from .axe import assert_accessible

pytestmark = [pytest.mark.e2e]
PASSWORD = "mot-de-passe-test"

HEADER = "Nom;Prénom;Profession;RPPS;Code INSEE commune;Date d'adhésion;Gouvernance;Rédaction du projet"


def members_file(bad: bool) -> bytes:
    third_rpps = "10000001347" if bad else rpps_for(3)  # wrong Luhn key in the bad file
    lines = [
        HEADER,
        f"Garrigues;Hélène;Médecin généraliste;{rpps_for(1)};11076;12/03/2024;oui;oui",
        f"Fabre;Julien;Médecin généraliste;{rpps_for(2)};11076;2024-03-12;non;oui",
        f"Rouquette;Sophie;Infirmier;{third_rpps};11076;12/03/2024;oui;non",
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.fixture
def coordinator(transactional_db):
    load_professions()
    CommuneFactory(insee_code="11076", name="Castelnaudary")
    cpts = OrganisationFactory(name="CPTS du Lauragais", region=RegionFactory())
    user = MembershipFactory(organisation=cpts, role=Role.COORDINATOR, user__email="camille@exemple.fr").user
    return user, cpts


def test_coordinator_fixes_a_bad_line_and_sees_the_counts_table(coordinator, live_server, page):
    user, cpts = coordinator
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/")

    page.get_by_role("link", name="Organisation").first.click()
    page.wait_for_url(f"{live_server.url}/gouvernance/{cpts.pk}/")
    page.get_by_role("link", name="Membres", exact=True).click()
    page.get_by_role("link", name="Importer un fichier").click()
    assert_accessible(page)

    page.get_by_label("Fichier des membres (CSV ou XLSX)").set_input_files(
        {"name": "membres.csv", "mimeType": "text/csv", "buffer": members_file(bad=True)}
    )
    page.get_by_role("button", name="Importer").click()
    errors = page.locator("#import-errors")
    errors.wait_for()
    message = html.unescape(errors.inner_text())
    assert "aucune ligne n'a été enregistrée" in message
    assert "ligne 4, colonne « RPPS » : Le numéro RPPS est invalide (clé de contrôle erronée)." in message
    assert errors.locator("li").count() == 1
    assert_accessible(page)

    page.get_by_label("Fichier des membres (CSV ou XLSX)").set_input_files(
        {"name": "membres.csv", "mimeType": "text/csv", "buffer": members_file(bad=False)}
    )
    page.get_by_role("button", name="Importer").click()
    page.wait_for_url(f"{live_server.url}/gouvernance/{cpts.pk}/")
    assert page.get_by_text("Import terminé : 3 membre(s) ajouté(s)").is_visible()

    table = page.locator("#counts-table")
    gp_row = table.locator("tr", has_text="Médecins généralistes")
    assert [c.strip() for c in gp_row.locator("td").all_inner_texts()] == ["2", "66,7 %", "1", "2"]
    nurse_row = table.locator("tr", has_text="Infirmiers")
    assert [c.strip() for c in nurse_row.locator("td").all_inner_texts()] == ["1", "33,3 %", "1", "0"]
    assert table.locator("tfoot td").first.inner_text().strip() == "3"
    assert_accessible(page)
