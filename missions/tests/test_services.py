"""Services of the action plan: examples, edits and locking, validation, duplicate, reorder, archive, frozen form."""

import datetime as dt
import json
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command

from missions import selectors, services
from missions.choices import PlanStatus, SheetStatus
from missions.forms import ActionSheetForm, SheetIndicatorForm, sheet_formsets
from missions.models import ActionExample, ActionPlan, ActionSheet, IndicatorTemplate, Mission, SubMission
from projects.models import StatusTransition
from projects.workflows.engine import rows_of

from .factories import (
    ActionSheetFactory,
    FundingIndicatorFactory,
    IndicatorFactory,
    core_plan,
    mission,
    sheet_post_data,
)

pytestmark = pytest.mark.django_db


# --- Reference data -------------------------------------------------------------------------------------------------


def test_the_catalogue_matches_the_aci_calendar_and_the_funding_codes(catalogue):
    call_command("loaddata", "funding_scales", verbosity=0)
    from funding.models import ScaleMission

    missions = {m.code: m for m in Mission.objects.all()}
    assert set(missions) == {"1", "2", "3", "4", "5", "6", "hors_aci"}
    assert set(ScaleMission.objects.values_list("code", flat=True)) == set(missions) - {"hors_aci"}
    delays = {code: (m.category, m.start_delay_months, m.deployment_delay_months) for code, m in missions.items()}
    assert delays == {
        "1": ("core", 6, 18),
        "2": ("core", 12, 24),
        "3": ("core", 12, 24),
        "4": ("core", 6, 18),
        "5": ("optional", None, None),
        "6": ("optional", None, None),
        "hors_aci": ("outside", None, None),
    }
    assert not missions["4"].has_result_target and not missions["4"].requires_funding_indicator
    assert not missions["hors_aci"].requires_funding_indicator and not missions["hors_aci"].is_aci
    assert {(s.code, s.budget_line) for s in SubMission.objects.all()} == {
        ("1A", "Mission 1 A - Médecin traitant"),
        ("1B", "Mission 1 B - Soins non-programmés"),
    }
    for code in ("1", "2", "3", "4", "5", "6"):
        assert IndicatorTemplate.objects.filter(mission__code=code).exists(), code
        assert ActionExample.objects.filter(mission__code=code).exists(), code
    # Loading twice changes nothing (natural keys).
    call_command("loaddata", "missions", "action_examples", verbosity=0)
    assert Mission.objects.count() == 7 and ActionExample.objects.count() == 7


# --- Starting from an example ---------------------------------------------------------------------------------------

TEXT_FIELDS = [
    "title",
    "sub_theme",
    "other_actors",
    "problems",
    "objectives",
    "target_public",
    "obstacles",
    "levers",
    "budget_details",
    "existing_resources",
    "means_logistic",
    "means_digital",
    "means_human",
]


@pytest.mark.parametrize("code", [e["fields"]["code"] for e in json.load(open("fixtures/action_examples.json"))])
def test_starting_from_an_example_fills_every_field(plan, owner, code):
    example = ActionExample.objects.get(code=code)
    sheet = services.action_sheet_create_from_example(plan=plan, by=owner, example=example)
    sheet = selectors.sheet_get(plan, sheet.pk)
    for name in TEXT_FIELDS:
        assert getattr(sheet, name), name
    assert sheet.mission == example.mission and sheet.sub_mission == example.sub_mission
    assert sheet.budget_estimate > 0
    # Planning after the planned signature (1 January 2026): every date, in order.
    dates = [sheet.preparation_start, sheet.start_date, sheet.deployment_date, sheet.end_date]
    assert all(dates) and dates == sorted(dates)
    assert sheet.figures.count() and sheet.sub_actions.count() and sheet.steps.count()
    assert all(a.who for a in sheet.sub_actions.all())
    assert all(s.date for s in sheet.steps.all())
    indicators = list(sheet.indicators.all())
    assert indicators and all(i.label and i.unit and i.source and i.template_id for i in indicators)
    assert any(i.is_funding for i in indicators) == example.mission.requires_funding_indicator
    # The example's planning fits the mission delays.
    page = selectors.action_plan_page(plan)
    assert page.checklist.item("delays").ok, page.checklist.item("delays").problems
    assert sheet.example == example and sheet.history.first().history_user == owner


def test_an_example_without_a_planned_signature_leaves_the_dates_empty(plan, owner):
    plan.planned_signature_date = None
    plan.save()
    sheet = services.action_sheet_create_from_example(
        plan=plan, by=owner, example=ActionExample.objects.get(code="3-prevention-obesite")
    )
    assert sheet.start_date is None and sheet.steps.first().date is None and sheet.problems


