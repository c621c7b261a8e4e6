"""The health project's pages once deposited (issue 16): the project's page (status, the clock banner from
``project_clock``, versions, opinions awaited), the review (the grid of Annexe 9 with its counts prefilled and its
criteria by section), the opinion, complements and decision forms, the versions and the PDFs; who may open each page
(the owner, an organisation consulted, the ARS agent, the decider, an outsider); the grid PDF read back with pypdf;
and the query counts that do not grow with the fiches or the opinions."""

import datetime as dt
import html
import io
import re
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from accounts.choices import OrganisationKind, ProjectSection, Role, Stage
from accounts.models import StageCircuit, TemplateSection
from accounts.tests.factories import OrganisationFactory
from governance.selectors import signature_round_current
from governance.signatures import signature_links_send, signature_sign
from governance.tests.factories import MemberFactory
from projects.choices import DocumentKind, HealthProjectStatus, LetterStatus
from projects.models import HealthProject, IntentionLetter, Opinion, ProjectDecision, RenderedDocument
from projects.services import document_render_now, health_project_start
from projects.workflows import health_project as definition
from projects.workflows.health_project_services import project_approve, project_deposit, project_give_opinion

from .factories import complete_letter, user_in

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
START = dt.datetime(2025, 3, 3, 9, 0, tzinfo=PARIS)
LINK_RE = re.compile(r"/gouvernance/signature/([A-Za-z0-9_\-]+)/")
GRID = "projet-de-sante-annexe-9"


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split()).replace(" .", ".")


class World:
    pass


@pytest.fixture
def world(cpts, owner, circuit, outsider, monkeypatch):
    """A deposited project (version 1), its CPTS in the Occitanie circuit: the ARS desk, five organisations
    consulted (the DD, the Guichet, three bodies), the region's template of sections and Annexe 9's grid."""
    call_command("loaddata", "professions", "funding_scales", "opinion_grids", verbosity=0)
    w = World()
    w.cpts, w.owner, w.outsider, w.circuit = cpts, owner, outsider, circuit
    w.agent, w.decider = circuit.ars_agent, circuit.ars_decider
    dd = circuit.ars_dd_agent.memberships.get().organisation
    w.reviewers = [(dd, circuit.ars_dd_agent), (circuit.desk, circuit.desk_user)]
    for name in ("CPAM du territoire", "MSA du territoire", "ELSM du territoire"):
        org = OrganisationFactory(name=name, kind=OrganisationKind.MSA, region=circuit.region)
        w.reviewers.append((org, user_in(org, Role.AGENT)))
    w.hp_circuit = StageCircuit.objects.create(
        settings=circuit.settings,
        stage=Stage.HEALTH_PROJECT,
        desk=circuit.ars,
        opinion_delay_days=30,
        decision_delay_months=2,
        grid_code=GRID,
    )
    w.hp_circuit.reviewers.set([org for org, _user in w.reviewers])
    for order, code in enumerate([ProjectSection.IDENTITY, ProjectSection.DIAGNOSTIC, ProjectSection.ORGANISATION]):
        TemplateSection.objects.create(settings=circuit.settings, code=code, title=f"Trame {code}", order=order)
    letter = complete_letter(cpts)
    IntentionLetter.objects.filter(pk=letter.pk).update(status=LetterStatus.VALIDATED)
    with time_machine.travel(START - dt.timedelta(days=30), tick=False):
        for name in ("Durand", "Petit"):
            MemberFactory(cpts=cpts, last_name=name, email=f"{name.lower()}@exemple.fr")
        w.project = health_project_start(cpts=cpts, user=owner)
    # The completeness panel is tested in test_health_project.py: here the review is.
    monkeypatch.setitem(definition.GUARDS, "approve", lambda project: [])
    return w


def deposit(w):
    with time_machine.travel(START, tick=False):
        project_approve(project=w.project, by=w.owner)
        signature_round = signature_round_current(w.project)
        signature_links_send(round_id=signature_round.pk)
        for token in {m.to[0]: LINK_RE.search(m.body).group(1) for m in mail.outbox}.values():
            signature_sign(token=token, seen_sha256=signature_round.sha256, ip_address="127.0.0.1", user_agent="t")
        project_deposit(project=w.project, by=w.owner)
    w.project = HealthProject.objects.get(pk=w.project.pk)
    return w.project


@pytest.fixture
def deposited(world):
    deposit(world)
    return world


