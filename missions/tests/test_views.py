"""Pages and actions of the action plan: permissions by role, wrong methods, conflicts, exports, query counts."""

import csv
import datetime as dt
import html
import io

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.choices import Role
from accounts.tests.factories import MembershipFactory
from missions.choices import SheetStatus
from missions.models import ActionExample, ActionPlan, ActionSheet
from projects.models import StatusTransition
from projects.workflows.engine import rows_of

from .factories import ActionSheetFactory, IndicatorFactory, core_plan, mission, sheet_post_data

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def url(name, cpts, *args):
    return reverse(f"missions:{name}", args=[cpts.pk, *args])


@pytest.fixture
def personas(owner, pilot, group_member, other_member, colleague, outsider):
    return {
        "coordinator": owner,
        "pilot": pilot[0],
        "group_member": group_member[0],
        "other_member": other_member[0],
        "reviewer": colleague,
        "outsider": outsider,
    }


# --- Reading --------------------------------------------------------------------------------------------------------

READERS = {"coordinator", "pilot", "group_member", "other_member"}


@pytest.mark.parametrize("persona", ["coordinator", "pilot", "group_member", "other_member", "reviewer", "outsider"])
def test_pages_are_read_by_the_cpts_people_only(client, personas, persona, sheet, cpts):
    client.force_login(personas[persona])
    pages = [
        url("plan_detail", cpts),
        url("plan_planning", cpts),
        url("sheet_detail", cpts, sheet.pk),
        url("plan_export", cpts, "csv"),
    ]
    for page in pages:
        response = client.get(page)
        if persona in READERS:
            assert response.status_code == 200, page
        else:
            assert response.status_code == 403, page
            assert "réservées à ses membres" in text(response)
            assert sheet.title not in text(response)


def test_anonymous_people_are_sent_to_the_login_page(client, sheet, cpts):
    response = client.get(url("plan_detail", cpts))
    assert response.status_code == 302 and "/connexion/" in response["Location"]


# --- Editing by role ------------------------------------------------------------------------------------------------

EDITORS = {"coordinator", "pilot", "group_member"}


@pytest.mark.parametrize("persona", ["coordinator", "pilot", "group_member", "other_member", "reviewer", "outsider"])
def test_a_fiche_is_edited_by_the_coordinator_its_pilot_and_its_working_group(client, personas, persona, sheet, cpts):
    client.force_login(personas[persona])
    edit = url("sheet_update", cpts, sheet.pk)
    get = client.get(edit)
    post = client.post(edit, sheet_post_data(sheet, problems=f"Constat de {persona}"))
    indicator = client.post(
        url("indicator_create", cpts, sheet.pk), {"kind": "action", "label": "Réunions", "direction": "increasing"}
    )
    sheet.refresh_from_db()
    if persona in EDITORS:
        assert get.status_code == 200 and "Modifier la fiche action" in text(get)
        assert post.status_code == 302
        assert indicator.status_code == 302
        assert sheet.problems == f"Constat de {persona}" and sheet.version == 3
        assert sheet.history.first().history_user == personas[persona]
    else:
        assert (get.status_code, post.status_code, indicator.status_code) == (403, 403, 403)
        assert sheet.problems == "" and sheet.version == 1
    if persona == "other_member":
        assert "Seuls la coordination, le pilote et le groupe de travail" in text(post)


def words(response) -> str:
    """The page's text without tags, spaces collapsed."""
    import re

    return " ".join(re.sub(r"<[^>]+>", " ", text(response)).replace(" ,", ",").replace(" .", ".").split())


@pytest.fixture
def pilot_without_account(cpts, professions, sheet):
    """The fiche's pilot is a governance member who has no portal account (as every pilot of the demo)."""
    from governance.tests.factories import MemberFactory

    member = MemberFactory(cpts=cpts, first_name="Claire", last_name="Fabre", email="claire.fabre@exemple.fr")
    ActionSheet.objects.filter(pk=sheet.pk).update(pilot=member)
    return member


