"""Writes of the funding app: a scale copied for a new amendment, a CPTS's budget and its lines.

Also ``funding_plan_compute``, the one entry point from typed parameters (command line, simulator, budget) to the
pure calculator: it picks the scale in force and turns calculator errors into ``ValidationError``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.choices import OrganisationKind
from accounts.models import Organisation

from . import calculations as calc
from .choices import (
    ACI_CATEGORIES,
    EXPENSE_CATEGORIES,
    RESOURCE_CATEGORIES,
    SPLIT_CATEGORIES,
    SPLIT_MISSION,
    SPLIT_SUBPARTS,
    BudgetCategory,
    BudgetPartKind,
    BudgetSide,
    BudgetStatus,
    BudgetSubpart,
)
from .models import Budget, BudgetLine, BudgetPart, FundingScale, ScaleMission, ScaleMissionAmount, ScaleSize
from .selectors import budget_summary, scale_data_list


def funding_plan_compute(
    *,
    signed_on: dt.date,
    missions: Sequence[str],
    taille: int | None = None,
    population: int | None = None,
    members: int = 0,
    scale_code: str | None = None,
    achievement: Decimal = calc.ONE,
    crisis_years: Iterable[int] = (),
    scales: Sequence[calc.Scale] | None = None,
) -> calc.FundingPlan:
    """The 5-year plan for typed parameters; raises ``ValidationError`` with the calculator's French messages."""
    try:
        scales = scales if scales is not None else scale_data_list()
        scale = calc.choose_scale(scales, signed_on, scale_code)
        return calc.calculate(
            scale,
            calc.FundingInput(
                missions=tuple(missions),
                signed_on=signed_on,
                taille=taille,
                population=population,
                members=members,
                default_achievement=achievement,
                crises=calc.crises_in_years(signed_on, crisis_years),
            ),
        )
    except calc.FundingError as exc:
        raise ValidationError(exc.messages) from exc


@transaction.atomic
def scale_duplicate(*, scale: FundingScale, code: str, name: str, effective_from: dt.date) -> FundingScale:
    """A new scale starting as a copy of ``scale``: the administrator then changes the amounts of the amendment."""
    copy = FundingScale(
        code=code,
        name=name,
        effective_from=effective_from,
        source=_("Copie de « %(name)s », à mettre à jour.") % {"name": scale.name},
        additional_operation_until=scale.additional_operation_until,
        accompaniment_months=scale.accompaniment_months,
        increase_rate=scale.increase_rate,
        increase_min_taille=scale.increase_min_taille,
        increase_threshold=scale.increase_threshold,
        increase_comparison=scale.increase_comparison,
        increase_counts=scale.increase_counts,
        increase_applies_to=scale.increase_applies_to,
    )
    copy.full_clean()
    copy.save()
    ScaleSize.objects.bulk_create(
        ScaleSize(
            scale=copy,
            taille=s.taille,
            population_min=s.population_min,
            population_max=s.population_max,
            operation=s.operation,
            additional_operation=s.additional_operation,
            accompaniment=s.accompaniment,
        )
        for s in scale.sizes.all()
    )
    for mission in scale.missions.prefetch_related("amounts"):
        new = ScaleMission.objects.create(
            scale=copy,
            code=mission.code,
            label=mission.label,
            short_label=mission.short_label,
            is_core=mission.is_core,
            variable_on_crisis=mission.variable_on_crisis,
            split_published=mission.split_published,
            order=mission.order,
        )
        ScaleMissionAmount.objects.bulk_create(
            ScaleMissionAmount(
                mission=new, taille=a.taille, fixed=a.fixed, fixed_following=a.fixed_following, variable=a.variable
            )
            for a in mission.amounts.all()
        )
    return copy


# --------------------------------------------------------------------------------------------------------------
# Budget.


def _aci_lines(plan: calc.FundingPlan, year: int, mission_code: str | None) -> list[tuple[str, Decimal, str]]:
    """(category, amount, label) of the ACI resources of one part for one contract year, increase included."""
    result = plan.year(year)

    def amount(lines) -> Decimal:
        return sum((line.amount + plan.increase_share(line) for line in lines), Decimal("0"))

    def explain(lines) -> str:
        text = " + ".join(f"{line.label} ({line.explanation})" for line in lines)
        if plan.increase_applies and any(plan.increase_share(line) for line in lines):
            text += _(" ; majoration taille 4++ incluse")
        return text

    if mission_code is None:
        lines = [line for line in result.lines if line.kind in (calc.OPERATION, calc.ADDITIONAL_OPERATION)]
        return [(BudgetCategory.ACI_OPERATION, amount(lines), explain(lines))]
    fixed = [line for line in result.lines if line.mission == mission_code and line.kind == calc.FIXED]
    variable = [line for line in result.lines if line.mission == mission_code and line.kind == calc.VARIABLE]
    variable_label = explain(variable) or _("Versé seulement en cas de crise sanitaire grave (plan rédigé)")
    return [
        (BudgetCategory.ACI_FIXED, amount(fixed), explain(fixed)),
        (BudgetCategory.ACI_VARIABLE, amount(variable), variable_label[:200]),
    ]


