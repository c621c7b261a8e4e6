"""Demo data of the funding app: a budget filled as a coordinator would, mission 1 split between 1A and 1B, every
part balanced, marked complete (called by ``seed_demo`` for the CPTS whose health project is in progress)."""

from decimal import Decimal

from .choices import EXPENSE_CATEGORIES, SPLIT_CATEGORIES, BudgetCategory, BudgetStatus, BudgetSubpart
from .models import Budget
from .selectors import budget_for_organisation, budget_summary
from .services import budget_mark_complete, budget_part_save_lines

# Share of each expense line in a part's resources (the last line takes the rest, so each part balances).
EXPENSE_SHARES = {
    BudgetCategory.INDEMNITIES: Decimal("0.30"),
    BudgetCategory.SALARIES: Decimal("0.50"),
    BudgetCategory.CONSULTANT: Decimal("0.05"),
}
# 1A's share of mission 1's ACI lines; 1B takes the rest.
DOCTOR_SHARE: dict[str, Decimal] = {
    BudgetCategory.ACI_FIXED: Decimal("0.60"),
    BudgetCategory.ACI_VARIABLE: Decimal("0.50"),
}
UNSCHEDULED_FIR = Decimal("8000")


def seed_budget_demo(budget: Budget, *, by) -> Budget:
    """Fill a fresh budget (as ``budget_save_parameters`` leaves it); a budget already complete is left alone."""
    budget = budget_for_organisation(budget.organisation) or budget
    if budget.status == BudgetStatus.COMPLETE:
        return budget
    for part in budget.parts.all():
        if not part.is_split:
            continue
        calculated = {
            line.category: line.calculated_amount
            for line in part.lines.all()
            if line.category in SPLIT_CATEGORIES and line.calculated_amount is not None
        }
        doctor = {c: (amount * DOCTOR_SHARE[c]).quantize(Decimal("1")) for c, amount in calculated.items()}
        shares = doctor if part.subpart == BudgetSubpart.DOCTOR else {c: calculated[c] - doctor[c] for c in calculated}
        lines = []
        if part.subpart == BudgetSubpart.UNSCHEDULED:
            complementary = next(line for line in part.lines.all() if line.category == BudgetCategory.COMPLEMENTARY)
            lines.append(
                {
                    "instance": complementary,
                    "category": BudgetCategory.COMPLEMENTARY,
                    "label": "FIR – appel à projets soins non-programmés",
                    "amount": UNSCHEDULED_FIR,
                }
            )
        budget_part_save_lines(part=part, by=by, lines=lines, aci_amounts=shares)
    budget = budget_for_organisation(budget.organisation) or budget
    for summary in budget_summary(budget).parts:
        total = summary.total_resources
        rest = total
        lines = []
        for line in summary.expenses:
            if line.category not in EXPENSE_CATEGORIES or line.label:
                continue
            share = EXPENSE_SHARES.get(BudgetCategory(line.category))
            amount = (total * share).quantize(Decimal("1")) if share is not None else rest
            rest -= amount
            lines.append({"instance": line, "category": line.category, "label": "", "amount": amount})
        budget_part_save_lines(part=summary.part, by=by, lines=lines)
    return budget_mark_complete(budget=budget, by=by)