# --- Editing, locking, returning to draft ---------------------------------------------------------------------------


def _update(sheet, by, **changes):
    data = sheet_post_data(sheet, **changes)
    fresh = ActionSheet.objects.select_related("plan__cpts", "mission").get(pk=sheet.pk)
    form = ActionSheetForm(data, instance=fresh, cpts=fresh.plan.cpts)
    formsets = sheet_formsets(fresh, fresh.plan.cpts, data)
    assert form.is_valid(), form.errors
    assert all(fs.is_valid() for fs in formsets), [fs.errors for fs in formsets]
    return services.action_sheet_update(
        sheet_id=sheet.pk, by=by, expected_version=form.cleaned_data["version"], form=form, formsets=formsets
    )


def test_the_second_saver_gets_a_conflict_and_nothing_is_overwritten(sheet, owner, pilot):
    first = sheet_post_data(sheet, problems="Texte de la coordinatrice")
    second = sheet_post_data(sheet, problems="Texte du pilote")
    assert first["version"] == second["version"] == "1"

    form = ActionSheetForm(first, instance=sheet, cpts=sheet.plan.cpts)
    assert form.is_valid()
    services.action_sheet_update(sheet_id=sheet.pk, by=owner, expected_version=1, form=form)

    form = ActionSheetForm(second, instance=ActionSheet.objects.get(pk=sheet.pk), cpts=sheet.plan.cpts)
    assert form.is_valid()
    with pytest.raises(services.EditConflict) as conflict:
        services.action_sheet_update(sheet_id=sheet.pk, by=pilot[0], expected_version=1, form=form)
    assert conflict.value.current.version == 2
    assert conflict.value.current.problems == "Texte de la coordinatrice"
    assert ActionSheet.objects.get(pk=sheet.pk).problems == "Texte de la coordinatrice"


def test_an_edit_bumps_the_version_and_saving_unchanged_does_not(sheet, owner):
    _update(sheet, owner)
    assert ActionSheet.objects.get(pk=sheet.pk).version == 1
    _update(
        sheet,
        owner,
        objectives="Nouvel objectif",
        **{"sub_actions-0-description": "Recenser", "sub_actions-0-who": "Le pilote"},
    )
    saved = ActionSheet.objects.get(pk=sheet.pk)
    assert (saved.version, saved.objectives, saved.updated_by) == (2, "Nouvel objectif", owner)
    assert saved.sub_actions.get().who == "Le pilote"
    assert saved.history.first().history_user == owner


def test_editing_a_validated_sheet_returns_it_and_the_plan_to_draft_and_logs_it(sheet, owner, pilot):
    core = core_plan(sheet.plan)
    IndicatorFactory(sheet=sheet)
    for s in [sheet, *core.values()]:
        s.pilot = pilot[1]
        s.budget_estimate = Decimal("1000")
        s.save()
        services.action_sheet_validate_by_pilot(sheet=s, by=pilot[0])
        services.action_sheet_validate(sheet=s, by=owner)
    page = selectors.action_plan_page(sheet.plan)
    services.action_plan_validate(plan=sheet.plan, by=owner, checklist=page.checklist, all_validated=page.all_validated)
    assert ActionSheet.objects.get(pk=sheet.pk).status == SheetStatus.VALIDATED

    _update(ActionSheet.objects.get(pk=sheet.pk), owner, levers="Un nouveau levier")

    sheet.refresh_from_db()
    sheet.plan.refresh_from_db()
    assert sheet.status == SheetStatus.DRAFT and sheet.plan.status == PlanStatus.DRAFT
    # The dossiers' one log (projects' StatusTransition rows): a fiche's rows on the fiche, the plan's on the plan.
    log = [
        (row.transition, row.content_type.model_class(), row.object_id, row.source, row.target, row.by)
        for row in StatusTransition.objects.select_related("content_type").order_by("pk")
    ]
    assert log[-2:] == [
        ("reopen", ActionSheet, sheet.pk, SheetStatus.VALIDATED, SheetStatus.DRAFT, owner),
        ("reopen", ActionPlan, sheet.plan.pk, PlanStatus.VALIDATED, PlanStatus.DRAFT, owner),
    ]
    assert ("validate", ActionPlan, sheet.plan.pk, PlanStatus.DRAFT, PlanStatus.VALIDATED, owner) in log
    assert sum(1 for t in log if t[0] == "validate_by_pilot" and t[5] == pilot[0]) == 5
    assert StatusTransition.objects.filter(rows_of(sheet)).count() == 3  # by the pilot, the coordinator, reopened


