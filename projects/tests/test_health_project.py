"""The health project draft: opened once the letter is validated, sections with what is missing, frozen whole."""

import html
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.choices import Role
from projects.choices import LetterStatus
from projects.models import HealthProject, IntentionLetter
from projects.selectors import health_project_page, health_project_snapshot
from projects.services import health_project_start

from .factories import complete_letter, user_in

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def validated(cpts):
    letter = complete_letter(cpts)
    IntentionLetter.objects.filter(pk=letter.pk).update(status=LetterStatus.VALIDATED)
    return letter


def test_the_health_project_opens_only_once_the_letter_is_validated(client, owner, cpts):
    complete_letter(cpts)
    client.force_login(owner)
    page = text(client.get(reverse("projects:health_project_detail", args=[cpts.pk])))
    assert "s'ouvre une fois la lettre d'intention validée" in page
    response = client.post(reverse("projects:health_project_start", args=[cpts.pk]))
    assert response.status_code == 403
    assert not HealthProject.objects.exists()


def test_a_coordinator_opens_it_prefilled_from_the_letter_and_twice_gives_one(client, owner, cpts, validated):
    client.force_login(owner)
    response = client.post(reverse("projects:health_project_start", args=[cpts.pk]))
    assert response.status_code == 302
    client.post(reverse("projects:health_project_start", args=[cpts.pk]))
    project = HealthProject.objects.get()
    assert project.cpts_name == cpts.name
    assert project.association_name == "Association de préfiguration du Lauragais"
    assert project.email == "pilote@exemple.fr"
    assert project.history.count() == 1


def test_the_page_lists_every_section_and_what_is_missing(client, owner, cpts, validated):
    project = health_project_start(cpts=cpts, user=owner)
    client.force_login(owner)
    page = text(client.get(reverse("projects:health_project_detail", args=[cpts.pk])))
    for title in ("1. Identité", "2. Diagnostic territorial", "3. Actions par mission", "4. Organisation",
                  "5. Budget", "6. Qualité et évaluation"):  # fmt: skip
        assert title in page
    assert "Plan d'actions non commencé" in page and "Budget non commencé" in page
    sections = health_project_page(project).sections
    assert [s.complete for s in sections] == [False, False, False, False, False, False]
    assert "date du projet" in [str(m) for m in sections[0].missing]


def test_a_draft_saves_partial_content_and_refuses_an_invalid_siret_next_to_the_field(client, owner, cpts, validated):
    health_project_start(cpts=cpts, user=owner)
    client.force_login(owner)
    url = reverse("projects:health_project_edit", args=[cpts.pk])
    response = client.post(
        url, {"cpts_name": "CPTS du Lauragais", "siret": "12345678901234", "quality_evaluation": "Revue"}
    )
    assert response.status_code == 200
    page = text(response)
    assert "SIRET" in page and 'value="CPTS du Lauragais"' in page and "Revue" in page
    assert HealthProject.objects.get().quality_evaluation == ""
    response = client.post(url, {"cpts_name": "CPTS du Lauragais", "quality_evaluation": "Revue semestrielle"})
    assert response.status_code == 302
    assert HealthProject.objects.get().quality_evaluation == "Revue semestrielle"


def test_the_snapshot_freezes_every_section_as_json(owner, cpts, validated):
    call_command("loaddata", "professions", "funding_scales", verbosity=0)  # the taille is the scale's data
    project = health_project_start(cpts=cpts, user=owner)
    snapshot = health_project_snapshot(project)
    assert json.loads(json.dumps(snapshot)) == snapshot
    assert set(snapshot) >= {"schema_version", "identity", "diagnostic", "actions", "organisation", "budget"}
    assert [c["name"] for c in snapshot["diagnostic"]["communes"]] == ["Revel", "Villefranche-de-Lauragais"]
    assert snapshot["diagnostic"]["population"] == 14_700 and snapshot["diagnostic"]["size"] == 1
    assert snapshot["organisation"]["member_count"] == 0


@pytest.mark.parametrize("persona", ["colleague", "outsider"])
def test_people_outside_the_cpts_are_refused(request, client, cpts, owner, validated, persona):
    health_project_start(cpts=cpts, user=owner)
    client.force_login(request.getfixturevalue(persona))
    for name in ("health_project_detail", "health_project_edit"):
        assert client.get(reverse(f"projects:{name}", args=[cpts.pk])).status_code == 403
    assert client.post(reverse("projects:health_project_start", args=[cpts.pk])).status_code == 403


