"""Issue 15, points 2 and 4: each mission's inventory and objectives before its fiches, the actions outside the ACI
in the macro-planning, and the pilot's and working group's contact in the fiche sent to the ARS (with consent)."""

import datetime as dt
import html
import json

import pytest
from django.urls import reverse

from accounts.choices import Role
from accounts.tests.factories import MembershipFactory, OrganisationFactory
from cpts_portal.pdf import render_html
from governance.rgpd import NO_CONSENT_NOTE
from missions import documents, selectors, services
from missions.choices import PlanStatus
from missions.models import MissionIntro

from .factories import ActionSheetFactory, IndicatorFactory, mission

pytestmark = pytest.mark.django_db

ADDRESS = "12 rue de la République, 11400 Castelnaudary"
INTRO = {
    "existing_offer": "Deux MSP et une maison médicale de garde.",
    "patient_objectives": "Un médecin traitant pour chaque patient en ALD.",
    "priority_target": "Patients de plus de 70 ans sans médecin traitant.",
    "actor_objectives": "Répartir l'accueil des nouveaux patients entre médecins volontaires.",
}


def url(name, cpts, *args):
    return reverse(f"missions:{name}", args=[cpts.pk, *args])


def text(response) -> str:
    return html.unescape(response.content.decode())


def prefixed(code: str, data: dict) -> dict:
    return {f"intro-{code}-{k}": v for k, v in data.items()}


@pytest.fixture
def consenting_pilot(sheet):
    """The fiche's pilot with a professional address, a phone and their consent to its transmission to the ARS."""
    pilot = sheet.pilot
    pilot.postal_address, pilot.phone, pilot.contact_consent_on = ADDRESS, "05 61 00 00 01", dt.date(2026, 1, 5)
    pilot.save()
    return pilot


# --- Point 2: inventory and objectives per mission ------------------------------------------------------------------


def test_the_coordinator_writes_a_missions_inventory_on_the_plan_page_and_it_shows_before_its_fiches(
    client, owner, sheet, cpts
):
    client.force_login(owner)
    page = text(client.get(url("plan_detail", cpts)))
    assert f'action="{url("mission_intro_update", cpts, "1")}"' in page  # the inline form of mission 1
    response = client.post(url("mission_intro_update", cpts, "1"), prefixed("1", INTRO))
    assert response.status_code == 302 and response["Location"].endswith("#etat-des-lieux-1")
    intro = MissionIntro.objects.get(plan=sheet.plan, mission__code="1")
    assert intro.existing_offer == INTRO["existing_offer"] and intro.history.count() == 1
    page = text(client.get(url("plan_detail", cpts)))
    section = page[page.index('id="mission-1"') : page.index('id="mission-2"')]
    assert (
        section.index(INTRO["existing_offer"]) < section.index(INTRO["actor_objectives"]) < section.index(sheet.title)
    )
    assert INTRO["priority_target"] in section
    # The same text posted again changes nothing (no new history line).
    client.post(url("mission_intro_update", cpts, "1"), prefixed("1", INTRO))
    assert intro.history.count() == 1


def test_an_inventory_changed_after_validation_returns_the_plan_to_draft(owner, sheet, plan):
    ActionPlanValidated = type(plan).objects.filter(pk=plan.pk)
    ActionPlanValidated.update(status=PlanStatus.VALIDATED)
    plan.refresh_from_db()
    services.mission_intro_save(plan=plan, mission=mission("2"), by=owner, data=INTRO)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_only_the_coordination_writes_an_inventory(client, cpts, sheet, pilot, outsider, owner):
    for user in (pilot[0], outsider):
        client.force_login(user)
        assert client.get(url("mission_intro_update", cpts, "1")).status_code == 403
        assert client.post(url("mission_intro_update", cpts, "1"), prefixed("1", INTRO)).status_code == 403
    assert not MissionIntro.objects.exists()
    client.force_login(pilot[0])
    assert f'action="{url("mission_intro_update", cpts, "1")}"' not in text(client.get(url("plan_detail", cpts)))
    client.force_login(owner)
    assert client.get(url("mission_intro_update", cpts, "1")).status_code == 200
    assert client.get(url("mission_intro_update", cpts, "hors_aci")).status_code == 404
    assert client.get(url("mission_intro_update", cpts, "9")).status_code == 404
    assert client.put(url("mission_intro_update", cpts, "1")).status_code == 405