def test_the_coordinator_invites_a_pilot_without_account_or_validates_in_their_name(
    client, owner, other_member, sheet, cpts, pilot_without_account, mailoutbox, django_capture_on_commit_callbacks
):
    """Issue 12 §20: the fiche says who must validate, offers the invitation, and lets the coordinator validate in
    place of a pilot who has no account, recorded as such."""
    from governance.models import MemberInvitation

    client.force_login(owner)
    page = words(client.get(url("sheet_detail", cpts, sheet.pk)))
    assert "À valider d'abord par le pilote : Claire Fabre, qui n'a pas encore de compte sur le portail." in page
    assert "Inviter le pilote sur le portail" in page and "Valider au nom du pilote (sans compte)" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("sheet_invite_pilot", cpts, sheet.pk), follow=True)
    assert "Une invitation a été envoyée à Claire Fabre (claire.fabre@exemple.fr)" in words(response)
    invitation = MemberInvitation.objects.get(member=pilot_without_account)
    assert [m.to for m in mailoutbox] == [["claire.fabre@exemple.fr"]]
    page = words(response)
    sent_on = timezone.localtime(invitation.created_at)  # the page's date is Paris's (a run after 23:00 UTC)
    assert f"Invitation envoyée le {sent_on:%d/%m/%Y} à claire.fabre@exemple.fr" in page
    assert "Renvoyer l'invitation au pilote" in page

    client.force_login(other_member[0])  # a member of the CPTS neither invites nor validates for the pilot
    assert client.post(url("sheet_invite_pilot", cpts, sheet.pk)).status_code == 403
    assert client.post(url("sheet_validate_for_pilot", cpts, sheet.pk)).status_code == 403

    client.force_login(owner)
    response = client.post(url("sheet_validate_for_pilot", cpts, sheet.pk), follow=True)
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.PILOT_VALIDATED
    change = StatusTransition.objects.get(rows_of(sheet))  # the dossiers' one log (projects)
    assert (change.transition, change.source, change.target, change.by) == (
        "validate_for_pilot",
        SheetStatus.DRAFT,
        SheetStatus.PILOT_VALIDATED,
        owner,
    )
    note = f"Validée par {owner.get_full_name()} au nom du pilote Claire Fabre, sans compte."
    assert change.comment == note
    page = words(response)
    assert "Fiche validée au nom de son pilote." in page
    assert "À valider d'abord par le pilote" not in page  # no longer a draft (``sheet.is_draft``)
    assert "Validation par la coordination au nom du pilote, sans compte : Brouillon → Validée par le pilote" in page
    assert f"({note})" in page
    assert client.post(url("sheet_validate_for_pilot", cpts, sheet.pk)).status_code == 403  # once only


def test_a_pilot_with_an_account_validates_themselves_the_button_says_why(client, owner, pilot, sheet, cpts):
    client.force_login(owner)
    page = words(client.get(url("sheet_detail", cpts, sheet.pk)))
    name = str(pilot[1])
    assert f"À valider d'abord par le pilote : {name}, qui a un compte sur le portail." in page
    assert f"{name} a un compte sur le portail : la validation lui revient." in page
    assert "Le pilote a déjà un compte sur le portail." in page  # the invitation's disabled button
    html_page = text(client.get(url("sheet_detail", cpts, sheet.pk)))
    assert 'disabled aria-describedby="for-pilot-reason">Valider au nom du pilote (sans compte)' in html_page
    assert client.post(url("sheet_validate_for_pilot", cpts, sheet.pk)).status_code == 403
    assert client.post(url("sheet_invite_pilot", cpts, sheet.pk)).status_code == 403
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.DRAFT