def test_an_indicator_change_also_returns_a_validated_sheet_to_draft(sheet, owner, pilot):
    indicator = IndicatorFactory(sheet=sheet)
    sheet.budget_estimate = 500
    sheet.save()
    services.action_sheet_validate_by_pilot(sheet=sheet, by=pilot[0])
    services.action_sheet_validate(sheet=sheet, by=owner)
    services.indicator_delete(indicator=indicator, by=owner)
    sheet.refresh_from_db()
    assert (sheet.status, sheet.version) == (SheetStatus.DRAFT, 2)


def test_validation_needs_pilot_first_then_indicators_and_budget(sheet, owner, pilot):
    with pytest.raises(Exception):  # noqa: B017 - django-fsm refuses the transition from draft
        services.action_sheet_validate(sheet=sheet, by=owner)
    services.action_sheet_validate_by_pilot(sheet=sheet, by=pilot[0])
    with pytest.raises(ValidationError) as exc:
        services.action_sheet_validate(sheet=sheet, by=owner)
    assert exc.value.messages == ["La fiche n'a aucun indicateur.", "Le budget estimé de la fiche n'est pas renseigné."]


def test_the_plan_is_not_validated_while_the_checklist_is_incomplete(plan, owner):
    page = selectors.action_plan_page(plan)
    with pytest.raises(ValidationError) as exc:
        services.action_plan_validate(plan=plan, by=owner, checklist=page.checklist, all_validated=page.all_validated)
    assert "La liste de contrôle n'est pas complète." in exc.value.messages


# --- Indicators -------------------------------------------------------------------------------------------------------


def _indicator_form(sheet, **data):
    base = {"kind": "result", "label": "Indicateur", "direction": "increasing", "unit": "%"}
    return SheetIndicatorForm({**base, **data}, sheet=sheet)


def test_actions_outside_the_aci_never_carry_a_funding_indicator(plan):
    outside = ActionSheetFactory(plan=plan, mission=mission("hors_aci"))
    form = _indicator_form(outside, is_funding="on", baseline_value="10", target_1="20")
    assert form.is_valid()  # the field is disabled: the posted flag is ignored
    assert form.cleaned_data["is_funding"] is False
    indicator = IndicatorFactory.build(sheet=outside, is_funding=True)
    with pytest.raises(ValidationError) as exc:
        indicator.full_clean()
    assert "jamais financée" in str(exc.value)


def test_mission_4_has_no_result_target(plan):
    crisis = ActionSheetFactory(plan=plan, mission=mission("4"))
    form = _indicator_form(crisis, target_1="3")
    assert not form.is_valid()
    assert "Aucun objectif de résultat" in form.errors["target_1"][0]
    assert _indicator_form(crisis, kind="action", target_1="1").is_valid()


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "valid"),
    [
        ("increasing", "10", "15", True),
        ("increasing", "10", "8", False),
        ("decreasing", "30", "20", True),
        ("decreasing", "30", "35", False),
        # Issue 15 point 7: "maintain the level" (target = baseline) is allowed either way, with a warning.
        ("increasing", "10", "10", True),
        ("decreasing", "30", "30", True),
    ],
)
def test_targets_follow_the_direction(plan, direction, baseline, target, valid):
    sheet = ActionSheetFactory(plan=plan)
    form = _indicator_form(sheet, direction=direction, baseline_value=baseline, target_2=target, is_funding="on")
    assert form.is_valid() is valid
    if valid:
        indicator = form.save()
        maintained = target == baseline
        assert indicator.maintained_years == ([2] if maintained else [])
        assert ("maintien du niveau" in indicator.maintenance_warning) is maintained
    else:
        assert "ne peut pas être" in form.errors["target_2"][0]


def test_funding_indicators_feed_the_funding_calculator(plan):
    from funding.calculations import mission_achievement
    from funding.selectors import funding_indicator_inputs

    sheets = core_plan(plan)
    FundingIndicatorFactory(sheet=ActionSheetFactory(plan=plan, mission=mission("hors_aci")), is_funding=False)
    inputs = funding_indicator_inputs(selectors.action_plan_page(plan))
    assert set(inputs) == {"1", "2", "3"}  # mission 4: no variable by achievement; outside the ACI: never
    indicator = inputs["2"][0]
    assert (indicator.baseline, indicator.targets) == (Decimal("10.00"), {1: Decimal("12.00"), 2: Decimal("15.00")})
    measured = type(indicator)(**{**indicator.__dict__, "values": {1: Decimal("11")}})
    assert mission_achievement([measured], 1).rate == Decimal("0.5")
    assert sheets


# --- Organising fiches ------------------------------------------------------------------------------------------------


