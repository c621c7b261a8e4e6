"""The health project's whole circuit in Chromium (issue 16, acceptance): the coordinator validates the project
internally and puts it to signature; two members sign through their single-use links (a second use is refused) and
the coordinator records the third member's paper signature with its scan; the coordinator deposits and reads the
date on which silence means validation; the DD, the CPAM and the Guichet (the Inter-URPS) give their opinions on
the grid; an ARS agent prepares the non-opposition (the form offers only the two legal grounds of an opposition) and
a decider signs it; the project reads "Validé" and the CPTS is recognised; the grid PDF is downloaded and read back.

Every step is done in the browser. The links come from the e-mails (``django.core.mail.outbox``: the live server
runs in the test process, and the tests run Celery eagerly, so the links are sent and the PDFs rendered as soon as
each request commits). The world is built with the demo's own pieces (the Occitanie organisations and circuits, the
diagnostic, the action plan with its fiches validated and the complete budget), so that the internal validation's
real guard lets the project through: nothing is monkeypatched."""

import datetime as dt
import hashlib
import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django.utils.formats import date_format
from pypdf import PdfReader

from .axe import assert_accessible
from .test_letter_circuit import login

pytestmark = [pytest.mark.e2e]

CPTS = "CPTS du Comminges"
COMMUNES = [("31483", "Saint-Gaudens", 11_500), ("31358", "Montréjeau", 2_800), ("31042", "Aspet", 1_000)]
LINK_RE = re.compile(r"/gouvernance/signature/[A-Za-z0-9_\-]+/")
DD, CPAM, MSA, GUICHET, ELSM, ARS = (
    "ARS Occitanie – DD Haute-Garonne",
    "CPAM de la Haute-Garonne",
    "MSA Midi-Pyrénées Sud",
    "Guichet CPTS Occitanie",
    "ELSM de la Haute-Garonne",
    "ARS Occitanie",
)