def test_the_frozen_plan_holds_each_missions_inventory_and_flags_the_actions_outside_the_aci(owner, sheet, plan):
    services.mission_intro_save(plan=plan, mission=mission("1"), by=owner, data=INTRO)
    ActionSheetFactory(plan=plan, mission=mission("hors_aci"), title="Forum santé")
    data = selectors.serialise_action_plan(plan)
    by_code = {m["code"]: m for m in data["missions"]}
    assert by_code["1"]["intro"] == INTRO and by_code["1"]["intro_missing"] == []
    assert (
        by_code["2"]["intro"]["existing_offer"] == ""
        and "état des lieux de l'offre existante" in (by_code["2"]["intro_missing"])
    )
    assert by_code["5"]["intro_missing"] == []  # an optional mission not engaged needs none
    assert by_code["hors_aci"]["intro"] is None and by_code["hors_aci"]["outside_aci"] is True
    rows = {r["title"]: r for r in data["planning_rows"]}
    assert rows["Forum santé"]["outside_aci"] is True and rows[sheet.title]["outside_aci"] is False
    assert json.loads(json.dumps(data)) == data


def test_the_actions_outside_the_aci_have_their_own_rows_in_the_macro_planning(client, owner, plan, cpts):
    ActionSheetFactory(plan=plan, mission=mission("1"), title="Accès au médecin traitant")
    ActionSheetFactory(
        plan=plan, mission=mission("hors_aci"), title="Forum santé", preparation_start=dt.date(2025, 11, 1)
    )
    page = selectors.action_plan_page(plan, with_gantt=True)
    rows = {row.label: row for row in page.gantt.rows}
    outside = next(row for label, row in rows.items() if "Forum santé" in label)
    assert outside.outside_aci and outside.bars and {b.kind for b in outside.bars} == {"preparation", "implementation"}
    mission_row = next(row for row in page.gantt.rows if row.is_mission and row.outside_aci)
    assert mission_row.note == "jamais financées par l'ACI"
    assert not next(row for label, row in rows.items() if "Accès au médecin" in label).outside_aci
    client.force_login(owner)
    planning = text(client.get(url("plan_planning", cpts)))
    assert "Action hors champ ACI (figure au projet, jamais financée par l'ACI)" in planning  # legend
    assert "gantt-hatch-outside" in planning and "(hors champ ACI, jamais financée)" in planning
    assert "hors champ ACI : ces actions figurent au projet mais ne sont jamais financées" in planning  # table


def test_the_plan_pdf_puts_each_inventory_before_its_missions_fiches(owner, sheet, plan, consenting_pilot):
    services.mission_intro_save(plan=plan, mission=mission("1"), by=owner, data=INTRO)
    context = documents.sheets_document_context(plan, sheet=None, with_contacts=True)
    page = " ".join(render_html(documents.SHEETS_TEMPLATE, context).split())
    page = html.unescape(page)
    assert page.index(INTRO["existing_offer"]) < page.index(f"Fiche 1.1 – {sheet.title}")
    assert page.index(INTRO["priority_target"]) < page.index(f"Fiche 1.1 – {sheet.title}")


# --- Point 4: the contact in the fiche sent to the ARS ---------------------------------------------------------------


def test_the_frozen_fiche_carries_the_pilots_contact_with_consent_and_says_so_without(
    sheet, plan, consenting_pilot, group_member
):
    group = group_member[1]
    group.postal_address, group.phone = "1 place du Marché, 11400 Castelnaudary", "05 61 99 99 99"
    group.save()
    data = selectors.serialise_action_plan(plan)
    (fiche,) = data["sheets"]
    assert fiche["pilot"]["contact"] == {
        "transmitted": True,
        "address": ADDRESS,
        "phone": "05 61 00 00 01",
        "email": consenting_pilot.email,
        "consent_on": "2026-01-05",
    }
    assert fiche["working_group"][0]["contact"] == {"transmitted": False, "note": NO_CONSENT_NOTE}
    frozen = json.dumps(data, ensure_ascii=False)
    assert group.email not in frozen and "place du Marché" not in frozen and "05 61 99 99 99" not in frozen


def test_the_fiche_sent_to_the_ars_shows_contacts_only_with_consent(sheet, plan, consenting_pilot, group_member):
    group_member[1].postal_address = "1 place du Marché, 11400 Castelnaudary"
    group_member[1].save()
    context = documents.sheets_document_context(plan, sheet=sheet, with_contacts=True)
    page = html.unescape(" ".join(render_html(documents.SHEETS_TEMPLATE, context).split()))
    assert ADDRESS in page and consenting_pilot.email in page and "05 61 00 00 01" in page
    assert NO_CONSENT_NOTE in page and "place du Marché" not in page and group_member[1].email not in page
    # The members' variant carries no contact at all (governance: contacts are the coordinators').
    context = documents.sheets_document_context(plan, sheet=sheet, with_contacts=False)
    page = html.unescape(render_html(documents.SHEETS_TEMPLATE, context))
    assert ADDRESS not in page and consenting_pilot.email not in page