def give(w, user, overall="favorable"):
    criteria = w.project_criteria if hasattr(w, "project_criteria") else None
    from projects.selectors.review import project_grid

    grid = project_grid(w.circuit.settings)
    answers = {c.pk: ("favorable", f"Commentaire {c.code}") for c in (criteria or grid.criteria.all())}
    project_give_opinion(project=w.project, by=user, overall=overall, comment=f"Avis de {user.email}", answers=answers)


def url(name, w, *args):
    return reverse(f"projects:{name}", args=[w.cpts.pk, *args])


PERSONAS = ("owner", "reviewer", "agent", "decider", "outsider")


def as_user(w, persona):
    return {
        "owner": w.owner,
        "reviewer": w.reviewers[2][1],
        "agent": w.agent,
        "decider": w.decider,
        "outsider": w.outsider,
    }[persona]


@pytest.mark.parametrize(
    ("name", "args", "allowed"),
    [
        ("health_project_detail", (), {"owner", "reviewer", "agent", "decider"}),
        ("health_project_review", (), {"reviewer", "agent", "decider"}),
        ("health_project_opinion", (), {"reviewer", "agent", "decider"}),
        ("health_project_complements", (), {"agent", "decider"}),
        ("health_project_prepare_decision", (), {"agent", "decider"}),
        ("health_project_sign_decision", (), {"decider"}),
        ("health_project_version", (1,), {"owner", "reviewer", "agent", "decider"}),
        ("health_project_grid_preview", (1,), {"reviewer", "agent", "decider"}),
    ],
)
def test_who_opens_each_page(client, deposited, name, args, allowed):
    for persona in PERSONAS:
        client.force_login(as_user(deposited, persona))
        response = client.get(url(name, deposited, *args))
        assert response.status_code == (200 if persona in allowed else 403), (persona, response.status_code)
        if persona in allowed:
            assert "Retour" in text(response) or "Annuler" in text(response)  # a way back from every page
    client.force_login(deposited.agent)
    assert client.delete(url(name, deposited, *args)).status_code == 405


def test_unknown_versions_and_projects_are_404(client, deposited, outsider):
    client.force_login(deposited.owner)
    assert client.get(url("health_project_version", deposited, 9)).status_code == 404
    assert client.get(url("health_project_version_diff", deposited, 1)).status_code == 404  # no version 0
    other = OrganisationFactory(name="CPTS sans projet", region=deposited.circuit.region)
    client.force_login(deposited.agent)
    assert client.get(reverse("projects:health_project_review", args=[other.pk])).status_code == 404


def test_transitions_are_post_only_and_refused_to_those_whose_part_it_is_not(client, deposited):
    target = url("health_project_transition", deposited, "approve")
    client.force_login(deposited.owner)
    assert client.get(target).status_code == 405
    response = client.post(target, follow=True)  # deposited: the engine explains why, in French
    assert "n'est pas possible" in text(response)
    for persona in ("reviewer", "agent", "outsider"):
        client.force_login(as_user(deposited, persona))
        assert client.post(target).status_code == 403
    client.force_login(deposited.owner)
    assert client.post(url("health_project_transition", deposited, "validate_tacitly")).status_code == 404


def test_the_project_page_shows_the_clock_the_versions_and_the_opinions_awaited(client, deposited):
    client.force_login(deposited.owner)
    page = text(client.get(url("health_project_detail", deposited)))
    assert "Déposé à l'ARS le 3 mars 2025" in page
    assert "validé tacitement le 3 mai 2025" in page
    assert "suspendu pendant les compléments, reprend au nouveau dépôt" in page  # the region's complements-clock rule
    assert "Lire la version 1" in page and "À rendre avant le" in page
    for org, _user in deposited.reviewers:
        assert org.name in page
    assert "Grille d'analyse et avis" not in page  # the grid is the reviewers'
    assert "Sections à compléter" not in page  # deposited: the project is read in its versions


def test_while_writing_the_sections_follow_the_regions_template(client, world):
    client.force_login(world.owner)
    page = text(client.get(url("health_project_detail", world)))
    # identity, diagnostic, organisation (the region's template), then the national order.
    for position, title in enumerate(
        ["Trame identity", "Trame diagnostic", "Trame organisation", "Actions par mission", "Budget"], start=1
    ):
        assert f"{position}. {title}" in page
    assert "Aucune version n'a encore été déposée" in page