@pytest.fixture
def world(transactional_db):
    """A CPTS of Haute-Garonne whose letter is validated and whose health project is complete (identity, diagnostic,
    fiches and plan validated, budget complete, bureau, statutes); 3 members, two with an e-mail address and one
    without; the Occitanie health project circuit of the demo (the ARS as desk; the DD, the CPAM, the MSA, the
    Guichet as Inter-URPS and the ELSM consulted) and one person in each organisation acting in this journey."""
    from accounts.choices import OrganisationKind, Role
    from accounts.demo import REFERENCE_FIXTURES, _organisations, _regional_settings
    from accounts.models import Departement, Organisation
    from accounts.tests.factories import MembershipFactory
    from diagnostics.demo import seed_diagnostics_demo
    from diagnostics.tests.factories import CommuneFactory
    from governance.choices import BodyKind, InclusionActionKind, MandateRole
    from governance.demo import _professional_contacts, _statutes
    from governance.models import Body, InclusionAction, Profession
    from governance.services import mandate_create
    from governance.tests.factories import MemberFactory
    from missions.models import ActionSheet
    from projects.choices import LetterStatus
    from projects.demo import _health_project, _ready_for_approval
    from projects.models import HealthProject, IntentionLetter
    from projects.tests.factories import complete_letter
    from projects.workflows.health_project import approval_missing

    for fixture in REFERENCE_FIXTURES:
        call_command("loaddata", fixture, verbosity=0)
    orgs = _organisations()
    _regional_settings(orgs)  # the Occitanie circuits, Annexe 9's grid and the region's template of sections
    haute_garonne = Departement.objects.get(code="31")
    cpts = Organisation.objects.create(
        name=CPTS, kind=OrganisationKind.CPTS, region=orgs[ARS].region, departement=haute_garonne
    )
    coordinator = MembershipFactory(organisation=cpts, role=Role.COORDINATOR, user__first_name="Camille").user
    for code, name, population in COMMUNES:
        CommuneFactory(insee_code=code, name=name, departement=haute_garonne, population=population)
    codes = [code for code, _name, _population in COMMUNES]
    seed_diagnostics_demo(cpts, communes=codes, with_dataset=False, with_narrative=True, user=coordinator)

    professions = {p.code: p for p in Profession.objects.filter(code__in=["infirmier", "pharmacien"])}
    joined = dt.date(2024, 1, 15)
    members = [
        MemberFactory(cpts=cpts, first_name="Lucie", last_name="Durand", email="lucie.durand@exemple.fr",
                      practice_mode="liberal", joined_on=joined),
        MemberFactory(cpts=cpts, first_name="Marc", last_name="Petit", email="marc.petit@exemple.fr",
                      practice_mode="liberal", profession=professions["infirmier"], joined_on=joined),
        MemberFactory(cpts=cpts, first_name="Rose", last_name="Roux", email="", practice_mode="liberal",
                      profession=professions["pharmacien"], joined_on=joined),
    ]  # fmt: skip
    _professional_contacts(cpts)
    bureau = Body.objects.create(cpts=cpts, kind=BodyKind.BUREAU)
    Body.objects.create(cpts=cpts, kind=BodyKind.GENERAL_ASSEMBLY)
    for member, role in zip(
        members, [MandateRole.PRESIDENT, MandateRole.SECRETARY, MandateRole.TREASURER], strict=True
    ):
        mandate_create(body=bureau, member=member, role=role, started_on=dt.date(2024, 2, 1))
    _statutes(cpts, by=coordinator)
    InclusionAction.objects.create(
        cpts=cpts, date=dt.date(2024, 6, 18), kind=InclusionActionKind.MEETING, audience_reached=41,
        title="Soirée de présentation du projet aux professionnels du territoire",
    )  # fmt: skip

    letter = complete_letter(cpts)
    IntentionLetter.objects.filter(pk=letter.pk).update(status=LetterStatus.VALIDATED)
    _health_project(cpts, coordinator)  # the project's texts, the plan with its fiches, the complete budget
    # A fiche's pilot is reached by e-mail (Annexe 7): Rose Roux, without an address, pilots none.
    ActionSheet.objects.filter(pilot=members[2]).update(pilot=members[0])
    _ready_for_approval(cpts, coordinator)  # every fiche validated, then the plan
    project = HealthProject.objects.get(cpts=cpts)
    assert approval_missing(project) == []  # the real guard: the project is complete

    people = {"coordinator": coordinator, "members": members, "cpts": cpts, "project": project}
    for key, name, role in [
        ("dd", DD, Role.AGENT),
        ("cpam", CPAM, Role.AGENT),
        ("guichet", GUICHET, Role.REVIEWER),
        ("agent", ARS, Role.AGENT),
        ("decider", ARS, Role.DECIDER),
    ]:
        people[key] = MembershipFactory(organisation=orgs[name], role=role).user
    return people


def flat(text: str) -> str:
    """Text with every run of spaces (narrow and non-breaking ones included) as one space."""
    return re.sub(r"[\s\u00a0\u202f]+", " ", text).strip()


def scan_pdf() -> bytes:
    from cpts_portal.pdf import html_to_pdf

    return html_to_pdf("<p>Projet de santé de la CPTS du Comminges – signé : Rose Roux, pharmacienne.</p>")


def sign_through_link(page, live_server, path, signature_round, name):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}{path}")
    assert page.get_by_role("heading", level=1).inner_text() == f"Projet de santé de {CPTS}"
    assert name in page.locator("dl").inner_text()
    assert "n° 1, mise à la signature le" in page.locator("dl").inner_text()
    assert page.get_by_text(signature_round.sha256).first.is_visible()  # the version's SHA-256, shown to the signer
    assert page.locator("article.signature-document").get_by_text(CPTS).first.is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Signer cette version").click()
    assert page.get_by_text(re.compile("Cochez la case")).first.is_visible()  # no signature without confirming
    page.locator('input[type="checkbox"][name="confirm"]').check()
    page.get_by_role("button", name="Signer cette version").click()
    assert page.get_by_role("heading", name="Votre signature est enregistrée").is_visible()
    assert page.get_by_text(signature_round.sha256).is_visible()
    assert_accessible(page)