def _budget_plan(budget: Budget, missions: Sequence[str]) -> calc.FundingPlan:
    return funding_plan_compute(
        signed_on=budget.signed_on,
        missions=missions,
        taille=budget.taille,
        members=budget.members,
        scale_code=budget.scale.code,
    )


def split_note() -> str:
    """The note a budget shows until its coordinator edits part 1A or 1B (also written by migration 0003)."""
    return _(
        "Les ressources ACI de la mission 1 sont calculées pour toute la mission et reportées en 1A : à répartir "
        "entre 1A et 1B (modifiez la partie 1A ou 1B)."
    )


def _wanted_parts(plan: calc.FundingPlan) -> list[tuple[str, str]]:
    """(mission code, subpart) of every part in Annexe 2's order: part 1, then the missions, mission 1 as 1A, 1B."""
    wanted = [("", "")]
    for code in plan.missions:
        wanted += [(code, sub.value) for sub in SPLIT_SUBPARTS] if code == SPLIT_MISSION else [(code, "")]
    return wanted


def _sync_parts(budget: Budget, plan: calc.FundingPlan, scale: calc.Scale) -> None:
    """Create the missing parts, drop the parts of missions no longer engaged, refresh every ACI line.

    Mission 1's ACI lines are computed for the whole mission: 1A and 1B each have them, with the mission's amount
    kept in ``calculated_amount``. A split the coordinator made is kept while the mission's amounts are unchanged;
    otherwise the whole amounts go to 1A again and the budget's note asks to split them."""
    wanted = _wanted_parts(plan)
    parts = list(budget.parts.prefetch_related("lines"))
    existing = {(p.mission_code, p.subpart): p for p in parts}
    for key, stale in existing.items():
        if key not in wanted:
            stale.delete()
    # The split kept from the last save: {(subpart, category): (amount, mission's amount then)}.
    previous = {
        (p.subpart, line.category): (line.amount, line.calculated_amount)
        for p in parts
        if p.is_split
        for line in p.lines.all()
        if line.from_calculator
    }
    split_reset = False
    for order, (code, sub) in enumerate(wanted):
        part = existing.get((code, sub))
        mission = scale.mission(code) if code else None
        title = BudgetPart.title_for(code, sub, mission.label if mission else "")
        if part is None:
            part = BudgetPart.objects.create(
                budget=budget,
                kind=BudgetPartKind.MISSION if code else BudgetPartKind.OPERATION,
                mission_code=code,
                subpart=sub,
                label=title,
                order=order,
            )
            BudgetLine.objects.bulk_create(
                [
                    BudgetLine(part=part, side=BudgetSide.EXPENSE, category=category, order=index)
                    for index, category in enumerate(EXPENSE_CATEGORIES)
                ]
                + [BudgetLine(part=part, side=BudgetSide.RESOURCE, category=BudgetCategory.COMPLEMENTARY, order=9)]
            )
        elif (part.order, part.label) != (order, title):
            part.order, part.label = order, title
            part.save(update_fields=["order", "label"])
        part.lines.filter(category__in=ACI_CATEGORIES).delete()
        new_lines = []
        for index, (category, amount, label) in enumerate(_aci_lines(plan, budget.contract_year, code or None)):
            calculated = None
            if sub:
                calculated = amount
                kept = {s: previous.get((s.value, category)) for s in SPLIT_SUBPARTS}
                if all(k is not None and k[1] == amount for k in kept.values()):
                    amount = kept[BudgetSubpart(sub)][0]  # type: ignore[index]
                else:
                    split_reset = split_reset or bool(amount)
                    amount = amount if sub == BudgetSubpart.DOCTOR else Decimal("0")
                label = _("%(explanation)s ; montant de toute la mission 1, à répartir entre 1A et 1B") % {
                    "explanation": label
                }
            new_lines.append(
                BudgetLine(
                    part=part,
                    side=BudgetSide.RESOURCE,
                    category=category,
                    amount=amount,
                    calculated_amount=calculated,
                    label=label[:200],
                    from_calculator=True,
                    order=index,
                )
            )
        BudgetLine.objects.bulk_create(new_lines)
    if split_reset:
        budget.split_note = split_note()
        budget.save(update_fields=["split_note"])


def _check_cpts(organisation: Organisation) -> None:
    if organisation.kind != OrganisationKind.CPTS:
        raise ValidationError(_("Seule une CPTS a un budget."))