def test_a_member_reads_but_neither_opens_nor_edits(client, cpts, owner, validated):
    member = user_in(cpts, Role.MEMBER)
    client.force_login(member)
    assert client.post(reverse("projects:health_project_start", args=[cpts.pk])).status_code == 403
    health_project_start(cpts=cpts, user=owner)
    assert client.get(reverse("projects:health_project_detail", args=[cpts.pk])).status_code == 200
    assert client.get(reverse("projects:health_project_edit", args=[cpts.pk])).status_code == 403


def test_a_member_sees_no_link_to_the_edit_form_but_why_and_the_coordinator_does(client, cpts, owner, validated):
    """Issue 12: the page showed members "Modifier l'identité…" and the "Ouvrir" links of the identity and quality
    sections, all to the edit form that answers them 403. They now read the reason instead."""
    health_project_start(cpts=cpts, user=owner)
    edit_url = reverse("projects:health_project_edit", args=[cpts.pk])
    client.force_login(user_in(cpts, Role.MEMBER))
    page = text(client.get(reverse("projects:health_project_detail", args=[cpts.pk])))
    assert "1. Identité" in page and "6. Qualité et évaluation" in page
    assert edit_url not in page and "Modifier l'identité" not in page
    assert page.count("Seuls les coordinateurs de la CPTS rédigent le projet de santé.") == 2  # identity, quality
    assert reverse("missions:plan_detail", kwargs={"cpts_pk": cpts.pk}) in page  # readable sections stay linked

    client.force_login(owner)
    page = text(client.get(reverse("projects:health_project_detail", args=[cpts.pk])))
    assert page.count(f'href="{edit_url}"') == 3 and "Modifier l'identité" in page
    assert "Seuls les coordinateurs" not in page


def test_wrong_methods_are_refused(client, owner, cpts, validated):
    client.force_login(owner)
    assert client.get(reverse("projects:health_project_start", args=[cpts.pk])).status_code == 405
    assert client.post(reverse("projects:health_project_detail", args=[cpts.pk])).status_code == 405


@pytest.mark.parametrize("communes", [2, 40])
def test_the_page_costs_a_fixed_number_of_queries(client, owner, cpts, django_assert_max_num_queries, communes):
    from .factories import territory_for

    territory_for(cpts, communes=[(f"Commune {n}", 1000 + n) for n in range(communes)])
    letter = complete_letter(cpts)
    IntentionLetter.objects.filter(pk=letter.pk).update(status=LetterStatus.VALIDATED)
    health_project_start(cpts=cpts, user=owner)
    client.force_login(owner)
    # The organisation section reads the frozen organisation (members, partners, bodies and their mandates,
    # statutes, referents, inclusion actions): one query each, whatever their number.
    # Issue 16: the page also offers the transitions (the internal-validation guard reads the same completeness
    # panel, ``workflows.health_project.project_page``), the clock, signatures, versions and log.
    with django_assert_max_num_queries(40):
        response = client.get(reverse("projects:health_project_detail", args=[cpts.pk]))
    assert f"{communes} communes" in text(response)


@pytest.fixture
def fiches(cpts):
    """An action plan with fiches over the four core missions (two validated, one pilot-validated, two drafts)."""
    from missions.choices import SheetStatus
    from missions.models import ActionSheet
    from missions.tests.factories import ActionPlanFactory, ActionSheetFactory, core_plan, load_catalogue, mission

    load_catalogue(with_examples=False)
    plan = ActionPlanFactory(cpts=cpts)
    sheets = core_plan(plan)
    extra = ActionSheetFactory(plan=plan, mission=mission("2"), title="Action sans indicateur")
    ActionSheet.objects.filter(pk__in=[sheets["1"].pk, sheets["2"].pk]).update(status=SheetStatus.VALIDATED)
    ActionSheet.objects.filter(pk=sheets["3"].pk).update(status=SheetStatus.PILOT_VALIDATED)
    return plan, extra


@pytest.mark.parametrize("persona", ["owner", "member"])
def test_the_page_opens_with_fiches_action_and_states_the_actions_section(
    request, client, cpts, owner, validated, fiches, persona
):
    """Issue 12 §1: the page answered 500 as soon as the CPTS had fiches action (Checklist.complete)."""
    from missions.tests.factories import IndicatorFactory

    health_project_start(cpts=cpts, user=owner)
    client.force_login(request.getfixturevalue(persona))
    url = reverse("projects:health_project_detail", args=[cpts.pk])
    response = client.get(url)
    assert response.status_code == 200
    page = " ".join(text(response).split())
    assert "5 fiches action dont 2 validées ; liste de contrôle incomplète" in page
    assert "règles de la liste de contrôle" in page
    assert "Plan d'actions non commencé" not in page
    actions = response.context["page"].sections[2]
    assert (actions.number, actions.complete) == (3, False)

    IndicatorFactory(sheet=fiches[1])  # every fiche now has an indicator: the blocking rules pass
    response = client.get(url)
    page = " ".join(text(response).split())
    assert "5 fiches action dont 2 validées ; liste de contrôle complète" in page
    # Issue 15: what the ARS reads beyond the checklist (each mission's inventory and objectives, each fiche's
    # pilot and contact) is still missing, each with the page where it is filled.
    actions = response.context["page"].sections[2]
    labels = [str(m) for m in actions.missing]
    assert actions.complete is False and "règles de la liste de contrôle" not in labels
    assert any("pilote à désigner" in label for label in labels)
    assert all(m.url.startswith(("/actions/", "/gouvernance/")) for m in actions.missing)


