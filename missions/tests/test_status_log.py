"""Every transition of a fiche action or of the action plan writes exactly one row of the dossiers' one log
(projects' ``StatusTransition``), with the source and target the FSM applied and who did it (issue 13, point 5)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from missions import selectors, services, status_log
from missions.choices import PlanStatus, SheetStatus
from missions.models import ActionSheet
from projects.models import StatusTransition
from projects.workflows.engine import rows_of

from .factories import IndicatorFactory, core_plan

pytestmark = pytest.mark.django_db


def new_rows(since: int) -> list[tuple]:
    return [
        (row.content_type.model_class(), row.object_id, row.transition, row.source, row.target, row.by, row.comment)
        for row in StatusTransition.objects.filter(pk__gt=since).select_related("content_type").order_by("pk")
    ]


def last_pk() -> int:
    return StatusTransition.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.fixture
def ready_sheet(sheet):
    """A fiche with its pilot, an indicator and a budget: every validation may pass."""
    IndicatorFactory(sheet=sheet)
    sheet.budget_estimate = Decimal("1000")
    sheet.save()
    return sheet


def test_each_fiche_transition_writes_one_row_on_the_fiche(ready_sheet, owner, pilot):
    since = last_pk()
    services.action_sheet_validate_by_pilot(sheet=ready_sheet, by=pilot[0], comment="Relue en groupe")
    assert new_rows(since) == [
        (ActionSheet, ready_sheet.pk, "validate_by_pilot", SheetStatus.DRAFT, SheetStatus.PILOT_VALIDATED, pilot[0],
         "Relue en groupe"),
    ]  # fmt: skip

    since = last_pk()
    services.action_sheet_validate(sheet=ready_sheet, by=owner)
    assert new_rows(since) == [
        (ActionSheet, ready_sheet.pk, "validate_by_coordinator", SheetStatus.PILOT_VALIDATED, SheetStatus.VALIDATED,
         owner, ""),
    ]  # fmt: skip

    since = last_pk()
    services.indicator_delete(indicator=ready_sheet.indicators.get(), by=owner)
    rows = new_rows(since)
    assert rows[0] == (
        ActionSheet, ready_sheet.pk, "reopen", SheetStatus.VALIDATED, SheetStatus.DRAFT, owner,
        "Fiche modifiée après validation : retour en brouillon.",
    )  # fmt: skip
    assert len(rows) == 1  # the plan was still a draft: nothing else moved


def test_a_validation_for_a_pilot_without_account_is_its_own_transition(ready_sheet, owner, pilot):
    ready_sheet.pilot.user = None
    ready_sheet.pilot.save()
    since = last_pk()
    services.action_sheet_validate_for_pilot(sheet=ready_sheet, by=owner)
    [(model, pk, name, source, target, by, comment)] = new_rows(since)
    assert (model, pk, name, source, target, by) == (
        ActionSheet, ready_sheet.pk, "validate_for_pilot", SheetStatus.DRAFT, SheetStatus.PILOT_VALIDATED, owner,
    )  # fmt: skip
    assert "au nom du pilote" in comment


def test_a_refused_validation_writes_nothing(sheet, owner, pilot):
    since = last_pk()
    with pytest.raises(ValidationError):
        services.action_sheet_validate(sheet=sheet, by=owner)  # neither pilot-validated, nor indicator, nor budget
    assert new_rows(since) == []


def test_each_plan_transition_writes_one_row_on_the_plan(plan, owner, pilot):
    for s in core_plan(plan).values():
        s.pilot = pilot[1]
        s.budget_estimate = Decimal("1000")
        s.save()
        services.action_sheet_validate_by_pilot(sheet=s, by=pilot[0])
        services.action_sheet_validate(sheet=s, by=owner)
    page = selectors.action_plan_page(plan)
    since = last_pk()
    services.action_plan_validate(plan=plan, by=owner, checklist=page.checklist, all_validated=page.all_validated)
    assert new_rows(since) == [
        (type(plan), plan.pk, "validate", PlanStatus.DRAFT, PlanStatus.VALIDATED, owner, ""),
    ]

    since = last_pk()
    services.action_plan_set_signature(plan=plan, by=owner, planned_signature_date=dt.date(2026, 6, 1))
    assert new_rows(since) == [
        (type(plan), plan.pk, "reopen", PlanStatus.VALIDATED, PlanStatus.DRAFT, owner,
         "Date de signature envisagée modifiée."),
    ]  # fmt: skip


def test_a_transition_fired_without_a_person_is_still_logged(sheet):
    since = last_pk()
    locked = ActionSheet.objects.get(pk=sheet.pk)
    locked.validate_by_pilot()  # an automatic transition: no ``by``
    locked.save()
    [(_model, _pk, name, source, target, by, _comment)] = new_rows(since)
    assert (name, source, target, by) == ("validate_by_pilot", SheetStatus.DRAFT, SheetStatus.PILOT_VALIDATED, None)


def test_the_fiche_page_reads_the_log_in_one_query(ready_sheet, owner, pilot, django_assert_num_queries):
    services.action_sheet_validate_by_pilot(sheet=ready_sheet, by=pilot[0])
    services.action_sheet_validate(sheet=ready_sheet, by=owner, comment="Indicateurs revus")
    with django_assert_num_queries(1):
        changes = status_log.status_changes(ready_sheet)
    assert [(c.label, c.source_label, c.target_label, c.by, c.comment) for c in changes] == [
        ("Validation des indicateurs et du budget par la coordination", "Validée par le pilote",
         "Validée par la coordination", owner, "Indicateurs revus"),
        ("Validation par le pilote", "Brouillon", "Validée par le pilote", pilot[0], ""),
    ]  # fmt: skip
    assert StatusTransition.objects.filter(rows_of(ready_sheet)).count() == 2
