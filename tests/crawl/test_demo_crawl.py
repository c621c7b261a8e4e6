"""Every demo persona follows every link it can reach from its home page, on the full demo (point 23 of issue 12).

The demo is built once for the module (all communes, then ``seed_demo``) inside a transaction rolled back at the
end; each persona logs in (``force_login``: two-factor authentication is off in the test settings) and the crawler
(``crawler.py``) follows every same-origin link, GET only, each URL once, at most ``LIMIT`` pages. The test fails
on any page that raises or answers 5xx, any HTML page without ``<h1>``, any link to a 404, to a page refusing GET
or to a page the persona may not see (403), any localised number in a machine-read attribute, and lists them all
with the number of pages each persona visited.
"""

import io
import time

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings

from .crawler import crawl

pytestmark = pytest.mark.django_db  # makes pytest-django create the test database; the demo is the module's
LIMIT = 400


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        started = time.perf_counter()
        call_command("load_communes", stdout=io.StringIO())
        loaded = time.perf_counter()
        with override_settings(DEBUG=True):
            call_command("seed_demo", stdout=io.StringIO())
        print(f"\ncommunes : {loaded - started:.1f} s ; seed_demo : {time.perf_counter() - loaded:.1f} s")
        yield
        transaction.set_rollback(True)


def test_every_demo_persona_meets_no_error_dead_link_refusal_or_page_without_title(demo_world):
    from accounts.demo import LOGINS
    from accounts.models import User

    report, failures, known_files = [], [], set()
    started = time.perf_counter()
    for login in LOGINS:
        client = Client()
        client.force_login(User.objects.get(email=login.email))
        persona_started = time.perf_counter()
        result = crawl(client, "/", limit=LIMIT, known_files=known_files)
        line = (
            f"{login.email} ({login.role}, {login.organisation}) : {result.visited} pages"
            f"{' (limite atteinte)' if result.truncated else ''} ({result.sampled} liens d'une route déjà vue),"
            f" {time.perf_counter() - persona_started:.1f} s,"
            f" statuts {dict(sorted(result.statuses.items()))}"
        )
        report.append(line)
        failures += [f"[{login.email}] {failure}" for failure in result.failures]
    summary = "\n".join(report) + f"\ntotal : {time.perf_counter() - started:.1f} s"
    print("\n" + summary)
    assert not failures, f"{len(failures)} échecs :\n" + "\n".join(failures) + "\n\nPages visitées :\n" + summary
    assert all(" 0 pages" not in line for line in report)


def test_the_validated_demo_cpts_passes_the_completeness_panel_and_its_fiche_pdf_carries_the_pilot_contact(
    demo_world,
):
    """Issue 15, acceptance: the demo's validated CPTS (the Lauragais, with fiches) lacks nothing in any section of
    its health project; the frozen project holds every section's data; the fiche sent to the ARS, read back from
    its PDF, carries its pilot's professional contact (the pilot consented)."""
    import json
    import re

    from pypdf import PdfReader

    from accounts.demo import CPTS_NAME
    from accounts.models import Organisation
    from cpts_portal.pdf import render_pdf
    from missions.documents import sheets_document_context
    from missions.models import ActionSheet
    from projects.selectors import health_project_for_cpts, health_project_page, health_project_snapshot

    cpts = Organisation.objects.get(name=CPTS_NAME)
    project = health_project_for_cpts(cpts)
    page = health_project_page(project)
    missing = {s.title: [str(m) for m in s.missing] for s in page.sections if s.missing}
    checklist = [i["problems"] for i in health_project_snapshot(project)["actions"]["checklist"] if not i["ok"]]
    assert page.complete, f"ce qui manque au projet de santé de la démo : {missing} {checklist}"

    snapshot = json.loads(json.dumps(health_project_snapshot(project)))
    diagnostic, organisation = snapshot["diagnostic"], snapshot["organisation"]
    assert diagnostic["communes"] and diagnostic["method"] and diagnostic["links"] and diagnostic["particularities"]
    assert all(m["intro"] for m in snapshot["actions"]["missions"] if not m["outside_aci"] and m["sheets"])
    assert organisation["adherents"] and all(row["status"] for row in organisation["adherents"])
    assert organisation["partners"] and organisation["documents"] and organisation["inclusion_actions"]
    assert organisation["bureau"] == {"exists": True, "missing_roles": []}
    assert snapshot["budget"] and snapshot["quality_evaluation"]

    sheet = ActionSheet.objects.filter(plan__cpts=cpts, pilot__contact_consent_on__isnull=False).select_related(
        "plan", "pilot"
    )[0]
    # The coordination's PDF is the one deposited: as sent to the ARS, it carries a contact only with consent.
    pdf = render_pdf("pdf/action_sheets.html", sheets_document_context(sheet.plan, sheet=sheet, with_contacts=True))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    pilot = sheet.pilot
    for expected in (pilot.last_name, pilot.email, pilot.phone, pilot.postal_address.split("\n")[0]):
        assert expected and re.sub(r"\s+", " ", expected) in text, expected