def test_a_pilot_without_email_cannot_be_invited_and_the_page_says_where_to_add_it(
    client, owner, sheet, cpts, pilot_without_account
):
    pilot_without_account.email = ""
    pilot_without_account.save()
    client.force_login(owner)
    page = words(client.get(url("sheet_detail", cpts, sheet.pk)))
    assert "Indiquez d'abord l'adresse e-mail du pilote dans la liste des membres. Compléter la fiche du membre" in page
    assert client.post(url("sheet_invite_pilot", cpts, sheet.pk)).status_code == 403
    assert "Valider au nom du pilote (sans compte)" in page


@pytest.mark.parametrize("persona", ["pilot", "group_member", "other_member", "outsider"])
def test_only_the_coordinator_organises_the_fiches(client, personas, persona, sheet, cpts):
    client.force_login(personas[persona])
    for name, data in [
        ("sheet_duplicate", {}),
        ("sheet_move", {"direction": "up"}),
        ("sheet_archive", {"archived": "1"}),
    ]:
        assert client.post(url(name, cpts, sheet.pk), data).status_code == 403, name
    assert client.post(url("sheet_create", cpts), {"mission": mission("2").pk, "title": "X"}).status_code == 403
    assert client.get(url("sheet_from_example", cpts)).status_code == 403
    assert client.post(url("plan_settings", cpts), {"planned_signature_date": "2027-01-01"}).status_code == 403
    assert ActionSheet.objects.count() == 1 and not ActionSheet.objects.get().is_archived


def test_the_coordinator_creates_duplicates_reorders_and_archives(client, owner, sheet, cpts):
    client.force_login(owner)
    response = client.post(url("sheet_create", cpts), {"mission": mission("2").pk, "title": "Parcours diabète"})
    created = ActionSheet.objects.get(title="Parcours diabète")
    assert response["Location"] == url("sheet_update", cpts, created.pk)
    assert client.post(url("sheet_duplicate", cpts, sheet.pk)).status_code == 302
    assert ActionSheet.objects.filter(title=f"Copie de {sheet.title}").exists()
    copy = ActionSheet.objects.get(title=f"Copie de {sheet.title}")
    client.post(url("sheet_move", cpts, copy.pk), {"direction": "up"})
    page = text(client.get(url("plan_detail", cpts)))
    assert page.index(f"Copie de {sheet.title}") < page.index(f">{sheet.title}<")
    client.post(url("sheet_archive", cpts, copy.pk), {"archived": "1"})
    assert ActionSheet.objects.get(pk=copy.pk).is_archived
    assert "Fiches archivées" in text(client.get(url("plan_detail", cpts)))
    assert client.get(url("sheet_update", cpts, copy.pk)).status_code == 403  # archived: read only


def test_starting_from_an_example_by_the_page(client, owner, plan, cpts):
    client.force_login(owner)
    listing = text(client.get(url("sheet_from_example", cpts)))
    example = ActionExample.objects.get(code="2-parcours-territoriaux")
    assert example.title in listing
    response = client.post(url("sheet_from_example", cpts), {"example": example.pk})
    sheet = ActionSheet.objects.get(example=example)
    assert response["Location"] == url("sheet_update", cpts, sheet.pk)
    assert sheet.objectives == example.content["objectives"] and sheet.indicators.count() == 2


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("plan_detail", "post"),
        ("plan_planning", "post"),
        ("plan_pdf", "put"),
        ("plan_pdf_download", "post"),
        ("plan_validate", "get"),
        ("plan_start", "get"),
        ("sheet_duplicate", "get"),
        ("sheet_move", "get"),
        ("sheet_archive", "get"),
        ("sheet_pilot_validate", "get"),
        ("sheet_validate", "get"),
        ("sheet_detail", "post"),
        ("sheet_pdf", "put"),
        ("sheet_pdf_download", "post"),
    ],
)
def test_wrong_methods_are_refused(client, owner, sheet, cpts, name, method):
    client.force_login(owner)
    args = [sheet.pk] if name.startswith("sheet") else []
    assert getattr(client, method)(url(name, cpts, *args)).status_code == 405


