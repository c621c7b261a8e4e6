"""A coordinator writes the actions of the health project in Chromium: opens the plan once the letter is
validated, sets the planned signature, creates the fiches of the 4 core missions (one from a worked example), adds
indicators, sees the checklist turn complete and the Gantt chart appear, and downloads the fiches as PDF (read back
with pypdf)."""

import io
import re

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from .axe import assert_accessible

pytestmark = [pytest.mark.e2e]

PASSWORD = "mot-de-passe-test"
CORE_FICHES = {
    "2": ("Parcours des patients diabétiques", "2-patients-parcours", "30", "40"),
    "3": ("Dépistage du cancer colorectal", "3-patients-prevention", "120", "300"),
    "4": ("Plan de crise de la CPTS", "4-plan-redige", None, None),
}


@pytest.fixture
def world(transactional_db):
    from accounts.choices import Role
    from accounts.tests.factories import MembershipFactory, OrganisationFactory, RegionFactory
    from projects.models import IntentionLetter
    from projects.tests.factories import complete_letter
    from projects.workflows.letter import letter_stage_record

    call_command("loaddata", "missions", "action_examples", "professions", verbosity=0)
    cpts = OrganisationFactory(name="CPTS du Lauragais", region=RegionFactory())
    coordinator = MembershipFactory(organisation=cpts, role=Role.COORDINATOR, user__first_name="Camille").user
    letter = complete_letter(cpts)
    IntentionLetter.objects.filter(pk=letter.pk).update(status="validated")  # the letter circuit is tested elsewhere
    letter_stage_record(cpts)  # what the engine records on the CPTS's stage, read by missions
    _diagnostic_figure(cpts)
    return {"cpts": cpts, "coordinator": coordinator}


def _diagnostic_figure(cpts):
    """A figure of the territory's diagnostic for 2024 (four digits: "2 024" once localised, issue 12 §6)."""
    from diagnostics.models import IndicatorDataset, IndicatorDefinition, IndicatorValue, Territory

    territory = Territory.objects.get(cpts=cpts)
    indicator = IndicatorDefinition.objects.create(
        code="patients_sans_mt", label="Patients sans médecin traitant", unit="patients", aggregation="sum",
        source="Assurance Maladie",
    )  # fmt: skip
    dataset = IndicatorDataset.objects.create(
        label="Rezone 2024", source="Rezone CPTS", year=2024, scope="territory", territory=territory
    )
    dataset.indicators.add(indicator)
    for entry in territory.entries.all():
        IndicatorValue.objects.create(dataset=dataset, indicator=indicator, commune=entry.commune, value=1_234)


def login(page, live_server, user):
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/")


def add_indicator(page, template_label, baseline, target, funding):
    page.get_by_role("link", name="Ajouter un indicateur").click()
    page.get_by_label("Indicateur du catalogue").select_option(label=template_label)
    assert page.locator("#id_label").input_value() == template_label  # filled by missions.js
    if baseline is not None:
        page.get_by_label("Valeur de référence", exact=True).fill(baseline)
        page.get_by_label("Cible année 1").fill(target)
    if funding:
        page.get_by_label("Indicateur de financement").check()
    page.get_by_role("button", name="Enregistrer l'indicateur").click()
    assert page.get_by_text("Indicateur enregistré.").is_visible()


