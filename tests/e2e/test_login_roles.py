"""One demo login per (organisation kind, role) logs in through Chromium and lands on its home page; an outsider is
refused."""

import pytest
from django.core.management import call_command
from django.test import override_settings

from accounts.demo import DEMO_PASSWORD, LOGINS, DemoLogin
from accounts.models import Organisation

from .axe import assert_accessible

pytestmark = [pytest.mark.e2e]

EXPECTED_HEADING = {
    "administrator": "Administration de la plateforme",
    "coordinator": "Mes projets de CPTS",
    "member": "Mes projets de CPTS",
    "reviewer": "Dossiers en attente de votre avis",
    "agent": None,
    "decider": "Dossiers à instruire",
}


@pytest.fixture
def demo_world(transactional_db):
    with override_settings(DEBUG=True):
        call_command("seed_demo")


def _login(page, live_server, email):
    page.goto(f"{live_server.url}/connexion/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert_accessible(page)
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/")


def _one_login_per_kind_and_role() -> list[DemoLogin]:
    """The first demo login of each distinct (organisation kind, role) pair: the 35 logins repeat a dozen pairs
    (eleven URPS reviewers, seven CPTS coordinators…) and each took about 5 s in Chromium for nothing new."""
    names = {login.organisation for login in LOGINS}
    kinds = dict(Organisation.objects.filter(name__in=names).values_list("name", "kind"))
    chosen: dict[tuple[str, str], DemoLogin] = {}
    for login in LOGINS:
        chosen.setdefault((kinds[login.organisation], login.role), login)
    return list(chosen.values())


def test_every_demo_login_lands_on_its_home_page(demo_world, live_server, page):
    logins = _one_login_per_kind_and_role()
    assert {login.role for login in logins} == {login.role for login in LOGINS} == set(EXPECTED_HEADING)
    for login in logins:
        _login(page, live_server, login.email)
        assert page.get_by_role("heading", level=1).inner_text().startswith("Bonjour")
        expected = EXPECTED_HEADING[login.role]
        if expected:
            assert page.get_by_role("heading", name=expected).is_visible(), login.email
        assert page.get_by_text(login.organisation).first.is_visible()
        assert_accessible(page)
        page.get_by_role("button", name="Se déconnecter").click()
        page.wait_for_url(f"{live_server.url}/connexion/")


def test_an_outsider_gets_a_403_on_another_organisations_page(demo_world, live_server, page):
    cpts = Organisation.objects.get(name="CPTS du Lauragais (projet)")
    _login(page, live_server, "ars-reunion@demo.portail-cpts.fr")
    response = page.goto(f"{live_server.url}/organisations/{cpts.pk}/")
    assert response.status == 403
    assert page.get_by_role("heading", name="Accès refusé").is_visible()
    assert "coordination@demo.portail-cpts.fr" not in page.content()