# --- Opening the plan -----------------------------------------------------------------------------------------------


def test_the_plan_opens_once_the_letter_is_validated_and_by_the_coordinator(client, owner, cpts, catalogue, pilot):
    from projects.models import IntentionLetter
    from projects.tests.factories import complete_letter
    from projects.workflows.letter import letter_stage_record

    client.force_login(owner)
    page = text(client.get(url("plan_detail", cpts)))
    assert "une fois la lettre d'intention validée" in page
    assert client.post(url("plan_start", cpts)).status_code == 403

    letter = complete_letter(cpts)
    IntentionLetter.objects.filter(pk=letter.pk).update(status="validated")  # the circuit is projects' concern
    letter_stage_record(cpts)  # what the engine records on the CPTS's stage, read by missions
    client.force_login(pilot[0])
    assert client.post(url("plan_start", cpts)).status_code == 403  # a member does not open it
    client.force_login(owner)
    assert "Ouvrir le plan d'actions" in text(client.get(url("plan_detail", cpts)))
    assert client.post(url("plan_start", cpts)).status_code == 302
    assert ActionPlan.objects.get(cpts=cpts).created_by == owner
    assert client.post(url("plan_start", cpts)).status_code == 403  # only once


# --- Validation -----------------------------------------------------------------------------------------------------


def test_the_pilot_validates_then_the_coordinator_then_an_edit_returns_to_draft(
    client, owner, pilot, other_member, sheet, cpts
):
    IndicatorFactory(sheet=sheet)
    ActionSheet.objects.filter(pk=sheet.pk).update(budget_estimate=1000)
    client.force_login(other_member[0])
    assert client.post(url("sheet_pilot_validate", cpts, sheet.pk)).status_code == 403
    client.force_login(owner)
    assert client.post(url("sheet_pilot_validate", cpts, sheet.pk)).status_code == 403  # the pilot validates
    assert client.post(url("sheet_validate", cpts, sheet.pk)).status_code == 403  # not before the pilot
    client.force_login(pilot[0])
    assert client.post(url("sheet_pilot_validate", cpts, sheet.pk)).status_code == 302
    assert client.post(url("sheet_validate", cpts, sheet.pk)).status_code == 403  # the coordinator's part
    client.force_login(owner)
    assert client.post(url("sheet_validate", cpts, sheet.pk)).status_code == 302
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.VALIDATED
    client.force_login(pilot[0])
    client.post(url("sheet_update", cpts, sheet.pk), sheet_post_data(sheet, target_public="Patients en ALD"))
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.DRAFT
    detail = text(client.get(url("sheet_detail", cpts, sheet.pk)))
    assert "Retour en brouillon : Validée par la coordination → Brouillon" in detail


def test_the_plan_is_validated_only_when_complete(client, owner, pilot, plan, cpts):
    client.force_login(owner)
    client.post(url("plan_validate", cpts))
    plan.refresh_from_db()
    assert plan.status == "draft"
    sheets = core_plan(plan)
    for s in sheets.values():
        ActionSheet.objects.filter(pk=s.pk).update(pilot=pilot[1], budget_estimate=1000)
        client.force_login(pilot[0])
        client.post(url("sheet_pilot_validate", cpts, s.pk))
        client.force_login(owner)
        client.post(url("sheet_validate", cpts, s.pk))
    assert client.post(url("plan_validate", cpts)).status_code == 302
    plan.refresh_from_db()
    assert plan.status == "validated" and plan.validated_by == owner


# --- Concurrent edits -----------------------------------------------------------------------------------------------