# Issue 15, acceptance: documents.md §4 (the health project, seed 003) and §5 (the fiche action, seed 000 Annexe 7),
# field by field: (what the document asks, where the portal stores it "app.Model.field", where the frozen project
# holds it). A path's "[]" walks a list. The fiche's fields are also looked for in the fiche PDF's template (its
# label). The health project's own PDF is issue 16's; until then its frozen data is what the ARS receives.
HEALTH_PROJECT_FIELDS = [
    # 1. Identité
    ("date du projet", "projects.HealthProject.project_date", "identity.project_date"),
    ("nom de la CPTS", "projects.HealthProject.cpts_name", "identity.cpts_name"),
    ("nom de l'association", "projects.HealthProject.association_name", "identity.association_name"),
    ("SIRET", "projects.HealthProject.siret", "identity.siret"),
    ("adresse postale", "projects.HealthProject.postal_address", "identity.postal_address"),
    ("téléphone", "projects.HealthProject.phone", "identity.phone"),
    ("e-mail", "projects.HealthProject.email", "identity.email"),
    ("e-mail à publier sur le site de l'ARS", "projects.HealthProject.public_email", "identity.public_email"),
    ("représentant légal : nom", "projects.HealthProject.representative_name", "identity.representative_name"),
    (
        "représentant légal : profession",
        "projects.HealthProject.representative_profession",
        "identity.representative_profession",
    ),
    ("représentant légal : téléphone", "projects.HealthProject.representative_phone", "identity.representative_phone"),
    ("représentant légal : e-mail", "projects.HealthProject.representative_email", "identity.representative_email"),
    ("coordinateur : nom", "projects.HealthProject.coordinator_name", "identity.coordinator_name"),
    ("coordinateur : profession", "projects.HealthProject.coordinator_profession", "identity.coordinator_profession"),
    ("coordinateur : téléphone", "projects.HealthProject.coordinator_phone", "identity.coordinator_phone"),
    ("coordinateur : e-mail", "projects.HealthProject.coordinator_email", "identity.coordinator_email"),
    (
        "description de la gouvernance",
        "projects.HealthProject.governance_description",
        "identity.governance_description",
    ),
    ("annexe : statuts et règlement intérieur", "governance.GovernanceDocument.kind", "organisation.documents[].kind"),
    ("annexe : liste des adhérents", "governance.Member.last_name", "organisation.adherents[].last_name"),
    (
        "annexe : conventions de partenariat signées",
        "governance.Partner.agreement",
        "organisation.partners[].has_agreement",
    ),
    # 2. Diagnostic territorial
    ("commune", "diagnostics.TerritoryCommune.commune", "diagnostic.communes[].name"),
    ("code postal", "diagnostics.Commune.postal_codes", "diagnostic.communes[].postal_codes"),
    ("particularité (QPV, ZIP, ZAC)", "diagnostics.TerritoryCommune.in_qpv", "diagnostic.particularities"),
    ("population", "diagnostics.Commune.population", "diagnostic.population"),
    ("taille", "funding.ScaleSize.taille", "diagnostic.size"),
    (
        "caractéristiques de la population",
        "diagnostics.Diagnostic.population_text",
        "diagnostic.narrative.population_text",
    ),
    ("problématiques de santé", "diagnostics.Diagnostic.health_status_text", "diagnostic.narrative.health_status_text"),
    (
        "indicateurs typiques, définition et source",
        "diagnostics.IndicatorDefinition.description",
        "diagnostic.indicators[].definition",
    ),
    ("méthode du diagnostic", "diagnostics.Diagnostic.method_text", "diagnostic.method"),
    ("données collectées (annexe)", "diagnostics.Diagnostic.data_annex", "diagnostic.data_collected.annex"),
    ("analyse", "diagnostics.Diagnostic.analysis_text", "diagnostic.analysis"),
    ("orientations stratégiques retenues", "diagnostics.Diagnostic.orientations_text", "diagnostic.orientations"),
    ("partage avec les acteurs", "diagnostics.Diagnostic.sharing_text", "diagnostic.sharing.text"),
    (
        "offre de soins et sa dynamique",
        "diagnostics.Diagnostic.care_offer_text",
        "diagnostic.narrative.care_offer_text",
    ),
    ("liens DAC, CLS, hôpital de proximité, PTS", "diagnostics.DiagnosticLink.kind", "diagnostic.links[].kind"),
    # 3. Actions par mission, 4. macro-planning
    (
        "état des lieux de l'offre existante",
        "missions.MissionIntro.existing_offer",
        "actions.missions[].intro.existing_offer",
    ),
    (
        "objectifs pour les patients et la population",
        "missions.MissionIntro.patient_objectives",
        "actions.missions[].intro.patient_objectives",
    ),
    ("cible prioritaire", "missions.MissionIntro.priority_target", "actions.missions[].intro.priority_target"),
    (
        "objectifs pour les acteurs",
        "missions.MissionIntro.actor_objectives",
        "actions.missions[].intro.actor_objectives",
    ),
    ("tableau des actions par mission", "missions.ActionSheet.title", "actions.sheets[].title"),
    (
        "macro-planning, actions hors ACI comprises",
        "missions.ActionSheet.start_date",
        "actions.planning_rows[].outside_aci",
    ),
    # 5. Organisation
    ("membres par catégorie", "governance.Member.profession", "organisation.by_category[].joined"),
    ("adhérents et leur statut d'exercice", "governance.Member.practice_mode", "organisation.adherents[].status"),
    (
        "La Réunion : professionnels de ville",
        "governance.Member.practice_mode",
        "organisation.lists.city_professionals",
    ),
    ("La Réunion : autres acteurs", "governance.Member.nature", "organisation.lists.other_actors"),
    ("qualité de membre", "governance.Member.membership_kind", "organisation.adherents[].membership_kind"),
    ("niveau d'implication", "governance.Member.involvement", "organisation.adherents[].involvement"),
    (
        "actions d'information, professionnels touchés",
        "governance.InclusionAction.audience_reached",
        "organisation.inclusion_actions[].reached",
    ),
    (
        "partenaires : représentant, localisation",
        "governance.Partner.representative",
        "organisation.partners[].representative",
    ),
    ("partenariat formalisé", "governance.Partner.is_formalised", "organisation.partners[].is_formalised"),
    ("partenaire dans la gouvernance", "governance.Partner.in_governance", "organisation.partners[].in_governance"),
    (
        "modes de travail, système d'information",
        "projects.HealthProject.ways_of_working",
        "organisation.ways_of_working",
    ),
    ("besoins non couverts", "projects.HealthProject.uncovered_needs", "organisation.uncovered_needs"),
    ("instances et mandats", "governance.Mandate.role", "organisation.bodies[].mandates"),
    ("budget", "funding.BudgetLine.amount", "budget.parts[].lines"),
    ("qualité et évaluation", "projects.HealthProject.quality_evaluation", "quality_evaluation"),
]
FICHE_FIELDS = [
    # (Annexe 7, storage, frozen path under actions.sheets[], its label in the fiche's PDF templates)
    ("libellé de l'action", "missions.ActionSheet.title", "title", "sheet.title"),
    ("mission concernée", "missions.ActionSheet.mission", "mission", "Mission concernée"),
    ("pilote", "missions.ActionSheet.pilot", "pilot.name", "Pilote"),
    ("pilote : adresse", "governance.Member.postal_address", "pilot.contact.address", "person.postal_address"),
    ("pilote : téléphone", "governance.Member.phone", "pilot.contact.phone", "person.phone"),
    ("pilote : e-mail", "governance.Member.email", "pilot.contact.email", "person.email"),
    ("groupe de travail (mêmes champs)", "missions.ActionSheet.working_group", "working_group[].contact",
     "Membres du groupe de travail"),
    ("acteurs et partenaires", "missions.ActionSheet.partners", "actors.partners", "Acteurs et partenaires"),
    ("problématiques constatées", "missions.ActionSheet.problems", "problems", "Problématiques constatées"),
    ("objectif(s) opérationnel(s)", "missions.ActionSheet.objectives", "objectives", "Objectif(s) opérationnel(s)"),
    ("public cible", "missions.ActionSheet.target_public", "target_public", "Public cible"),
    ("sous-actions et qui fait quoi", "missions.SubAction.description", "sub_actions[].who",
     "Sous-actions et répartition des tâches"),
    ("indicateurs : type, sens, financement, référence, cibles", "missions.SheetIndicator.direction",
     "indicators[].targets", "Indicateurs de suivi et de résultat"),
    ("planning : démarrage, déploiement, échéance", "missions.ActionSheet.deployment_date",
     "planning.deployment_date", "Planning prévisionnel de mise en œuvre"),
    ("étapes et rencontres avec l'Assurance Maladie", "missions.PlanningStep.is_funder_meeting",
     "planning.steps[].is_funder_meeting", "Planning prévisionnel de mise en œuvre"),
    ("freins et leviers", "missions.ActionSheet.obstacles", "obstacles", "Freins"),
    ("estimation budgétaire", "missions.ActionSheet.budget_estimate", "budget_estimate",
     "Estimation du budget nécessaire"),
    ("ressources déjà disponibles", "missions.ActionSheet.existing_resources", "existing_resources",
     "Ressources déjà disponibles"),
    ("moyens logistiques, numériques, humains", "missions.ActionSheet.means_logistic", "means.logistic",
     "Moyens nécessaires"),
]  # fmt: skip