def test_the_snapshot_freezes_the_organisation_the_ars_judges(owner, cpts, validated):
    """Issue 15 point 3: adherents with their status, partners and agreements, statutes, bodies and mandates,
    inclusion actions, and seed 004's two lists, in the version's data; the section names what is missing, each
    with the page where it is filled."""
    import datetime as dt

    from governance.models import GovernanceDocument, InclusionAction
    from governance.tests.factories import MandateFactory, MemberFactory, PartnerFactory, StructureMemberFactory

    call_command("loaddata", "professions", "funding_scales", verbosity=0)
    project = health_project_start(cpts=cpts, user=owner)
    on = dt.date(2024, 6, 1)
    organisation = health_project_page(project, on=on).sections[3]
    assert not organisation.complete
    links = {str(m): m.url for m in organisation.missing}
    assert links["membres de la CPTS"] == reverse("governance:member_list", kwargs={"cpts_pk": cpts.pk})
    assert links["statuts de l'association"] == reverse("governance:document_list", kwargs={"cpts_pk": cpts.pk})
    assert "bureau complet (manque : Président·e, Trésorier·ère, Secrétaire)" in links

    doctor = MemberFactory(cpts=cpts, last_name="Martin", practice_mode="liberal", in_governance=True)
    MemberFactory(cpts=cpts, last_name="Sans-statut")
    StructureMemberFactory(cpts=cpts, last_name="Hôpital de Revel", practice_mode="etablissement")
    MemberFactory(cpts=cpts, last_name="Parti", joined_on=dt.date(2024, 1, 1), left_on=dt.date(2024, 3, 1))
    PartnerFactory(cpts=cpts, name="EHPAD du Lauragais", is_formalised=True, agreement_signed_on=dt.date(2024, 4, 2))
    PartnerFactory(cpts=cpts, name="Ancien partenaire", ended_on=dt.date(2024, 5, 1))
    for role in ("president", "treasurer", "secretary"):
        MandateFactory(body__cpts=cpts, body__kind="bureau", member=doctor, role=role)
    GovernanceDocument.objects.create(cpts=cpts, kind="statutes", title="Statuts 2024", file="governance/x.pdf")
    InclusionAction.objects.create(
        cpts=cpts, date=dt.date(2024, 2, 1), kind="meeting", title="Soirée", audience_reached=40
    )

    data = health_project_snapshot(project, on=on)["organisation"]
    assert json.loads(json.dumps(data)) == data
    statuses = {row["last_name"]: row["status"] for row in data["adherents"]}
    assert statuses == {"Martin": "Libéral", "Sans-statut": "", "Hôpital de Revel": "Établissement"}
    assert [r["last_name"] for r in data["lists"]["city_professionals"]] == ["Martin", "Sans-statut"]
    assert [r["last_name"] for r in data["lists"]["other_actors"]] == ["Hôpital de Revel"]
    assert [(p["name"], p["is_formalised"], p["agreement_signed_on"]) for p in data["partners"]] == [
        ("EHPAD du Lauragais", True, "2024-04-02")
    ]
    assert [d["title"] for d in data["documents"]] == ["Statuts 2024"]
    assert sorted(m["role"] for b in data["bodies"] for m in b["mandates"]) == [
        "Président·e",
        "Secrétaire",
        "Trésorier·ère",
    ]
    assert data["bureau"] == {"exists": True, "missing_roles": []}
    assert data["inclusion_actions"] == [{"date": "2024-02-01", "kind": "Réunion", "title": "Soirée", "reached": 40}]
    assert "email" not in data["adherents"][0] and "phone" not in data["adherents"][0]

    organisation = health_project_page(project, on=on).sections[3]
    assert [str(m) for m in organisation.missing] == [
        "statut d'exercice de 1 adhérent (libéral, MSP, ESP, ESS, centre de santé, établissement)",
        "modalités de travail et de communication",
    ]
    assert organisation.missing[-1].project_form and organisation.missing[-1].url.endswith("#id_ways_of_working")