@transaction.atomic
def budget_save_parameters(
    *,
    organisation: Organisation,
    by,
    signed_on: dt.date,
    missions: Sequence[str],
    taille: int | None = None,
    population: int | None = None,
    members: int = 0,
    contract_year: int = 1,
    scale_code: str | None = None,
) -> Budget:
    """Create the budget of a CPTS or change its parameters; its ACI resources follow from the calculator.

    Parts of missions no longer engaged are removed with their lines; the ACI lines of every part are recomputed.
    """
    _check_cpts(organisation)
    budget = Budget.objects.select_for_update().filter(organisation=organisation).first()
    if budget is not None and budget.status == BudgetStatus.COMPLETE:
        raise ValidationError(_("Le budget est marqué complet : rouvrez-le pour le modifier."))
    plan = funding_plan_compute(
        signed_on=signed_on,
        missions=missions,
        taille=taille,
        population=population,
        members=members,
        scale_code=scale_code,
    )
    scale_row = FundingScale.objects.get(code=plan.scale_code)
    scale = next(s for s in scale_data_list() if s.code == plan.scale_code)
    budget = budget or Budget(organisation=organisation)
    budget.scale = scale_row
    budget.signed_on = signed_on
    budget.taille = plan.taille
    budget.population = population
    budget.members = members
    budget.contract_year = contract_year
    budget.full_clean(exclude=["status"])  # a protected FSM field is only changed by its transitions
    budget.save()
    _sync_parts(budget, plan, scale)
    return budget


@transaction.atomic
def budget_part_save_lines(
    *,
    part: BudgetPart,
    by,
    lines: Iterable[dict],
    deleted: Iterable[BudgetLine] = (),
    aci_amounts: Mapping[str, Decimal] | None = None,
) -> None:
    """Save the lines a coordinator typed in one part (the ACI lines are not theirs to type).

    In part 1A or 1B, ``aci_amounts`` (category -> amount) sets this part's share of mission 1's ACI lines: the
    calculator computes them for the whole mission. Saving either part clears the note asking to split them."""
    budget = Budget.objects.select_for_update().get(pk=part.budget_id)
    if budget.status == BudgetStatus.COMPLETE:
        raise ValidationError(_("Le budget est marqué complet : rouvrez-le pour le modifier."))
    allowed_resources = RESOURCE_CATEGORIES[part.kind]
    for line in deleted:
        if line.part_id == part.pk and not line.from_calculator:
            line.delete()
    for data in lines:
        line = data.get("instance") or BudgetLine(part=part)
        if line.pk and (line.part_id != part.pk or line.from_calculator):
            raise ValidationError(_("Cette ligne n'appartient pas à cette partie du budget."))
        category = data["category"]
        if category in ACI_CATEGORIES:
            raise ValidationError(_("Les ressources ACI sont calculées par le simulateur, pas saisies."))
        line.side = BudgetSide.EXPENSE if category in EXPENSE_CATEGORIES else BudgetSide.RESOURCE
        if line.side == BudgetSide.RESOURCE and category not in allowed_resources:
            raise ValidationError(_("Ce poste de ressources n'existe pas dans cette partie."))
        line.part = part
        line.category = category
        line.label = data.get("label", "")
        line.amount = data["amount"]
        line.full_clean()
        line.save()
    if aci_amounts:
        if not part.is_split:
            raise ValidationError(_("Les ressources ACI sont calculées par le simulateur, pas saisies."))
        aci = {line.category: line for line in part.lines.filter(from_calculator=True, category__in=SPLIT_CATEGORIES)}
        for category, amount in aci_amounts.items():
            if category not in aci:
                raise ValidationError(_("Ce poste de ressources n'existe pas dans cette partie."))
            aci[category].amount = amount
            aci[category].full_clean()
            aci[category].save(update_fields=["amount"])
    if part.is_split and budget.split_note:
        budget.split_note = ""
        budget.save(update_fields=["split_note", "updated_at"])
    else:
        budget.save(update_fields=["updated_at"])


@transaction.atomic
def budget_mark_complete(*, budget: Budget, by) -> Budget:
    """Mark the budget complete; refused while expenses and resources differ in any part."""
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    from .selectors import budget_for_organisation

    summary = budget_summary(budget_for_organisation(budget.organisation) or budget)
    if not summary.is_balanced:
        raise ValidationError(
            [
                _("%(part)s : les dépenses (%(expenses)s) et les ressources (%(resources)s) diffèrent de %(diff)s.")
                % {
                    "part": p.part.label,
                    "expenses": calc.euros(p.total_expenses),
                    "resources": calc.euros(p.total_resources),
                    "diff": calc.euros(abs(p.difference)),
                }
                for p in summary.unbalanced
            ]
        )
    budget.mark_complete(by=by)
    budget.save()
    return budget


@transaction.atomic
def budget_reopen(*, budget: Budget, by) -> Budget:
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    budget.reopen(by=by)
    budget.save()
    return budget
