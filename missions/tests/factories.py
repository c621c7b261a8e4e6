"""Factories of the action plan. The mission catalogue is reference data: load it with ``load_catalogue``."""

import datetime as dt

import factory
from django.core.management import call_command

from accounts.tests.factories import OrganisationFactory
from missions.models import ActionPlan, ActionSheet, Mission, SheetIndicator


def load_catalogue(with_examples: bool = True) -> None:
    call_command("loaddata", "missions", verbosity=0)
    if with_examples:
        call_command("loaddata", "action_examples", verbosity=0)


def mission(code: str) -> Mission:
    return Mission.objects.get(code=code)


class ActionPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionPlan

    cpts = factory.SubFactory(OrganisationFactory)
    planned_signature_date = dt.date(2026, 1, 1)


class ActionSheetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionSheet

    plan = factory.SubFactory(ActionPlanFactory)
    mission = factory.LazyFunction(lambda: mission("1"))
    title = factory.Sequence(lambda n: f"Action numéro {n}")
    position = factory.Sequence(lambda n: n + 1)
    objectives = "Objectif opérationnel"
    start_date = dt.date(2026, 4, 1)
    deployment_date = dt.date(2027, 1, 1)
    end_date = dt.date(2030, 12, 31)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SheetIndicator

    sheet = factory.SubFactory(ActionSheetFactory)
    label = factory.Sequence(lambda n: f"Indicateur {n}")
    kind = "action"
    unit = "%"


class FundingIndicatorFactory(IndicatorFactory):
    kind = "result"
    is_funding = True
    baseline_value = 10
    target_1 = 12
    target_2 = 15


def core_plan(plan) -> dict:
    """One fiche per core mission, each with a funding indicator (mission 4: an action indicator): complete."""
    sheets = {}
    for code in ("1", "2", "3", "4"):
        sheet = ActionSheetFactory(plan=plan, mission=mission(code), title=f"Action de la mission {code}")
        if code == "4":
            IndicatorFactory(sheet=sheet, label="Plan de crise rédigé")
        else:
            FundingIndicatorFactory(sheet=sheet)
        sheets[code] = sheet
    return sheets


def _field_data(form) -> dict:
    data = {}
    for bound in form:
        value = bound.value()
        name = bound.html_name
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            data[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif hasattr(value, "isoformat"):
            data[name] = value.isoformat()
        else:
            data[name] = str(value)
    return data


def sheet_post_data(sheet, **changes) -> dict:
    """The POST of the fiche form as the page renders it for ``sheet`` (its lists included), with ``changes``."""
    from missions.forms import ActionSheetForm, sheet_formsets

    cpts = sheet.plan.cpts
    data = _field_data(ActionSheetForm(instance=sheet, cpts=cpts))
    for formset in sheet_formsets(sheet, cpts):
        management = formset.management_form
        for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[f"{formset.prefix}-{name}"] = str(management[name].value())
        for form in formset.forms:
            data.update(_field_data(form))
    data.update(changes)
    return data
