"""The fiches', plan's and budget's status changes in the dossiers' one log (issue 13, point 5): the health project
page's "Historique des validations", and the copy of the old ``missions.SheetStatusChange`` rows."""

import datetime as dt
import html
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import OrganisationFactory
from funding.services import budget_mark_complete, budget_save_parameters
from funding.tests.test_services import balance
from governance.tests.factories import MemberFactory, load_professions
from missions import services
from missions.tests.factories import ActionPlanFactory, ActionSheetFactory, IndicatorFactory, load_catalogue
from projects.choices import LetterStatus
from projects.models import IntentionLetter
from projects.selectors.validations import validation_history
from projects.services import health_project_start

from .factories import complete_letter


def text(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


@pytest.fixture
def plan_with_history(cpts, owner):
    """A plan with one fiche validated by the coordination (for its pilot, who has no account), then the budget
    marked complete."""
    load_catalogue(with_examples=False)
    load_professions()
    pilot = MemberFactory(cpts=cpts, user=None, last_name="Fabre")
    plan = ActionPlanFactory(cpts=cpts)
    sheet = ActionSheetFactory(plan=plan, pilot=pilot, title="Soins non programmés", budget_estimate=Decimal(1000))
    IndicatorFactory(sheet=sheet)
    services.action_sheet_validate_for_pilot(sheet=sheet, by=owner)
    services.action_sheet_validate(sheet=sheet, by=owner, comment="Indicateurs revus")
    call_command("loaddata", "funding_scales", verbosity=0)
    budget = budget_save_parameters(
        organisation=cpts, by=owner, signed_on=dt.date(2022, 3, 1), missions=["1", "2", "3", "4"], taille=2
    )
    balance(budget)
    budget_mark_complete(budget=budget, by=owner)
    return plan, sheet, budget


@pytest.mark.django_db
def test_the_history_lists_the_plan_fiches_and_budget_in_time_order_in_one_query(
    cpts, owner, plan_with_history, django_assert_num_queries
):
    other = ActionSheetFactory(plan=ActionPlanFactory(cpts=OrganisationFactory()))
    other.validate_by_pilot()  # another CPTS's fiche: not on this timeline
    other.save()
    with django_assert_num_queries(1):
        history = validation_history(cpts)
    assert [(c.noun, c.subject, c.label, c.source_label, c.target_label, c.by) for c in history] == [
        ("Fiche action", "Soins non programmés", "Validation par la coordination au nom du pilote, sans compte",
         "Brouillon", "Validée par le pilote", owner),
        ("Fiche action", "Soins non programmés", "Validation des indicateurs et du budget par la coordination",
         "Validée par le pilote", "Validée par la coordination", owner),
        ("Budget", "", "Budget marqué complet", "en cours de saisie", "complet", owner),
    ]  # fmt: skip
    assert history[1].comment == "Indicateurs revus"


@pytest.mark.django_db
def test_the_health_project_page_shows_the_history(client, cpts, owner, plan_with_history):
    letter = complete_letter(cpts)
    IntentionLetter.objects.filter(pk=letter.pk).update(status=LetterStatus.VALIDATED)
    health_project_start(cpts=cpts, user=owner)
    client.force_login(owner)
    page = text(client.get(reverse("projects:health_project_detail", args=[cpts.pk])))
    assert "Historique des validations" in page
    assert (
        "Fiche action « Soins non programmés » : Validation des indicateurs et du budget par la coordination "
        "(Validée par le pilote → Validée par la coordination) par Camille"
    ) in page
    assert "Budget : Budget marqué complet (en cours de saisie → complet)" in page


# --- The copy of the old log ---------------------------------------------------------------------------------------

BEFORE = [("missions", "0002_french_labels"), ("projects", "0004_french_labels")]
AFTER = [("missions", "0003_delete_sheetstatuschange")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_old_sheet_log_is_copied_row_for_row_then_dropped():
    apps = migrate(BEFORE)
    try:
        Region = apps.get_model("accounts", "Region")
        Organisation = apps.get_model("accounts", "Organisation")
        User = apps.get_model("accounts", "User")
        Mission = apps.get_model("missions", "Mission")
        ActionPlan = apps.get_model("missions", "ActionPlan")
        ActionSheet = apps.get_model("missions", "ActionSheet")
        SheetStatusChange = apps.get_model("missions", "SheetStatusChange")
        region = Region.objects.create(code="76", name="Occitanie")
        cpts = Organisation.objects.create(name="CPTS du Lauragais", kind="cpts", region=region)
        user = User.objects.create(email="camille@exemple.fr")
        mission = Mission.objects.create(
            code="1", title="Accès aux soins", short_title="Accès", category="core", start_delay_months=0,
            deployment_delay_months=0,
        )  # fmt: skip
        plan = ActionPlan.objects.create(cpts=cpts, status="validated")
        sheet = ActionSheet.objects.create(plan=plan, mission=mission, title="Fiche", status="validated")
        at = timezone.now() - dt.timedelta(days=3)
        SheetStatusChange.objects.create(
            plan=plan, sheet=sheet, transition="validate_for_pilot", source="draft", target="pilot_validated",
            by=user, at=at, comment="Au nom du pilote",
        )  # fmt: skip
        SheetStatusChange.objects.create(
            plan=plan, sheet=sheet, transition="validate_by_coordinator", source="pilot_validated",
            target="validated", by=user, at=at + dt.timedelta(hours=1),
        )  # fmt: skip
        SheetStatusChange.objects.create(
            plan=plan, sheet=None, transition="validate", source="draft", target="validated", by=None,
            at=at + dt.timedelta(hours=2),
        )  # fmt: skip

        apps = migrate(AFTER)
        StatusTransition = apps.get_model("projects", "StatusTransition")
        copied = [
            (r.content_type.model, r.object_id, r.transition, r.source, r.target, r.by_id, r.at, r.comment)
            for r in StatusTransition.objects.select_related("content_type").order_by("at", "pk")
        ]
        assert copied == [
            ("actionsheet", sheet.pk, "validate_for_pilot", "draft", "pilot_validated", user.pk, at,
             "Au nom du pilote"),
            ("actionsheet", sheet.pk, "validate_by_coordinator", "pilot_validated", "validated", user.pk,
             at + dt.timedelta(hours=1), ""),
            ("actionplan", plan.pk, "validate", "draft", "validated", None, at + dt.timedelta(hours=2), ""),
        ]  # fmt: skip
        with pytest.raises(LookupError):
            apps.get_model("missions", "SheetStatusChange")

        apps = migrate(BEFORE)  # reversed: the rows go back
        SheetStatusChange = apps.get_model("missions", "SheetStatusChange")
        assert list(
            SheetStatusChange.objects.order_by("at").values_list("plan_id", "sheet_id", "transition", "by_id")
        ) == [
            (plan.pk, sheet.pk, "validate_for_pilot", user.pk),
            (plan.pk, sheet.pk, "validate_by_coordinator", user.pk),
            (plan.pk, None, "validate", None),
        ]
        assert not apps.get_model("projects", "StatusTransition").objects.exists()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
