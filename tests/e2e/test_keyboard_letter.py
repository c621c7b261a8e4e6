"""The letter circuit with the keyboard only (Tab, Shift+Tab, arrows, Space, Enter and typing; no mouse): the
coordinator signs in, corrects the draft and submits it; an URPS reviewer signs in, opens the opinion form, answers
the three criteria and records the opinion. Every control is reached in the page's focus order."""

import re

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.e2e]

PASSWORD = "mot-de-passe-test"
MAX_TABS = 300


@pytest.fixture
def world(transactional_db):
    from accounts.choices import OrganisationKind, Role
    from accounts.tests.factories import MembershipFactory, OrganisationFactory, RegionFactory
    from projects.tests.factories import complete_letter, occitanie_circuit

    call_command("loaddata", "opinion_grids", "funding_scales", verbosity=0)
    region = RegionFactory()
    cpts = OrganisationFactory(name="CPTS du Lauragais", region=region)
    coordinator = MembershipFactory(organisation=cpts, role=Role.COORDINATOR, user__first_name="Camille").user
    urps = OrganisationFactory(name="URPS Médecins", kind=OrganisationKind.URPS, region=region, profession="medecins")
    reviewer = MembershipFactory(organisation=urps, role=Role.REVIEWER).user
    circuit = occitanie_circuit(region, urps_count=1, reuse=[urps])
    letter = complete_letter(cpts, needs="Brouillon à corriger.")
    return {"letter": letter, "coordinator": coordinator, "reviewer": reviewer, "circuit": circuit}


def focused(page, selector: str, text: str = "") -> bool:
    return page.evaluate(
        "([s, t]) => { const e = document.activeElement; return !!e && e.matches(s) && e.innerText.includes(t); }",
        [selector, text],
    )


def tab_to(page, selector: str, text: str = "") -> None:
    """Press Tab until the element matching ``selector`` (showing ``text``) has the focus: it must be in the focus
    order."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if focused(page, selector, text):
            return
    raise AssertionError(f"{selector} n'est jamais atteint au clavier sur {page.url}")


def arrow_to(page, selector: str) -> None:
    """In a radio group, move with the arrow keys until ``selector`` is focused (and so checked)."""
    for _ in range(10):
        if focused(page, selector):
            return
        page.keyboard.press("ArrowRight")
    raise AssertionError(f"{selector} n'est pas atteint aux flèches")


def sign_in(page, live_server, user):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/connexion/")
    tab_to(page, 'input[name="username"]')
    page.keyboard.type(user.email)
    tab_to(page, 'input[name="password"]')
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")


def test_the_letter_circuit_with_the_keyboard_only(world, live_server, page):
    from projects.choices import LetterStatus
    from projects.models import GridCriterion, Opinion
    from projects.workflows.letter_services import letter_open_review

    letter = world["letter"]

    # The coordinator corrects the draft and submits it.
    sign_in(page, live_server, world["coordinator"])
    page.goto(f"{live_server.url}/dossiers/lettres/{letter.pk}/modifier/")
    tab_to(page, "#id_needs")
    page.keyboard.press("Control+A")
    page.keyboard.type("12 % des patients en ALD sans médecin traitant.")
    tab_to(page, 'button[type="submit"]', "Enregistrer et déposer")
    page.keyboard.press("Enter")
    # Submitting is irreversible: the confirmation page, its box ticked with Space.
    page.wait_for_url(re.compile(rf"/dossiers/lettres/{letter.pk}/deposer/confirmer/$"))
    tab_to(page, 'input[name="confirm"]')
    page.keyboard.press("Space")
    tab_to(page, 'button[type="submit"]', "Confirmer le dépôt")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/dossiers/lettres/{letter.pk}/$"))
    letter.refresh_from_db()
    assert letter.status == LetterStatus.SUBMITTED and letter.needs.startswith("12 % des patients")

    letter_open_review(letter=letter, by=world["circuit"].desk_user)

    # The URPS reviewer gives its opinion on the three criteria.
    sign_in(page, live_server, world["reviewer"])
    page.goto(f"{live_server.url}/dossiers/lettres/{letter.pk}/")
    tab_to(page, "a", "Donner l'avis de mon organisation")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/avis/$"))
    for criterion in GridCriterion.objects.filter(grid__letter_circuit="guichet_urps"):
        tab_to(page, f'input[name="c{criterion.pk}_assessment"]')
        arrow_to(page, f'input[name="c{criterion.pk}_assessment"][value="favorable"]')
        page.keyboard.press("Space")
        tab_to(page, f'textarea[name="c{criterion.pk}_comment"]')
        page.keyboard.type(f"Bien sur {criterion.code}")
    tab_to(page, 'input[name="overall"]')
    arrow_to(page, 'input[name="overall"][value="favorable"]')
    page.keyboard.press("Space")
    tab_to(page, 'button[type="submit"]', "Enregistrer l'avis")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/dossiers/lettres/{letter.pk}/$"))
    assert page.get_by_text("Votre avis est enregistré.").is_visible()
    opinion = Opinion.objects.get(organisation__kind="urps")
    assert opinion.overall == "favorable" and opinion.answers.filter(assessment="favorable").count() == 3