def test_the_second_saver_sees_both_versions_and_keeps_what_they_typed(client, owner, pilot, sheet, cpts):
    coordinator_post = sheet_post_data(sheet, problems="12 % des patients en ALD sans médecin traitant")
    pilot_post = sheet_post_data(sheet, problems="Les urgences de Revel sont saturées le week-end")

    client.force_login(owner)
    assert client.post(url("sheet_update", cpts, sheet.pk), coordinator_post).status_code == 302
    client.force_login(pilot[0])
    response = client.post(url("sheet_update", cpts, sheet.pk), pilot_post)
    page = text(response)
    assert response.status_code == 409
    assert "Conflit de modification" in page and "Rien de ce que vous avez saisi n'est perdu" in page
    assert "12 % des patients en ALD sans médecin traitant" in page  # the saved version
    assert page.count("Les urgences de Revel sont saturées le week-end") == 2  # in the comparison and the form
    assert 'name="version" value="2"' in page
    sheet.refresh_from_db()
    assert sheet.problems == "12 % des patients en ALD sans médecin traitant"

    # Saving again knowingly replaces the version shown.
    response = client.post(url("sheet_update", cpts, sheet.pk), {**pilot_post, "version": "2"})
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert (sheet.problems, sheet.version) == ("Les urgences de Revel sont saturées le week-end", 3)
    assert [h.history_user for h in sheet.history.order_by("-history_id")[:2]] == [pilot[0], owner]


def test_one_save_of_a_fiche_writes_one_history_line(client, owner, sheet, cpts, group_member, other_member):
    """Issue 12 §7: a save that changed the lists wrote "Modifié … version 2" once per list."""
    from governance.tests.factories import PartnerFactory

    partner = PartnerFactory(cpts=cpts, name="Centre hospitalier de Revel")
    before = sheet.history.count()
    client.force_login(owner)
    data = sheet_post_data(
        sheet,
        problems="Délais de rendez-vous trop longs",
        working_group=[str(other_member[1].pk)],  # one added, one removed
        involved_members=[str(group_member[1].pk)],
        partners=[str(partner.pk)],
    )
    assert client.post(url("sheet_update", cpts, sheet.pk), data).status_code == 302
    assert sheet.history.count() == before + 1
    latest = sheet.history.first()
    assert (latest.version, latest.problems) == (2, "Délais de rendez-vous trop longs")
    assert [m.member_id for m in latest.working_group.all()] == [other_member[1].pk]  # the line holds the lists
    page = " ".join(text(client.get(url("sheet_detail", cpts, sheet.pk))).split())
    assert page.count("(Modification de la fiche) – version 2") == 1


# --- Checklist, planning, exports -------------------------------------------------------------------------------------


def test_the_checklist_turns_complete_on_the_page(client, owner, plan, cpts):
    client.force_login(owner)
    assert 'data-checklist="incomplete"' in text(client.get(url("plan_detail", cpts)))
    core_plan(plan)
    page = text(client.get(url("plan_detail", cpts)))
    assert 'data-checklist="complete"' in page
    assert 'data-rule="funding_indicators" data-ok="1"' in page


def test_the_planning_page_draws_the_gantt_and_its_table(client, owner, plan, cpts):
    core_plan(plan)
    ActionSheetFactory(plan=plan, mission=mission("hors_aci"), title="Café santé des aidants")
    client.force_login(owner)
    page = text(client.get(url("plan_planning", cpts)))
    assert "<svg" in page and 'role="img"' in page and "Année N+4" in page
    assert "Démarrage au plus tard le 01/07/2026" in page  # mission deadline marker (title)
    assert "Café santé des aidants" in page and "Macro-planning en tableau" in page
    plan.planned_signature_date = None
    plan.save()
    assert "pour afficher le macro-planning" in text(client.get(url("plan_planning", cpts)))