def give_opinion(page, live_server, cpts, user, organisation, overall, comment):
    from projects.models import GridCriterion

    login(page, live_server, user)  # the opinion their organisation owes, on their home page, leads to the project
    owed = page.get_by_role("region", name=re.compile("(Avis attendus de votre organisation|en attente de votre avis)"))
    assert f"{CPTS} – Rendre l'avis de votre organisation" in flat(owed.inner_text())
    assert_accessible(page)
    owed.get_by_role("link", name=CPTS).click()
    page.wait_for_url(f"{live_server.url}/dossiers/cpts/{cpts.pk}/projet-de-sante/")
    assert page.locator("#statut").inner_text() == "Avis attendus"
    page.get_by_role("link", name="Grille d'analyse et avis").click()
    assert_accessible(page)
    page.get_by_role("link", name=f"Donner l'avis de {organisation}").click()
    assert page.get_by_role("heading", level=1).inner_text() == f"Avis de {organisation}"
    assert_accessible(page)
    for criterion in GridCriterion.objects.filter(grid__code="projet-de-sante-annexe-9"):
        page.check(f'input[name="c{criterion.pk}_assessment"][value="{overall}"]')
        page.fill(f'textarea[name="c{criterion.pk}_comment"]', f"{organisation} sur {criterion.code}")
    page.check(f'input[name="overall"][value="{overall}"]')
    page.fill('textarea[name="comment"]', comment)
    page.get_by_role("button", name="Enregistrer l'avis").click()
    assert page.get_by_text("Votre avis est enregistré.").is_visible()
    assert page.get_by_text(f"{organisation} : ").first.is_visible()


