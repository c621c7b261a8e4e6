"""axe-core on every page each role reaches: the coordinator, the Guichet and an URPS (reviewers), the ARS, the
Assurance Maladie and the administrator. 0 serious or critical violation (WCAG 2.1 A/AA rules).

The pages are the authorization matrix's: every URL pattern the persona may read (GET 200), on the matrix's world
(a CPTS with its territory, a letter under review, members, documents, a budget, an action plan), visited in a
signed-in browser, HTML pages only (downloads and JSON are not pages)."""

import pytest
from django.urls import reverse

from tests.authz.matrix import declared_rules

from .axe import axe_violations

pytestmark = [pytest.mark.e2e]

PASSWORD = "mot-de-passe-test"
NOT_PAGES = ("export", "download", "pdf", "agreement", "personal_data", "commune_search", "accounts:health")
ROLES = ["coordinator", "desk", "urps", "ars", "health_insurance", "admin"]


@pytest.fixture
def world(transactional_db):
    from tests.authz.world import build_world

    return build_world()


def login(page, live_server, user):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/")


def pages_for(world, persona) -> list[str]:
    urls = []
    for name, rule in sorted(declared_rules().items()):
        if rule.GET[persona] == "200" and not any(part in name for part in NOT_PAGES):
            urls.append(reverse(name, kwargs=rule.kwargs(world)))
    if persona == "admin":
        urls += [
            reverse("admin:index"),
            reverse("admin:governance_member_changelist"),
            reverse("admin:governance_governancedocument_changelist"),
            reverse("admin:accounts_regionalsettings_changelist"),
        ]
    return urls


@pytest.mark.parametrize("persona", ROLES)
def test_every_page_of_each_role_has_no_serious_accessibility_violation(world, live_server, page, persona):
    login(page, live_server, world.users[persona])
    found, visited = [], 0
    for url in pages_for(world, persona):
        response = page.goto(f"{live_server.url}{url}")
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        visited += 1
        for v in axe_violations(page):
            targets = ", ".join(str(n["target"]) for n in v["nodes"][:3])
            found.append(f"{url} : {v['id']} ({v['impact']}) {v['help']} – {targets}")
    print(f"\n{persona} : {visited} pages analysées par axe")
    assert visited >= 5
    assert not found, "\n".join(found)
