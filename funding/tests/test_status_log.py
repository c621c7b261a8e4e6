"""Every transition of the budget writes exactly one row of the dossiers' one log (projects' ``StatusTransition``),
with the source and target the FSM applied and who did it (issue 13, point 5)."""

import pytest

from funding.choices import BudgetStatus
from funding.models import Budget
from funding.services import budget_mark_complete, budget_reopen
from projects.models import StatusTransition
from projects.workflows.engine import rows_of

from .test_services import balance

pytestmark = pytest.mark.django_db


def rows(budget) -> list[tuple]:
    return list(
        StatusTransition.objects.filter(rows_of(budget))
        .order_by("pk")
        .values_list("transition", "source", "target", "by")
    )


def test_marking_complete_and_reopening_each_write_one_row_on_the_budget(budget, owner, member):
    balance(budget)
    assert rows(budget) == []
    budget_mark_complete(budget=budget, by=owner)
    assert rows(budget) == [("mark_complete", BudgetStatus.DRAFT, BudgetStatus.COMPLETE, owner.pk)]
    budget_reopen(budget=Budget.objects.get(pk=budget.pk), by=member)
    assert rows(budget) == [
        ("mark_complete", BudgetStatus.DRAFT, BudgetStatus.COMPLETE, owner.pk),
        ("reopen", BudgetStatus.COMPLETE, BudgetStatus.DRAFT, member.pk),
    ]
    assert StatusTransition.objects.count() == 2  # nothing else was logged


def test_a_refused_completion_writes_nothing(budget, owner):
    with pytest.raises(Exception, match="diffèrent"):
        budget_mark_complete(budget=budget, by=owner)  # unbalanced
    assert rows(budget) == []