def _walk(data, path: str) -> list:
    """Every value at ``path`` ("a.b[].c"); a key missing anywhere raises KeyError."""
    values = [data]
    for part in path.split("."):
        key, many = part.removesuffix("[]"), part.endswith("[]")
        values = [v[key] for v in values if v is not None]  # a mission outside the ACI has no intro (None)
        if many:
            values = [item for v in values for item in v]
    return values


def test_every_field_of_the_health_project_and_the_fiche_has_its_place(demo_world):
    """A field the seeds ask for with no model field, no place in the frozen data, or (fiche) no label in its PDF,
    fails here, by name."""
    import json
    from pathlib import Path

    from django.apps import apps
    from django.conf import settings

    from accounts.demo import CPTS_NAME
    from accounts.models import Organisation
    from projects.selectors import health_project_for_cpts, health_project_snapshot

    project = health_project_for_cpts(Organisation.objects.get(name=CPTS_NAME))
    snapshot = json.loads(json.dumps(health_project_snapshot(project)))
    folder = Path(settings.BASE_DIR) / "templates"
    template = "".join(
        (folder / name).read_text()
        for name in ("pdf/_action_sheet.html", "missions/_sheet_body.html", "missions/_person.html")
    )
    problems = []
    rows = [(what, storage, path, None) for what, storage, path in HEALTH_PROJECT_FIELDS]
    rows += [
        (f"fiche : {what}", storage, f"actions.sheets[].{path}", label) for what, storage, path, label in FICHE_FIELDS
    ]
    for what, storage, path, label in rows:
        app_label, model_name, field_name = storage.split(".")
        try:
            apps.get_model(app_label, model_name)._meta.get_field(field_name)
        except LookupError as exc:
            problems.append(f"{what} : aucun champ {storage} ({exc})")
        try:
            values = _walk(snapshot, path)
        except (KeyError, TypeError) as exc:
            problems.append(f"{what} : absent des données figées ({path} : {exc!r})")
        else:
            if not values:
                problems.append(f"{what} : aucune valeur dans les données figées de la démo ({path})")
        if label and label not in template:
            problems.append(f"{what} : le PDF de la fiche ne l'affiche pas (libellé « {label} » introuvable)")
    assert not problems, "\n".join(problems)