def test_duplicate_copies_every_field_list_and_person(sheet, owner, group_member):
    IndicatorFactory(sheet=sheet)
    sheet.partners.add(_partner(sheet.plan.cpts))
    sheet.sub_actions.create(description="Recenser", who="Pilote")
    copy = services.action_sheet_duplicate(sheet=sheet, by=owner)
    assert copy.title == f"Copie de {sheet.title}" and copy.status == SheetStatus.DRAFT and copy.version == 1
    assert list(copy.working_group.all()) == [group_member[1]] and copy.pilot == sheet.pilot
    assert copy.indicators.count() == 1 and copy.sub_actions.get().who == "Pilote" and copy.partners.count() == 1
    assert sheet.indicators.count() == 1  # the original keeps its own


def _partner(cpts):
    from governance.models import Partner

    return Partner.objects.create(cpts=cpts, name="Centre hospitalier")


def test_reorder_moves_a_sheet_within_its_mission(plan, owner):
    a, b, c = (ActionSheetFactory(plan=plan, title=t) for t in "ABC")
    other = ActionSheetFactory(plan=plan, mission=mission("2"), title="D")
    services.action_sheet_move(sheet=c, by=owner, direction="up")
    services.action_sheet_move(sheet=a, by=owner, direction="up")  # already first: nothing
    order = [s.title for s in selectors.action_plan_page(plan).blocks[0].sheets]
    assert order == ["A", "C", "B"]
    assert selectors.action_plan_page(plan).numbers[c.pk] == "1.2" and other.position != 0


def test_archived_sheets_leave_the_checklist_and_the_frozen_version(plan, owner):
    sheets = core_plan(plan)
    services.action_sheet_archive(sheet=sheets["4"], by=owner, archived=True)
    page = selectors.action_plan_page(plan)
    assert not page.checklist.item("core_missions").ok
    assert [s.title for s in page.archived] == ["Action de la mission 4"]
    assert "Action de la mission 4" not in json.dumps(selectors.serialise_action_plan(plan))
    services.action_sheet_archive(sheet=sheets["4"], by=owner, archived=False)
    assert selectors.action_plan_page(plan).checklist.is_complete


# --- Checklist through the database, time frozen --------------------------------------------------------------------


@time_machine.travel(dt.datetime(2031, 6, 1, 12, 0), tick=False)
def test_delay_warning_is_computed_from_the_planned_signature_not_today(plan, owner):
    sheets = core_plan(plan)
    sheets["1"].start_date = dt.date(2026, 9, 1)  # signature 1 January 2026: mission 1 starts by 1 July 2026
    sheets["1"].save()
    delays = selectors.action_plan_page(plan).checklist.item("delays")
    assert delays.problems == (
        "Mission 1 – Accès aux soins démarre le 01/09/2026, plus de 6 mois après la signature envisagée "
        "(au plus tard le 01/07/2026).",
    )
    services.action_plan_set_signature(plan=plan, by=owner, planned_signature_date=dt.date(2026, 3, 1))
    plan.refresh_from_db()
    assert selectors.action_plan_page(plan).checklist.item("delays").ok


# --- The frozen form --------------------------------------------------------------------------------------------------


def test_serialise_action_plan_holds_every_sheet_indicator_and_planning_row(plan, owner):
    for example in ActionExample.objects.all():
        services.action_sheet_create_from_example(plan=plan, by=owner, example=example)
    data = selectors.serialise_action_plan(plan)
    assert json.loads(json.dumps(data)) == data  # JSON-able as is
    assert data["schema_version"] == selectors.SCHEMA_VERSION and data["planned_signature_date"] == "2026-01-01"
    assert len(data["sheets"]) == len(data["planning_rows"]) == 7
    assert [s["number"] for s in data["sheets"]] == ["1.1", "1.2", "2.1", "3.1", "4.1", "5.1", "6.1"]
    first = data["sheets"][0]
    assert first["sub_mission"] == "1A" and first["indicators"][0]["is_funding"] is True
    assert set(first) >= {
        "pilot",
        "working_group",
        "actors",
        "problems",
        "figures",
        "objectives",
        "target_public",
        "sub_actions",
        "indicators",
        "planning",
        "obstacles",
        "levers",
        "budget_estimate",
        "existing_resources",
        "means",
    }
    assert first["planning"]["steps"] and first["budget_estimate"] == "15000.00"
    assert [m["code"] for m in data["missions"]][:2] == ["1", "2"]
    assert data["missions"][0]["deadlines"] == {"start": "2026-07-01", "deployment": "2027-07-01"}
    assert {c["code"] for c in data["checklist"]} == {
        "core_missions",
        "indicators",
        "funding_indicators",
        "outside_aci",
        "delays",
    }