def test_the_whole_health_project_circuit(world, live_server, page):
    from governance.selectors import signature_round_current
    from projects.choices import DocumentKind, HealthProjectStatus
    from projects.models import HealthProject, RenderedDocument
    from projects.workflows.health_project_services import project_clock

    page.set_default_timeout(60_000)  # the deposit and the decision render their PDFs before answering (eager Celery)
    cpts, coordinator = world["cpts"], world["coordinator"]
    project_url = f"{live_server.url}/dossiers/cpts/{cpts.pk}/projet-de-sante/"

    # 1. The coordinator validates the project internally: it is put to the members' signature.
    login(page, live_server, coordinator)
    page.get_by_role("link", name=CPTS).first.click()
    page.get_by_role("link", name="sections et état d'avancement").click()
    page.wait_for_url(project_url)
    assert page.locator("#statut").inner_text() == "En rédaction"
    assert page.get_by_text("Toutes les sections sont complètes.").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Valider en interne et mettre en signature").click()
    assert page.get_by_text("Projet validé en interne : les membres sont invités à le signer.").is_visible()
    assert page.locator("#statut").inner_text() == "Validé en interne : signatures des membres en cours"
    assert "0 signature sur 3" in flat(page.locator("section[aria-labelledby=h-signatures]").inner_text())
    page.get_by_role("link", name="Qui a signé, qui n'a pas encore signé").click()
    assert page.get_by_role("heading", name="N'ont pas signé (3)").is_visible()
    missing = page.locator("table").filter(has_text="Lien de signature")
    for name in ("Lucie Durand", "Marc Petit", "Rose Roux"):
        assert missing.get_by_role("row").filter(has_text=name).count() == 1, name
    assert (
        missing.get_by_role("row")
        .filter(has_text="Rose Roux")
        .get_by_text("Pas d'adresse e-mail : signature papier uniquement")
        .is_visible()
    )
    assert_accessible(page)

    # 2. Two members sign through the links of their e-mails; a second use of a link is refused.
    signature_round = signature_round_current(HealthProject.objects.get(cpts=cpts))
    links = {
        message.to[0]: LINK_RE.search(message.body).group(0) for message in mail.outbox if LINK_RE.search(message.body)
    }
    assert set(links) == {"lucie.durand@exemple.fr", "marc.petit@exemple.fr"}
    sign_through_link(page, live_server, links["lucie.durand@exemple.fr"], signature_round, "Lucie Durand")
    sign_through_link(page, live_server, links["marc.petit@exemple.fr"], signature_round, "Marc Petit")
    page.goto(f"{live_server.url}{links['lucie.durand@exemple.fr']}")
    assert page.get_by_text("Ce lien de signature a déjà été utilisé.").is_visible()
    assert page.get_by_role("button", name="Signer cette version").count() == 0
    assert_accessible(page)

    # The coordinator records the third member's paper signature with its scan.
    login(page, live_server, coordinator)
    page.goto(project_url)
    assert "2 signatures sur 3" in flat(page.locator("section[aria-labelledby=h-signatures]").inner_text())
    page.get_by_role("link", name="Qui a signé, qui n'a pas encore signé").click()
    assert page.get_by_role("heading", name="Ont signé (2)").is_visible()
    row = page.get_by_role("row").filter(has_text="Rose Roux")
    row.get_by_label("Scan (PDF)").set_input_files(
        {"name": "signature-rose-roux.pdf", "mimeType": "application/pdf", "buffer": scan_pdf()}
    )
    row.get_by_label("Signé le").fill(timezone.localdate().isoformat())
    row.get_by_role("button", name="Enregistrer la signature papier de Rose Roux").click()
    assert page.get_by_role("heading", name="Ont signé (3)").is_visible()
    assert page.get_by_role("heading", name="N'ont pas signé (0)").is_visible()
    assert page.get_by_role("row").filter(has_text="Rose Roux").get_by_role("link", name="Scan (PDF)").is_visible()
    assert_accessible(page)

    # 3. The coordinator deposits: the page shows the date on which silence means validation and the days left.
    page.goto(project_url)
    assert "3 signatures sur 3" in flat(page.locator("section[aria-labelledby=h-signatures]").inner_text())
    page.get_by_role("button", name="Déposer le projet de santé à l'ARS").click()
    assert page.get_by_text("Projet de santé déposé à l'ARS : le délai de 2 mois commence.").is_visible()
    assert page.locator("#statut").inner_text() == "Déposé à l'ARS : en cours d'examen"
    clock = project_clock(HealthProject.objects.get(cpts=cpts))
    assert clock.tacit_at is not None and clock.days_left is not None and clock.days_left > 50
    tacit = flat(page.locator("#date-tacite").inner_text())
    assert f"validé tacitement le {date_format(timezone.localtime(clock.tacit_at), 'j F Y')}" in tacit
    assert f"dans {clock.days_left} jours" in tacit
    assert f"Déposé à l'ARS le {date_format(timezone.localdate(), 'j F Y')}" in flat(
        page.locator(".clock").inner_text()
    )
    awaited = page.locator("section[aria-labelledby=h-opinions]")
    for organisation in (DD, CPAM, MSA, GUICHET, ELSM):
        assert awaited.get_by_role("row").filter(has_text=organisation).count() == 1, organisation
    assert_accessible(page)

    # 4. The DD, the CPAM and the Guichet (the Inter-URPS) give their opinion on the grid; the MSA and ELSM do not.
    give_opinion(page, live_server, cpts, world["dd"], DD, "favorable", "Projet cohérent avec le diagnostic.")
    give_opinion(page, live_server, cpts, world["cpam"], CPAM, "favorable", "Engagements conformes à l'ACI.")
    give_opinion(page, live_server, cpts, world["guichet"], GUICHET, "reserved", "Associer les kinésithérapeutes.")

    # 5. An ARS agent prepares the non-opposition; an opposition could only rest on the two legal grounds.
    login(page, live_server, world["agent"])
    to_instruct = page.get_by_role("region", name="Dossiers à instruire")
    assert "Compléter la grille d'analyse et préparer la décision" in to_instruct.inner_text()
    assert "avis reçus 3/5" in to_instruct.inner_text()
    to_instruct.get_by_role("link", name=CPTS).click()
    page.wait_for_url(project_url)
    assert page.locator("#statut").inner_text() == "Déposé : à instruire (délai de 2 mois)"
    page.get_by_role("link", name="Grille d'analyse et avis").click()
    assert flat(page.locator("#fait-communes").inner_text()) == "3"
    page.get_by_role("link", name="Préparer la décision").click()
    assert_accessible(page)
    grounds = page.locator('input[name="ground"]')
    assert sorted(grounds.evaluate_all("inputs => inputs.map(i => i.value)")) == ["prs", "territory"]
    ground_labels = flat(page.locator("fieldset").filter(has_text="En cas d'opposition").inner_text())
    assert "Les objectifs du projet régional de santé (PRS) ne sont pas respectés" in ground_labels
    assert "Le territoire d'action n'est pas pertinent" in ground_labels
    assert sorted(page.locator('input[name="outcome"]').evaluate_all("l => l.map(i => i.value)")) == [
        "non_opposition",
        "opposition",
    ]
    page.check('input[name="outcome"][value="non_opposition"]')
    page.fill("#id_motive", "Projet conforme aux objectifs du PRS ; territoire pertinent.")
    page.get_by_role("button", name="Enregistrer la décision préparée").click()
    assert page.get_by_text("Décision préparée : un décideur de l'ARS peut maintenant la signer.").is_visible()
    assert page.get_by_role("link", name=re.compile("^Signer la décision")).count() == 0  # the decider's

    # A decider signs it.
    login(page, live_server, world["decider"])
    to_instruct = page.get_by_role("region", name="Dossiers à instruire")
    assert "Signer la décision sur le projet de santé" in to_instruct.inner_text()
    to_instruct.get_by_role("link", name=CPTS).click()
    page.wait_for_url(project_url)
    page.get_by_role("link", name="Grille d'analyse et avis").click()
    page.get_by_role("link", name="Signer la décision préparée").click()
    assert page.is_checked('input[name="outcome"][value="non_opposition"]')
    assert page.input_value("#id_motive") == "Projet conforme aux objectifs du PRS ; territoire pertinent."
    assert_accessible(page)
    page.get_by_role("button", name="Signer la décision").click()
    assert page.get_by_text("Cochez la case pour signer la décision.").first.is_visible()
    page.get_by_label(re.compile("Je signe cette décision au nom de l'ARS")).check()
    page.get_by_role("button", name="Signer la décision").click()
    assert page.get_by_text(
        "La décision est signée : la CPTS et les organisations consultées sont prévenues."
    ).is_visible()
    assert page.locator("#statut").inner_text() == "Validé (non-opposition signée)"
    project = HealthProject.objects.get(cpts=cpts)
    assert project.status == HealthProjectStatus.VALIDATED and project.recognised_on == timezone.localdate()

    # The coordinator reads "Validé" and the recognition of the CPTS, with its date.
    login(page, live_server, coordinator)
    page.goto(project_url)
    assert page.locator("#statut").inner_text() == "Validé (non-opposition)"
    recognised = flat(page.locator("#reconnue").inner_text())
    assert f"Validé par la non-opposition de l'ARS le {date_format(project.recognised_on, 'j F Y')}" in recognised
    assert "la CPTS est reconnue" in recognised
    assert_accessible(page)

    # 6. The decider downloads the grid with every opinion (rendered by the document task) and reads it back.
    login(page, live_server, world["decider"])
    page.goto(f"{project_url}examen/")
    download_name = "Télécharger : Grille d'analyse et avis sur le projet de santé (PDF)"
    for _attempt in range(30):  # the task renders it once the decision commits: wait for the link
        if page.get_by_role("link", name=download_name).count():
            break
        page.wait_for_timeout(1000)
        page.reload()
    with page.expect_download() as download_info:
        page.get_by_role("link", name=download_name).click()
    pdf = open(download_info.value.path(), "rb").read()
    text = flat("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    text = text.replace("- ", "-")  # a name cut at its hyphen by a line break (Haute-Garonne, Midi-Pyrénées)
    population = sum(population for _code, _name, population in COMMUNES)
    for expected in [
        f"Nom de la CPTS {CPTS}",
        "Nombre de communes 3",
        f"Nombre d'habitants {population:,}".replace(",", " "),  # 15 300: French digit groups
        "Nombre de professionnels engagés dans la CPTS 3",
        f"{DD} : Favorable",
        f"{CPAM} : Favorable",
        f"{GUICHET} : Réservé",
        "Non-opposition",
    ]:
        assert expected in text, expected
    not_given = text.split("Avis non rendus avant la décision :")[1]  # the review is closed: no longer "attendus"
    assert MSA in not_given and ELSM in not_given  # the two opinions not given, shown as such
    assert f"{MSA} :" not in text and f"{ELSM} :" not in text
    document = RenderedDocument.objects.get(kind=DocumentKind.HEALTH_PROJECT_REVIEW, version__object_id=project.pk)
    assert hashlib.sha256(pdf).hexdigest() == document.sha256  # the stored file, byte for byte