@time_machine.travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC), tick=False)
def test_the_planning_follows_a_signature_planned_in_2027_not_today(client, owner, plan, cpts):
    """Issue 12 §9: with a signature on 01/10/2027, the fiches of the examples (ending 59 months later) were all
    cut off by a window of January 2027 to January 2032."""
    client.force_login(owner)
    assert client.post(url("plan_settings", cpts), {"planned_signature_date": "2027-10-01"}).status_code == 302
    for example in ActionExample.objects.order_by("pk")[:4]:
        client.post(url("sheet_from_example", cpts), {"example": example.pk})
    early = ActionSheet.objects.order_by("pk").first()
    ActionSheet.objects.filter(pk=early.pk).update(preparation_start=dt.date(2026, 12, 1))  # work before signing
    response = client.get(url("plan_planning", cpts))
    page = " ".join(text(response).split())
    assert "Années de contrat N à N+4 comptées à partir de la signature envisagée le 01/10/2027" in page
    assert "(jusqu'au 30/09/2032), précédées du travail préparatoire engagé avant la signature" in page
    assert "tronquée" not in page
    assert ">Avant signature</text>" in page and ">Année N+4</text>" in page
    gantt = response.context["page"].gantt
    assert (gantt.start, gantt.end) == (dt.date(2026, 12, 1), dt.date(2032, 10, 1))
    bars = [bar for row in gantt.rows for bar in row.bars]
    assert len(bars) >= 4 and not any(bar.clipped_left or bar.clipped_right for bar in bars)
    assert max(bar.end for bar in bars) == dt.date(2032, 9, 1)