def test_an_opinion_on_an_earlier_version_says_so_with_the_diff(client, deposited):
    give(deposited, deposited.reviewers[2][1])
    HealthProject.objects.filter(pk=deposited.project.pk).update(current_version_number=2)
    from projects.models import DossierVersion

    v1 = DossierVersion.objects.get(object_id=deposited.project.pk, number=1)
    DossierVersion.objects.create(
        content_type=v1.content_type, object_id=v1.object_id, number=2, schema_version=v1.schema_version,
        data={**v1.data, "quality_evaluation": "Revue semestrielle"}, sha256="x", submitted_by=deposited.owner,
        submitted_at=v1.submitted_at,
    )  # fmt: skip
    client.force_login(deposited.owner)
    page = text(client.get(url("health_project_detail", deposited)))
    assert "avis rendu sur la version 1" in page
    diff = url("health_project_version_diff", deposited, 2) + "?depuis=1"
    assert diff in html.unescape(client.get(url("health_project_detail", deposited)).content.decode())
    assert "Revue semestrielle" in text(client.get(diff))


def test_the_review_prefills_the_counts_and_groups_the_criteria_by_section(client, deposited):
    give(deposited, deposited.reviewers[2][1], overall="reserved")
    client.force_login(deposited.agent)
    response = client.get(url("health_project_review", deposited))
    page = text(response)
    facts = {f.code: f.value for f in response.context["facts"]}
    assert facts["communes"] == 2 and facts["professionals"] == 2
    assert "Nombre d'habitants" in page and "Nombre d'engagements à venir" in page
    groups = [g.code for g in response.context["groups"]]
    assert groups == ["diagnostic", "actions"]  # the template's order: diagnostic before actions
    anchor = url("health_project_version", deposited, 1) + "#section-diagnostic"
    assert anchor in response.content.decode()
    assert "MSA du territoire : Réservé" not in page and "CPAM du territoire : Réservé" in page
    assert "Compléter la grille consolidée de l'ARS" in page


def test_the_whole_review_through_the_forms_then_the_grid_pdf(client, deposited):
    w = deposited
    for _org, user in w.reviewers[:3]:
        client.force_login(user)
        form = client.get(url("health_project_opinion", w)).context["form"]
        data = {f"c{c.pk}_assessment": "favorable" for c in form.criteria} | {"overall": "favorable", "comment": "Ok"}
        assert client.post(url("health_project_opinion", w), data).status_code == 302
        assert client.get(url("health_project_opinion", w)).status_code == 403  # once per version
    client.force_login(w.agent)
    data = {f"c{c.pk}_assessment": "reserved" for c in form.criteria} | {"overall": "favorable", "comment": "Grille"}
    assert client.post(url("health_project_opinion", w), data).status_code == 302
    assert Opinion.objects.filter(is_consolidated=True, organisation=w.circuit.ars).exists()
    # A third ground is refused by the form, next to the field.
    response = client.post(
        url("health_project_prepare_decision", w), {"outcome": "opposition", "ground": "budget", "motive": "Budget"}
    )
    assert response.status_code == 200 and "n'est pas un motif légal" in text(response)
    assert not ProjectDecision.objects.exists()
    response = client.post(url("health_project_prepare_decision", w), {"outcome": "non_opposition"})
    assert response.status_code == 302
    client.force_login(w.decider)
    page = text(client.get(url("health_project_sign_decision", w)))
    assert "Décision préparée par" in page
    assert client.post(url("health_project_sign_decision", w), {"outcome": "non_opposition"}).status_code == 200
    response = client.post(url("health_project_sign_decision", w), {"outcome": "non_opposition", "confirm": "on"})
    assert response.status_code == 302
    assert HealthProject.objects.get().status == HealthProjectStatus.VALIDATED
    document = RenderedDocument.objects.get(kind=DocumentKind.HEALTH_PROJECT_REVIEW)
    document_render_now(document_id=document.pk)  # the task's work (on commit in production)
    response = client.get(url("health_project_document_download", w, document.pk))
    assert response.status_code == 200
    pdf = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(b"".join(response))).pages).split())
    assert "CPTS du Lauragais" in pdf
    assert "Nombre de communes 2" in pdf and "Nombre de professionnels engagés dans la CPTS 2" in pdf
    for org, _user in w.reviewers[:3]:
        assert f"{org.name} : Favorable" in pdf
    assert "Grille consolidée de l'ARS" in pdf and "Non-opposition" in pdf
    # The CPTS downloads the deposited project, not the grid.
    client.force_login(w.owner)
    assert client.get(url("health_project_document_download", w, document.pk)).status_code == 403
    page = text(client.get(url("health_project_detail", w)))
    assert "Validé par la non-opposition de l'ARS" in page and "la CPTS est reconnue" in page