def test_the_coordination_sees_every_contact_and_which_ones_the_ars_receives(
    client, owner, sheet, cpts, consenting_pilot, group_member, other_member
):
    group_member[1].postal_address = "1 place du Marché, 11400 Castelnaudary"
    group_member[1].save()
    client.force_login(owner)
    page = text(client.get(url("sheet_detail", cpts, sheet.pk)))
    assert ADDRESS in page and "coordonnées transmises à l'ARS, consentement du 05/01/2026" in page
    assert "place du Marché" in page and "coordonnées non transmises à l'ARS : consentement absent" in page
    client.force_login(other_member[0])  # a member of the CPTS: the fiche, without the contacts
    page = text(client.get(url("sheet_detail", cpts, sheet.pk)))
    assert sheet.pilot.display_name in page and ADDRESS not in page and consenting_pilot.email not in page


def test_no_other_cpts_nor_outsider_reaches_the_fiches_contacts(
    client, sheet, cpts, consenting_pilot, outsider, colleague
):
    """Another CPTS's coordinator (same region or not) never; a reviewer of the region not in the live draft either:
    reviewers read the fiche in the submitted version of the health project (``serialise_action_plan``)."""
    other_cpts = OrganisationFactory(kind="cpts", region=cpts.region, name="CPTS voisine")
    neighbour = MembershipFactory(organisation=other_cpts, role=Role.COORDINATOR).user
    for user in (outsider, neighbour, colleague):
        client.force_login(user)
        for response in (
            client.get(url("sheet_detail", cpts, sheet.pk)),
            client.get(url("plan_detail", cpts)),
            client.get(url("sheet_pdf", cpts, sheet.pk)),
            client.get(url("sheet_pdf_download", cpts, sheet.pk)),
            client.get(url("plan_export", cpts, "csv")),
        ):
            assert response.status_code in (403, 404), (user, response.status_code)
            assert ADDRESS not in text(response) if response.get("Content-Type", "").startswith("text") else True


# --- The completeness panel's reader ---------------------------------------------------------------------------------


def test_plan_missing_names_each_inventory_and_pilot_contact_with_where_to_fill_it(
    owner, cpts, plan, sheet, pilot, professions
):
    missing = dict(selectors.plan_missing(cpts))
    plan_url = url("plan_detail", cpts)
    member_url = reverse("governance:member_update", args=[cpts.pk, sheet.pilot.pk])
    labels = list(missing)
    for code in ("1", "2", "3", "4"):
        assert any(missing[label] == f"{plan_url}#etat-des-lieux-{code}" for label in labels), code
    assert not any(missing[label].endswith("#etat-des-lieux-5") for label in labels)  # not engaged
    pilot_lines = [label for label in labels if missing[label] == member_url]
    assert any("coordonnées du pilote" in label and "adresse" in label for label in pilot_lines)
    assert any("consentement du pilote" in label for label in pilot_lines)
    unpiloted = ActionSheetFactory(plan=plan, mission=mission("6"), title="Accueil des internes", pilot=None)
    missing = dict(selectors.plan_missing(cpts))
    assert missing["Fiche 6.1 « Accueil des internes » : pilote à désigner"] == url("sheet_update", cpts, unpiloted.pk)
    assert any(v.endswith("#etat-des-lieux-6") for v in missing.values())  # engaged now
    # Filled: nothing left.
    unpiloted.delete()
    for code in ("1", "2", "3", "4"):
        services.mission_intro_save(plan=plan, mission=mission(code), by=owner, data=INTRO)
    p = sheet.pilot
    p.postal_address, p.phone, p.contact_consent_on = ADDRESS, "05 61 00 00 01", dt.date(2026, 1, 5)
    p.save()
    assert selectors.plan_missing(cpts) == []


def test_plan_missing_without_a_plan_points_to_the_plan_page(cpts):
    assert selectors.plan_missing(cpts) == [("Plan d'actions du projet de santé à ouvrir", url("plan_detail", cpts))]


def test_plan_missing_costs_a_fixed_number_of_queries(owner, cpts, plan, pilot, django_assert_max_num_queries):
    counts = []
    for added in (3, 30):
        for i in range(added):
            ActionSheetFactory(plan=plan, mission=mission(str(i % 6 + 1)), pilot=pilot[1])
        with django_assert_max_num_queries(8) as queries:
            selectors.plan_missing(cpts)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("name", ["plan_detail", "plan_planning"])
def test_the_coordinators_plan_page_with_its_inventory_forms_costs_a_fixed_number_of_queries(
    client, owner, pilot, group_member, plan, cpts, name, django_assert_max_num_queries
):
    client.force_login(owner)
    client.get(url(name, cpts))  # the session's first request may renew it (one write): not the page's cost
    counts = []
    for added in (7, 63):
        for i in range(added):
            sheet = ActionSheetFactory(
                plan=plan, mission=mission(["1", "2", "3", "4", "5", "6", "hors_aci"][i % 7]), pilot=pilot[1]
            )
            sheet.working_group.add(group_member[1])
            IndicatorFactory(sheet=sheet)
        for code in ("1", "2", "3"):
            services.mission_intro_save(
                plan=plan, mission=mission(code), by=owner, data={**INTRO, "priority_target": str(added)}
            )
        with django_assert_max_num_queries(18) as queries:
            response = client.get(url(name, cpts))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