def test_the_actions_table_exports_as_csv_and_xlsx(client, other_member, plan, cpts):
    sheets = core_plan(plan)
    client.force_login(other_member[0])
    response = client.get(url("plan_export", cpts, "csv"))
    assert response["Content-Disposition"].endswith('.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    if len(rows[0]) == 1:
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Mission", "N°", "Action (titre de la fiche action)"]
    assert [r[2] for r in rows[1:]] == [s.title for s in sheets.values()]
    workbook = load_workbook(io.BytesIO(client.get(url("plan_export", cpts, "xlsx")).content))
    values = [[c.value for c in row] for row in workbook.active.iter_rows()]
    assert values[1][1:3] == ["1.1", "Action de la mission 1"]
    assert client.get(url("plan_export", cpts, "pdf")).status_code == 404


# --- Query counts -----------------------------------------------------------------------------------------------------


def _add_sheets(plan, count, pilot, group_member):
    codes = ["1", "2", "3", "4", "5", "6", "hors_aci"]
    for i in range(count):
        sheet = ActionSheetFactory(plan=plan, mission=mission(codes[i % len(codes)]), pilot=pilot[1])
        sheet.working_group.add(group_member[1])
        IndicatorFactory(sheet=sheet)
        IndicatorFactory(sheet=sheet, is_funding=True, kind="result", baseline_value=1, target_1=2)


# Session, user, memberships, context processors of the base page, then the plan's own reads.
MAX_QUERIES = 16


@pytest.mark.parametrize("name", ["plan_detail", "plan_planning"])
def test_the_actions_page_and_the_gantt_cost_a_fixed_number_of_queries(
    client, pilot, group_member, plan, cpts, name, django_assert_max_num_queries
):
    client.force_login(pilot[0])
    client.get(url(name, cpts))  # the session's first request may renew it (one write): not the page's cost
    counts = []
    for added in (5, 55):  # 5 fiches, then 60
        _add_sheets(plan, added, pilot, group_member)
        with django_assert_max_num_queries(MAX_QUERIES) as queries:
            response = client.get(url(name, cpts))
        assert response.status_code == 200
        assert text(response).count("Action numéro") >= ActionSheet.objects.count()
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_plan_settings_move_the_deadlines(client, owner, plan, cpts):
    client.force_login(owner)
    assert client.post(url("plan_settings", cpts), {"planned_signature_date": "2027-02-01"}).status_code == 302
    plan.refresh_from_db()
    assert plan.planned_signature_date == dt.date(2027, 2, 1)
    assert "Démarrage au plus tard le 01/08/2027" in text(client.get(url("plan_detail", cpts)))


def test_a_member_without_a_governance_link_only_reads(client, cpts, sheet):
    user = MembershipFactory(organisation=cpts, role=Role.MEMBER).user
    client.force_login(user)
    assert client.get(url("sheet_detail", cpts, sheet.pk)).status_code == 200
    assert client.get(url("sheet_update", cpts, sheet.pk)).status_code == 403


def test_the_edit_page_offers_the_figures_of_the_diagnostic(client, owner, sheet, cpts):
    from diagnostics.models import IndicatorDataset, IndicatorDefinition, IndicatorValue
    from projects.tests.factories import territory_for

    territory = territory_for(cpts)
    indicator = IndicatorDefinition.objects.create(
        code="part_ald_sans_mt",
        label="Patients en ALD sans médecin traitant",
        unit="%",
        aggregation="weighted_mean",
        source="Assurance Maladie",
    )
    dataset = IndicatorDataset.objects.create(
        label="Rezone 2025", source="Rezone CPTS", year=2025, scope="territory", territory=territory
    )
    dataset.indicators.add(indicator)
    for entry in territory.entries.all():
        IndicatorValue.objects.create(dataset=dataset, indicator=indicator, commune=entry.commune, value=12)
    client.force_login(owner)
    page = text(client.get(url("sheet_update", cpts, sheet.pk)))
    assert "Reprendre une donnée du diagnostic" in page
    assert 'value="part_ald_sans_mt" data-label="Patients en ALD sans médecin traitant" data-value="12.00"' in page


def test_members_contacts_are_shown_to_coordinators_only(client, owner, other_member, sheet, cpts):
    email = sheet.pilot.email
    client.force_login(owner)
    assert email in text(client.get(url("sheet_detail", cpts, sheet.pk)))
    client.force_login(other_member[0])
    assert email not in text(client.get(url("sheet_detail", cpts, sheet.pk)))
    # the PDFs: missions/tests/test_documents.py (test_members_contacts_are_in_the_coordinators_pdf_only)


@pytest.mark.parametrize("value", ["", "abc", "1e3"])
def test_a_bad_example_choice_is_refused_with_a_message_not_an_error(client, owner, plan, value):
    client.force_login(owner)
    response = client.post(reverse("missions:sheet_from_example", args=[plan.cpts_id]), {"example": value})
    assert response.status_code == 302
    page = html.unescape(client.get(response["Location"]).content.decode())
    assert "Choisissez un des exemples proposés." in page


def test_mission_templates_read_statuses_through_the_models_never_as_raw_strings():
    """Issue 12: ``sheet.status == "draft"`` in a template escaped the Status choices; templates read
    ``sheet.is_draft`` / ``plan.is_validated`` instead."""
    import re
    from pathlib import Path

    from django.conf import settings

    raw = re.compile(r"\.status\s*[!=]=\s*['\"]")
    folder = Path(settings.BASE_DIR) / "templates" / "missions"
    offending = [str(p.name) for p in folder.rglob("*.html") if raw.search(p.read_text())]
    assert not offending


def test_a_target_equal_to_the_baseline_is_saved_with_a_warning(client, owner, sheet, cpts):
    """Issue 15 point 7: 'maintain the level' is allowed for an increasing indicator; the warning is shown after
    saving and on the fiche, and a target below the baseline is still refused next to its field."""
    client.force_login(owner)
    data = {"kind": "action", "label": "Patients suivis", "direction": "increasing", "baseline_value": "40"}
    refused = client.post(url("indicator_create", cpts, sheet.pk), {**data, "target_1": "35"})
    assert refused.status_code == 400
    assert "la cible ne peut pas être inférieure à la valeur de référence" in text(refused)
    saved = client.post(url("indicator_create", cpts, sheet.pk), {**data, "target_1": "40"}, follow=True)
    assert saved.status_code == 200 and sheet.indicators.get().target_1 == 40
    page = words(saved)
    assert "Indicateur enregistré." in page
    assert page.count("Cible égale à la valeur de référence (maintien du niveau) en année 1") == 2  # message + fiche
