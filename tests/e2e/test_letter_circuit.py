"""The whole intention-letter circuit in Chromium: the coordinator writes the letter and submits it after a
confirmation step (issue 12 point 21); one of two URPS gives its opinion, which the coordinator does not read yet
(point 17); the Guichet consolidates and transmits with the other opinion missing, stating why (point 11); an ARS
agent prepares the decision and a decider signs it (point 12); the coordinator then reads the opinions, the decision
and its deadline, and downloads the PDF (read back with pypdf)."""

import hashlib
import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.formats import date_format
from pypdf import PdfReader

from projects.calculations import add_months

from .axe import assert_accessible

pytestmark = [pytest.mark.e2e]

PASSWORD = "mot-de-passe-test"


@pytest.fixture
def world(transactional_db):
    from accounts.choices import Role
    from accounts.tests.factories import MembershipFactory, OrganisationFactory, RegionFactory
    from projects.tests.factories import occitanie_circuit, territory_for

    call_command("loaddata", "opinion_grids", "funding_scales", verbosity=0)
    region = RegionFactory()
    cpts = OrganisationFactory(name="CPTS du Lauragais", region=region)
    coordinator = MembershipFactory(organisation=cpts, role=Role.COORDINATOR, user__first_name="Camille").user
    territory_for(cpts, communes=[("Villefranche-de-Lauragais", 4_800), ("Revel", 9_900), ("Caraman", 2_600)])
    circuit = occitanie_circuit(region, urps_count=2)
    return {"cpts": cpts, "coordinator": coordinator, "circuit": circuit}


def login(page, live_server, user):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/")


def give_opinion(page, live_server, letter_pk, overall="favorable"):
    from projects.models import GridCriterion

    page.goto(f"{live_server.url}/dossiers/lettres/{letter_pk}/")
    page.get_by_role("link", name=re.compile("Donner l'avis de mon organisation")).click()
    for criterion in GridCriterion.objects.filter(grid__letter_circuit="guichet_urps"):
        page.check(f'input[name="c{criterion.pk}_assessment"][value="favorable"]')
        page.fill(f'textarea[name="c{criterion.pk}_comment"]', f"Bien sur {criterion.code}")
    page.check(f'input[name="overall"][value="{overall}"]')
    page.get_by_role("button", name="Enregistrer l'avis").click()
    page.wait_for_url(f"{live_server.url}/dossiers/lettres/{letter_pk}/")
    assert page.get_by_text("Votre avis est enregistré.").is_visible()


def request_complements_by_picking_fields(page, live_server, letter, circuit, coordinator):
    """Issue 12, points 16 and 2 (helper H2's step): the Guichet picks the fields concerned and sees each one's
    current value beside its comment box; a picked field without comment is refused, nothing typed is lost; the
    coordinator reads each comment under the field's French label, completes the letter and deposits it again."""
    from projects.workflows.letter_services import letter_submit

    login(page, live_server, circuit.desk_user)
    page.goto(f"{live_server.url}/dossiers/lettres/{letter.pk}/")
    page.get_by_role("button", name="Prendre en charge et demander les avis").click()
    page.get_by_role("link", name="Demander des compléments").click()
    needs = page.locator("#cf-needs")
    assert needs.locator("textarea").is_hidden()  # no empty box until the field is picked
    page.get_by_label("Besoins identifiés sur le territoire", exact=True).check()
    assert needs.locator(".current-value").inner_text() == "12 % des patients en ALD sans médecin traitant."
    assert needs.locator(".current-value").is_visible()
    assert needs.get_by_text("Valeur actuelle (version 1)").is_visible()
    page.get_by_label("SIRET de la structure porteuse", exact=True).check()
    assert page.locator("#cf-carrying_structuresiret .current-value").inner_text() == "73282932000074"
    page.check('input[name="reason"][value="outdated"]')
    page.fill("#id_message", "Merci d'actualiser le diagnostic.")
    needs.locator("textarea").fill("Chiffres de 2015 : à actualiser.")
    page.get_by_role("button", name="Demander les compléments").click()
    assert page.get_by_text("Indiquez ce qui est attendu pour « SIRET de la structure porteuse »").first.is_visible()
    assert_accessible(page)  # the complements form with its errors and current values
    assert page.locator("#cf-needs textarea").input_value() == "Chiffres de 2015 : à actualiser."
    page.get_by_label("SIRET de la structure porteuse", exact=True).uncheck()
    assert page.locator("#cf-carrying_structuresiret textarea").is_hidden()
    page.get_by_role("button", name="Demander les compléments").click()
    assert page.get_by_text("Compléments demandés : la CPTS est prévenue.").is_visible()

    login(page, live_server, coordinator)
    page.goto(f"{live_server.url}/dossiers/lettres/{letter.pk}/")
    assert page.get_by_text("Besoins identifiés sur le territoire : Chiffres de 2015 : à actualiser.").is_visible()
    assert page.get_by_text("needs :").count() == 0
    page.get_by_role("link", name="Modifier la lettre").click()
    assert page.locator("#f-needs").get_by_text("Chiffres de 2015 : à actualiser.").is_visible()
    page.fill("#id_needs", "12 % des patients en ALD sans médecin traitant (chiffres 2024).")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    assert page.get_by_text("Brouillon enregistré.").is_visible()
    letter_submit(letter=letter, by=coordinator)  # the deposit itself is the browser's in step 1