def test_complements_with_a_comment_per_section(client, deposited):
    client.force_login(deposited.agent)
    response = client.post(url("health_project_complements", deposited), {"reason": "incomplete", "message": "À voir"})
    assert response.status_code == 200 and "Commentez au moins une section" in text(response)
    response = client.post(
        url("health_project_complements", deposited),
        {"reason": "incomplete", "message": "À voir", "section__budget": "Équilibrez la partie 2."},
    )
    assert response.status_code == 302
    assert HealthProject.objects.get().status == HealthProjectStatus.COMPLEMENTS_REQUESTED
    client.force_login(deposited.owner)
    page = text(client.get(url("health_project_detail", deposited)))
    assert "Compléments demandés par" in page and "Budget : Équilibrez la partie 2." in page
    assert re.search(r"\d+ jours? restants? au prochain dépôt", page)  # 0 or 1: "jour restant" (French singular)


def test_the_deposited_project_pdf_reads_back(client, deposited):
    document = RenderedDocument.objects.get(kind=DocumentKind.HEALTH_PROJECT)
    document_render_now(document_id=document.pk)
    client.force_login(deposited.reviewers[0][1])
    response = client.get(url("health_project_document_download", deposited, document.pk))
    pdf = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(b"".join(response))).pages)
    assert "CPTS du Lauragais" in pdf and "Trame identity" in pdf and "Durand" in pdf


# --- Query counts ---------------------------------------------------------------------------------------------------


def _cost(client, user, target) -> int:
    client.force_login(user)
    client.get(target)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(target)
    assert response.status_code == 200
    return len([q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]])


def _fiches(cpts, count, start=0):
    from missions.models import ActionPlan
    from missions.tests.factories import ActionPlanFactory, ActionSheetFactory, load_catalogue, mission

    if start == 0:
        load_catalogue(with_examples=False)
        ActionPlanFactory(cpts=cpts)
    plan = ActionPlan.objects.get(cpts=cpts)
    for n in range(start, start + count):
        ActionSheetFactory(plan=plan, mission=mission(str(1 + n % 4)), title=f"Fiche {n}")


def test_the_project_page_costs_the_same_with_5_or_60_fiches(client, world):
    _fiches(world.cpts, 5)
    deposit(world)
    target = url("health_project_detail", world)
    small = {p: _cost(client, as_user(world, p), target) for p in ("owner", "agent")}
    _fiches(world.cpts, 55, start=5)
    large = {p: _cost(client, as_user(world, p), target) for p in ("owner", "agent")}
    assert large == small


def test_the_review_costs_the_same_with_5_or_10_opinions(client, deposited):
    w = deposited
    more = []
    for n in range(5):
        org = OrganisationFactory(name=f"Organisation {n}", kind=OrganisationKind.MSA, region=w.circuit.region)
        more.append((org, user_in(org, Role.AGENT)))
    w.hp_circuit.reviewers.add(*[org for org, _u in more])
    from projects.services import opinion_round_open
    from projects.workflows.engine import submitted_version

    opinion_round_open(version=submitted_version(w.project), organisations=[o for o, _u in more], due_at=START)
    for _org, user in w.reviewers:
        give(w, user)
    pages = [url("health_project_review", w), url("health_project_detail", w), url("health_project_grid_preview", w, 1)]
    small = [_cost(client, w.agent, page) for page in pages]
    for _org, user in more:
        give(w, user)
    assert Opinion.objects.count() == 10
    large = [_cost(client, w.agent, page) for page in pages]
    assert large == small


@override_settings(DEBUG=True)
def test_the_demo_regions_name_annexe_9_and_order_their_template():
    from accounts.models import RegionalSettings
    from projects.selectors.review import project_grid, template_sections

    call_command("seed_demo")
    call_command("seed_demo")  # idempotent: one row per section
    occitanie = RegionalSettings.objects.get(region__code="76")
    reunion = RegionalSettings.objects.get(region__code="04")
    for settings in (occitanie, reunion):
        grid = project_grid(settings)
        assert grid.code == GRID and grid.criteria.count() == 7
        assert all(c.section in ProjectSection.values for c in grid.criteria.all())
        assert TemplateSection.objects.filter(settings=settings).count() == len(ProjectSection.values)
    assert [code for code, _t in template_sections(occitanie)][:5] == [
        "identity", "diagnostic", "actions", "planning", "organisation",
    ]  # fmt: skip
    assert [code for code, _t in template_sections(reunion)][:4] == [
        "identity",
        "diagnostic",
        "organisation",
        "actions",
    ]