def test_a_coordinator_writes_the_actions_and_downloads_the_fiches(world, live_server, page):
    from missions.models import ActionSheet, IndicatorTemplate

    cpts = world["cpts"]
    login(page, live_server, world["coordinator"])
    page.get_by_role("link", name="Fiches action").click()
    page.get_by_role("button", name="Ouvrir le plan d'actions").click()
    assert page.get_by_text("Le plan d'actions du projet de santé est ouvert.").is_visible()
    page.get_by_role("link", name="modifier").click()
    page.get_by_label("Date de signature envisagée du contrat ACI").fill("2026-01-01")
    page.get_by_role("button", name="Enregistrer").click()
    assert page.get_by_text("(année N = 2026)").is_visible()
    assert page.locator('[data-checklist="incomplete"]').is_visible()
    assert_accessible(page)

    # Mission 1 from a worked example of seed 000; its funding indicator gets a baseline and a target.
    page.get_by_role("link", name="Partir d'un exemple").click()
    example = "Mettre en œuvre une organisation proposant aux patients fragiles un médecin traitant"
    page.get_by_role("button", name=re.compile(f"Utiliser l'exemple « {example}")).click()
    assert page.get_by_label("Objectif(s) opérationnel(s)").input_value().startswith("Proposer aux patients")
    # A figure of the diagnostic taken into the fiche keeps its year (it was "2 024", refused by the number input).
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.get_by_label("Reprendre une donnée du diagnostic").select_option(value="patients_sans_mt")
    row = page.locator("input[id^='id_figures-'][id$='-label']").evaluate_all(
        "inputs => inputs.filter(i => i.value === 'Patients sans médecin traitant').map(i => i.id)"
    )
    assert len(row) == 1
    prefix = row[0].removesuffix("-label")
    assert page.locator(f"#{prefix}-year").input_value() == "2024"
    assert page.locator(f"#{prefix}-value").input_value() == "2468.00"
    assert not [m for m in console if "cannot be parsed" in m], console
    page.get_by_role("button", name="Enregistrer").click()
    assert page.get_by_text("Fiche enregistrée.").is_visible()
    from missions.models import ProblemFigure

    figure = ProblemFigure.objects.get(label="Patients sans médecin traitant")
    assert (figure.year, figure.value, figure.diagnostic_indicator) == (2024, 2468, "patients_sans_mt")
    funding = IndicatorTemplate.objects.get(code="1a-ald-sans-mt").label
    page.get_by_role("link", name=f"Modifier « {funding} »").click()
    page.get_by_label("Valeur de référence", exact=True).fill("18")
    page.get_by_label("Cible année 1").fill("15")
    page.get_by_role("button", name="Enregistrer l'indicateur").click()
    assert page.get_by_text("Indicateur enregistré.").is_visible()

    # Missions 2, 3 and 4 written from scratch.
    for code, (title, template, baseline, target) in CORE_FICHES.items():
        page.get_by_role("link", name=re.compile("^Actions – ")).click()
        page.get_by_role("link", name="Nouvelle fiche action").click()
        page.locator("#id_mission").select_option(value=str(_mission_pk(code)))
        page.get_by_label("Libellé de l'action").fill(title)
        page.get_by_role("button", name="Créer la fiche").click()
        page.get_by_label("Objectif(s) opérationnel(s)").fill(f"Objectif de « {title} »")
        page.get_by_label("Démarrage de l'action").fill("2026-05-01")
        page.get_by_label("Déploiement complet").fill("2027-01-01")
        page.get_by_label("Échéance finale").fill("2030-12-31")
        page.get_by_role("button", name="Enregistrer").click()
        assert page.get_by_text("Fiche enregistrée.").is_visible()
        label = IndicatorTemplate.objects.get(code=template).label
        add_indicator(page, label, baseline, target, funding=baseline is not None)

    page.get_by_role("link", name=re.compile("^Actions – ")).click()
    assert page.locator('[data-checklist="complete"]').is_visible()
    assert page.locator('[data-rule="delays"][data-ok="1"]').is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Macro-planning").click()
    gantt = page.get_by_role("img", name=re.compile("Macro-planning des actions"))
    assert gantt.is_visible()
    table = page.get_by_role("table", name=re.compile("Macro-planning en tableau"))
    for title, *_rest in CORE_FICHES.values():
        assert table.get_by_text(title).is_visible()
    assert_accessible(page)

    page.get_by_role("link", name=re.compile("^Actions – ")).click()
    # The PDF is laid out by a task (eager here): the request leads to the PDF's page, which shows its state.
    page.get_by_role("button", name="Fiches action (PDF)").click()
    assert page.locator('#document-state[data-state="ready"]').is_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le PDF").click()
    reader = PdfReader(io.BytesIO(open(download.value.path(), "rb").read()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    titles = list(ActionSheet.objects.filter(plan__cpts=cpts).values_list("title", flat=True))
    assert len(titles) == 4
    for title in titles:
        assert " ".join(title.split()) in text, title


def _mission_pk(code):
    from missions.models import Mission

    return Mission.objects.get(code=code).pk