def test_the_whole_letter_circuit(world, live_server, page):
    from projects.models import IntentionLetter

    coordinator, circuit = world["coordinator"], world["circuit"]

    # 1. The coordinator starts the letter, saves a partial draft, then completes and submits it.
    login(page, live_server, coordinator)
    page.get_by_role("link", name="Lettres d'intention").first.click()
    page.get_by_role("button", name="Commencer la lettre d'intention de CPTS du Lauragais").click()
    assert page.get_by_role("heading", name="Complétude").is_visible()
    page.fill("#id_needs", "12 % des patients en ALD sans médecin traitant.")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    assert page.get_by_text("Brouillon enregistré.").is_visible()
    assert page.get_by_role("link", name="Présentez l'équipe projet et sa composition.").is_visible()

    page.fill("#id_pilot_profession", "Médecin généraliste")
    page.fill("#id_team-0-name", "Camille Martin")
    page.fill("#id_team-0-profession", "Médecin")
    page.fill("#id_information_actions", "Questionnaire à 180 professionnels, deux réunions publiques.")
    page.fill("#id_professions-0-profession", "Médecins généralistes")
    page.fill("#id_professions-0-count", "14")
    page.fill("#id_project_description", "CPTS rurale centrée sur l'accès aux soins.")
    for mission in ("access", "pathways", "prevention", "crisis"):
        page.check(f"#id_commits_{mission}")
    page.fill("#id_objectives", "Un médecin traitant pour chaque patient en ALD.")
    page.fill("#id_means", "Temps de coordination, messagerie sécurisée.")
    page.fill("#id_structure-name", "Association de préfiguration du Lauragais")
    page.fill("#id_structure-siret", "73282932000075")  # wrong checksum first
    page.get_by_role("button", name="Enregistrer et déposer").click()
    assert page.locator("#f-siret").get_by_text("Ce numéro SIRET n'est pas valide").is_visible()
    # Issue 12, point 8 (helper H2): the completeness panel reads the refused form, not the saved draft.
    completeness = page.locator(".completeness")
    assert completeness.get_by_role("link", name=re.compile("^SIRET de la structure porteuse : ")).is_visible()
    assert completeness.get_by_text("La lettre est complète").count() == 0
    assert page.input_value("#id_means") == "Temps de coordination, messagerie sécurisée."
    page.fill("#id_structure-siret", "73282932000074")
    page.get_by_role("button", name="Enregistrer et déposer").click()

    # Submitting is irreversible: a confirmation page, checked on the server (point 21).
    page.wait_for_url(re.compile(r"/dossiers/lettres/\d+/deposer/confirmer/$"))
    assert page.get_by_role("heading", name="Confirmer le dépôt de la lettre d'intention").is_visible()
    assert_accessible(page)  # a page reached only by this POST: axe here, the matrix world never shows it
    letter = IntentionLetter.objects.get(cpts=world["cpts"])
    assert letter.status == "draft"
    page.get_by_role("button", name="Confirmer le dépôt").click()
    assert page.get_by_text("Cochez la case pour confirmer le dépôt de la lettre.").is_visible()
    assert_accessible(page)
    page.get_by_label(re.compile("Je confirme le dépôt")).check()
    page.get_by_role("button", name="Confirmer le dépôt").click()
    page.wait_for_url(re.compile(r"/dossiers/lettres/\d+/$"))
    assert page.locator("#statut").inner_text() == "Déposée, en attente de prise en charge"
    assert page.get_by_text("Guichet CPTS en est prévenu").is_visible()

    # --- Helper H2 (issue 12, points 16 and 2): complements asked on picked fields, answered, deposited again. ---
    request_complements_by_picking_fields(page, live_server, letter, circuit, coordinator)
    # --- end of helper H2's step ---

    # 2. The Guichet takes it in and asks the URPS.
    login(page, live_server, circuit.desk_user)
    assert page.get_by_text("Prendre en charge et demander les avis").is_visible()
    page.goto(f"{live_server.url}/dossiers/lettres/{letter.pk}/")
    page.get_by_role("button", name="Prendre en charge et demander les avis").click()
    assert page.get_by_text("avis reçus 0/2").first.is_visible()

    # 3. One URPS gives its opinion on the three criteria; the other one does not answer.
    answering, silent = circuit.reviewer_users[0], circuit.reviewers[1]
    login(page, live_server, answering)
    assert page.get_by_text("Rendre l'avis de votre organisation").is_visible()
    give_opinion(page, live_server, letter.pk)

    # The coordinator follows the progress but does not read the opinion while the review runs (point 17).
    login(page, live_server, coordinator)
    page.goto(f"{live_server.url}/dossiers/lettres/{letter.pk}/")
    assert page.get_by_text("avis reçus 1/2").first.is_visible()
    assert page.locator("#avis-plus-tard").inner_text().endswith("une fois la lettre transmise à l'ARS.")
    assert page.get_by_text("Bien sur", exact=False).count() == 0

    # 4. The Guichet writes the consolidated opinion and transmits with one opinion missing, stating why (point 11).
    login(page, live_server, circuit.desk_user)
    give_opinion(page, live_server, letter.pk)
    assert page.get_by_text("avis reçus 1/2").first.is_visible()
    assert page.get_by_role("columnheader", name=re.compile("Avis consolidé")).is_visible()
    assert page.locator("#n-transmit").inner_text().startswith(f"Avis encore attendus de : {silent.name}")
    motive = "L'URPS relancée deux fois n'a pas répondu ; la commission de l'ARS se réunit jeudi."
    page.get_by_label(re.compile("Motif de la transmission sans tous les avis")).fill(motive)
    page.get_by_role("button", name="Transmettre à l'ARS sans tous les avis").click()
    assert page.locator("#statut").inner_text() == "Transmise à l'ARS"

    # 5. An ARS agent sees which opinion is missing and why, and prepares the decision (point 12).
    login(page, live_server, circuit.ars_agent)
    assert page.get_by_role("heading", name="Dossiers à instruire").is_visible()
    page.get_by_role("link", name="CPTS du Lauragais").first.click()
    missing = page.locator("section.missing-opinions")
    assert silent.name in missing.inner_text() and motive in missing.inner_text()
    assert page.get_by_role("link", name=re.compile("^Signer la décision")).count() == 0
    page.get_by_role("link", name="Préparer la décision").click()
    assert page.input_value("#id_fir_amount").startswith("50000")
    page.check('input[name="outcome"][value="validated"]')
    page.fill("#id_motive", "Projet cohérent avec le PRS, mobilisation satisfaisante.")
    page.get_by_role("button", name="Enregistrer la décision préparée").click()
    assert page.get_by_text("Décision préparée : un décideur de l'ARS peut maintenant la signer.").is_visible()
    assert page.locator("#statut").inner_text() == "À décider"

    # 6. A decider of the ARS signs the prepared decision (prefilled from the preparation).
    login(page, live_server, circuit.ars_decider)
    page.goto(f"{live_server.url}/dossiers/lettres/{letter.pk}/")
    page.get_by_role("link", name="Signer la décision préparée").click()
    assert page.input_value("#id_motive") == "Projet cohérent avec le PRS, mobilisation satisfaisante."
    assert page.is_checked('input[name="outcome"][value="validated"]')
    page.get_by_role("button", name="Signer la décision").click()
    assert page.get_by_text("La décision est enregistrée").is_visible()

    # 7. The coordinator sees the decision, both steps in the history, now the opinions, and downloads the PDF.
    login(page, live_server, coordinator)
    page.goto(f"{live_server.url}/dossiers/lettres/{letter.pk}/")
    assert page.locator("#statut").inner_text() == "Validée"
    history = page.locator(".timeline").inner_text()
    assert "Décision préparée pour signature" in history and "Décision signée : lettre validée" in history
    assert page.get_by_text("Bien sur", exact=False).count() > 0  # the opinions, once decided
    letter.refresh_from_db()
    deadline = letter.decision.accompaniment_deadline
    assert deadline == add_months(timezone.localdate(), 9)  # the 9 months of the funding scale in force
    assert page.locator("#echeance").is_visible()
    assert page.locator("#echeance").inner_text() == date_format(deadline, "j F Y")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger : Lettre d'intention avec avis et décision").click()
    pdf = open(download_info.value.path(), "rb").read()
    text = re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    for expected in ["CPTS du Lauragais", "Villefranche-de-Lauragais", "Revel", "Caraman", "validée le"]:
        assert expected in text, expected
    document = letter.versions.get(number=letter.current_version_number).documents.get(kind="letter_decision")
    assert hashlib.sha256(pdf).hexdigest() == document.sha256  # the stored file, byte for byte
