"""axe-core on every page of the health project in review and of the members' signatures (issue 16), for every role
that reads them: the CPTS's coordinator and member, the ARS's agent and decider, each organisation consulted (the DD,
the CPAM, the MSA, the Guichet as Inter-URPS, the ELSM), the administrator, and whoever holds a signing link. 0
serious or critical violation (WCAG 2.1 A/AA rules), on each page as it opens and on each form sent back with its
errors (an empty POST: the opinion, complements, prepare and sign decision, paper signature and signing forms).

The pages are the authorization matrix's (``tests.authz.projects`` and ``governance``: GET 200 for the persona), on
its world (``tests.authz.world._health_project_in_review``: version 2 deposited after complements, opinions given
and awaited, a decision prepared; a signature round with a link not used yet)."""

import pytest
from django.urls import reverse

from tests.authz.matrix import declared_rules

from .axe import axe_violations
from .test_accessibility_journeys import login

pytestmark = [pytest.mark.e2e]

PREFIXES = ("projects:health_project_", "projects:recognised_register", "governance:signature_")
NOT_PAGES = ("download", "scan")  # PDFs
# The forms whose errors are checked too (an empty POST comes back with them).
FORMS = {
    "projects:health_project_opinion",
    "projects:health_project_complements",
    "projects:health_project_prepare_decision",
    "projects:health_project_sign_decision",
    "governance:signature_paper",
    "governance:signature_sign",
}
ROLES = [
    "coordinator",
    "member",
    "ars",
    "ars_decider",
    "dd",
    "health_insurance",
    "msa",
    "desk",
    "elsm",
    "admin",
    "anonymous",
]


@pytest.fixture
def world(transactional_db):
    from tests.authz.world import build_world

    return build_world()


def pages_for(world, persona) -> list[tuple[str, str]]:
    found = []
    for name, rule in sorted(declared_rules().items()):
        if name.startswith(PREFIXES) and rule.GET[persona] == "200" and not any(p in name for p in NOT_PAGES):
            found.append((name, reverse(name, kwargs=rule.kwargs(world))))
    return found


def report(url, violations) -> list[str]:
    return [
        f"{url} : {v['id']} ({v['impact']}) {v['help']} – " + ", ".join(str(n["target"]) for n in v["nodes"][:3])
        for v in violations
    ]


@pytest.mark.parametrize("persona", ROLES)
def test_the_health_project_and_signature_pages_have_no_serious_accessibility_violation(
    world, live_server, page, persona
):
    if persona != "anonymous":
        login(page, live_server, world.users[persona])
    found, visited, forms = [], [], 0
    for name, url in pages_for(world, persona):
        response = page.goto(f"{live_server.url}{url}")
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        visited.append(name)
        found += report(url, axe_violations(page))
        if name in FORMS:
            page.locator("form[method=post] button[type=submit]").last.click()
            page.wait_for_load_state()
            found += report(f"{url} (erreurs)", axe_violations(page))
            forms += 1
    print(f"\n{persona} : {len(visited)} pages, {forms} formulaires en erreur analysés par axe : {', '.join(visited)}")
    assert visited
    if persona in ("coordinator", "ars", "ars_decider", "desk"):
        assert "projects:health_project_detail" in visited
    assert not found, "\n".join(found)
