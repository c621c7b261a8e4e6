"""The demo coordinator of the CPTS that has fiches opens its health project in Chromium (issue 12, acceptance):
the six sections with their state, the fiches counted in the actions section, and each fiche listed once the
section is opened. The demo is built by ``seed_demo`` itself, as ``make run`` builds it."""

import pytest
from django.core.management import call_command
from django.test import override_settings

from accounts.demo import CPTS_NAME, DEMO_PASSWORD

from .axe import assert_accessible

pytestmark = [pytest.mark.e2e]

# The Lauragais is in Occitanie: the panel follows that ARS's template (seed 003; ``accounts.demo.OCCITANIE_TEMPLATE``).
SECTIONS = [
    "1. Structure juridique porteuse du projet de la CPTS",
    "2. Diagnostic territorial de la CPTS",
    "3. Actions de la CPTS selon les missions définies par l'ACI",
    "4. Organisation de la CPTS",
    "5. Budget prévisionnel",
    "6. Démarche qualité et évaluation",
]


@pytest.fixture
def demo_world(transactional_db, monkeypatch):
    from tests.demo_world import demo_communes_create

    # The letters' PDFs would be rendered on commit (seconds each): this journey does not open them.
    monkeypatch.setattr("projects.tasks.document_render.delay", lambda *args, **kwargs: None)
    demo_communes_create()
    with override_settings(DEBUG=True):
        call_command("seed_demo", verbosity=0)


def test_the_demo_coordinator_opens_the_health_project_with_its_sections_and_fiches(demo_world, live_server, page):
    from accounts.models import Organisation
    from missions.models import ActionSheet

    cpts = Organisation.objects.get(name=CPTS_NAME)
    titles = list(ActionSheet.objects.filter(plan__cpts=cpts, is_archived=False).values_list("title", flat=True))
    assert len(titles) >= 8

    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill("coordination@demo.portail-cpts.fr")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("link", name=CPTS_NAME).first.click()
    page.get_by_role("link", name="sections et état d'avancement").first.click()

    assert page.get_by_role("heading", level=1).inner_text() == f"Projet de santé de {CPTS_NAME}"
    for section in SECTIONS:
        assert page.get_by_role("rowheader", name=section).is_visible(), section
    actions = page.get_by_role("row").filter(has_text="Actions de la CPTS")
    assert f"{len(titles)} fiches action dont 4 validées" in actions.inner_text()
    assert "16 communes" in page.get_by_role("row").filter(has_text="Diagnostic territorial").inner_text()
    # The fiches' validations are the dossiers' one status log (issue 13, point 5), read on the project's page.
    history = page.get_by_role("region", name="Historique des validations")
    assert "Fiche action" in history.inner_text() and " → " in history.inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Ouvrir la section Actions de la CPTS selon les missions définies par l'ACI").click()
    for title in titles:
        assert page.get_by_text(title, exact=False).first.is_visible(), title
