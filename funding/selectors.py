"""Reads of the funding app: scales as calculator data, a territory's population, budgets with their lines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet, Subquery
from django.utils.translation import gettext as _

from accounts.choices import OrganisationKind
from accounts.models import Organisation
from accounts.selectors import is_administrator, membership_list_for_user
from cpts_portal.tailles import band_for_population
from diagnostics.selectors import territory_entry_list, territory_for_cpts
from diagnostics.selectors import territory_population as entries_population
from governance.selectors import member_count_at
from missions.models import ActionPlan
from missions.selectors import PlanPage

from . import calculations as calc
from .choices import SPLIT_CATEGORIES, SPLIT_SUBPARTS, BudgetCategory, BudgetPartKind, BudgetSide
from .models import Budget, BudgetLine, BudgetPart, FundingScale, ScaleMission, ScaleSize


def planned_signature_date(organisation: Organisation) -> dt.date | None:
    """The signature date the CPTS's action plan plans for its ACI contract (missions owns it), if any."""
    return ActionPlan.objects.filter(cpts=organisation).values_list("planned_signature_date", flat=True).first() or None


def scale_queryset() -> QuerySet[FundingScale]:
    return FundingScale.objects.prefetch_related(
        "sizes", Prefetch("missions", queryset=ScaleMission.objects.prefetch_related("amounts"))
    )


def scale_data(scale: FundingScale) -> calc.Scale:
    """The plain dataclass the calculator works on (expects ``scale_queryset`` prefetches for a fixed query count)."""
    sizes = tuple(
        calc.SizeBand(
            taille=s.taille,
            population_min=s.population_min,
            population_max=s.population_max,
            operation=s.operation,
            additional_operation=s.additional_operation,
            accompaniment=s.accompaniment,
        )
        for s in sorted(scale.sizes.all(), key=lambda s: s.taille)
    )
    missions = tuple(
        calc.MissionScale(
            code=m.code,
            label=m.short_label,
            is_core=m.is_core,
            variable_on_crisis=m.variable_on_crisis,
            split_published=m.split_published,
            amounts={
                a.taille: calc.MissionAmounts(fixed=a.fixed, variable=a.variable, fixed_following=a.fixed_following)
                for a in m.amounts.all()
            },
        )
        for m in sorted(scale.missions.all(), key=lambda m: (m.order, m.code))
    )
    return calc.Scale(
        code=scale.code,
        name=scale.name,
        effective_from=scale.effective_from,
        sizes=sizes,
        missions=missions,
        increase=calc.IncreaseRule(
            rate=scale.increase_rate,
            min_taille=scale.increase_min_taille,
            threshold=scale.increase_threshold,
            comparison=scale.increase_comparison,
            counts=scale.increase_counts,
            applies_to=scale.increase_applies_to,
        ),
        additional_operation_until=scale.additional_operation_until,
    )


def scale_data_list() -> tuple[calc.Scale, ...]:
    """Every scale as calculator data, oldest first, each knowing when the next one took over (4 queries)."""
    return calc.with_validity([scale_data(s) for s in scale_queryset()])


def scale_in_force(on: dt.date) -> FundingScale | None:
    """The scale a contract signed on ``on`` is under: the latest applicable on that date."""
    return FundingScale.objects.filter(effective_from__lte=on).order_by("-effective_from").first()


def size_bands_in_force(on: dt.date) -> list[ScaleSize]:
    """The population bands of the scale in force on ``on``, taille 1 first (empty while no scale applies), with
    their scale: the one read of the tailles' bounds, for the calculator's callers, the letter's accompaniment and
    (handed over in ``apps.FundingConfig.ready``) the territory pages of diagnostics. One query."""
    latest = FundingScale.objects.filter(effective_from__lte=on).order_by("-effective_from").values("pk")[:1]
    return list(ScaleSize.objects.filter(scale=Subquery(latest)).select_related("scale").order_by("taille"))


def size_band_for_population(population: int, on: dt.date) -> ScaleSize | None:
    """The band of the scale in force on ``on`` that covers ``population`` (its taille, amounts and scale), or None
    while no scale applies or none of its bands covers it."""
    return band_for_population(size_bands_in_force(on), population)


def territory_population(organisation: Organisation) -> int | None:
    """Inhabitants of a CPTS's territory (diagnostics computes it); None when it has no commune yet."""
    entries = territory_entry_list(territory_for_cpts(organisation))
    return entries_population(None, entries) if entries else None


def cpts_member_count(organisation: Organisation, *, on: dt.date, scale: calc.Scale | None = None) -> int:
    """Members of the CPTS on a date as the taille 4++ rule of the scale counts them: every member, or only the
    health professionals when the scale says so (funding.md: the seeds disagree, so it is data on the scale).

    The one "member count as the scale counts it", for the budget and the health project alike: the register and
    its count are governance's (``member_count_at``, the lowest app that owns the members); which members the
    scale counts is this app's data, which governance may not read, so the two meet here. ``scale``: the
    calculator's scale when the caller holds it, else the scale in force on ``on`` is read (one query); without
    any scale every member counts (the scale's default)."""
    if scale is not None:
        counts = scale.increase.counts
    else:
        in_force = scale_in_force(on)
        counts = in_force.increase_counts if in_force is not None else calc.COUNT_MEMBERS
    return member_count_at(organisation, on, count_structures=counts == calc.COUNT_MEMBERS)


def budget_cpts_list_for_user(user) -> list[tuple[Organisation, Budget | None]]:
    """The CPTS whose budget a person may read (theirs; every one for an administrator), with the budget if any."""
    if is_administrator(user):
        organisations = list(Organisation.objects.filter(kind=OrganisationKind.CPTS).select_related("region"))
    else:
        seen: dict[int, Organisation] = {}
        for m in membership_list_for_user(user):
            if m.organisation.kind == OrganisationKind.CPTS:
                seen.setdefault(m.organisation.pk, m.organisation)
        organisations = sorted(seen.values(), key=lambda o: o.name)
    budgets = {b.organisation_id: b for b in Budget.objects.filter(organisation__in=organisations)}
    return [(o, budgets.get(o.pk)) for o in organisations]


def budget_for_organisation(organisation: Organisation, *, full: bool = True) -> Budget | None:
    """The budget of a CPTS with its scale, parts and lines (3 queries whatever the number of lines); the row alone
    with ``full=False`` (1 query: the pages of its PDF read no line)."""
    if not full:
        return Budget.objects.select_related("organisation").filter(organisation=organisation).first()
    return (
        Budget.objects.select_related("scale", "organisation")
        .prefetch_related(
            Prefetch(
                "parts",
                queryset=BudgetPart.objects.order_by("order").prefetch_related(
                    Prefetch("lines", queryset=BudgetLine.objects.order_by("side", "order", "pk"))
                ),
            )
        )
        .filter(organisation=organisation)
        .first()
    )


@dataclass(frozen=True)
class PartSummary:
    part: BudgetPart
    expenses: list[BudgetLine]
    resources: list[BudgetLine]
    total_expenses: Decimal
    total_resources: Decimal

    @property
    def difference(self) -> Decimal:
        """Resources minus expenses: positive when resources exceed expenses."""
        return self.total_resources - self.total_expenses

    @property
    def is_balanced(self) -> bool:
        return self.difference == 0


@dataclass(frozen=True)
class SplitCheck:
    """One ACI line of mission 1 (fixed "ACI – Fonctionnement" or variable "ACI – Résultat"): what the calculator
    gives the whole mission and what parts 1A and 1B hold. A difference is a warning, not a refusal: a coordinator
    may budget less than 100 % of the variable part."""

    category: str
    calculated: Decimal
    shares: tuple[tuple[str, Decimal], ...]  # ("1A", amount), ("1B", amount)

    @property
    def label(self) -> str:
        return str(BudgetCategory(self.category).label)

    @property
    def total(self) -> Decimal:
        return sum((amount for _code, amount in self.shares), Decimal("0"))

    @property
    def is_balanced(self) -> bool:
        return self.total == self.calculated

    @property
    def warning(self) -> str:
        """The French sentence shown beside the parts (empty when 1A + 1B equal the mission's amount)."""
        if self.is_balanced:
            return ""
        shares = " + ".join(f"{code} {calc.euros(amount)}" for code, amount in self.shares)
        return _(
            "« %(line)s » de la mission 1 : %(shares)s = %(total)s, alors que le simulateur calcule %(calculated)s "
            "pour toute la mission (écart de %(diff)s)."
        ) % {
            "line": self.label,
            "shares": shares,
            "total": calc.euros(self.total),
            "calculated": calc.euros(self.calculated),
            "diff": calc.euros(self.total - self.calculated),
        }


@dataclass(frozen=True)
class BudgetSummary:
    parts: list[PartSummary]

    @property
    def total_expenses(self) -> Decimal:
        return sum((p.total_expenses for p in self.parts), Decimal("0"))

    @property
    def total_resources(self) -> Decimal:
        return sum((p.total_resources for p in self.parts), Decimal("0"))

    @property
    def difference(self) -> Decimal:
        return self.total_resources - self.total_expenses

    @property
    def is_balanced(self) -> bool:
        return all(p.is_balanced for p in self.parts)

    @property
    def unbalanced(self) -> list[PartSummary]:
        return [p for p in self.parts if not p.is_balanced]

    @property
    def mission_codes(self) -> list[str]:
        """The ACI missions engaged, as the calculator knows them (1A and 1B are mission 1 once)."""
        return list(dict.fromkeys(p.part.mission_code for p in self.parts if p.part.kind == BudgetPartKind.MISSION))

    @property
    def split_checks(self) -> list[SplitCheck]:
        """Mission 1's ACI lines: 1A + 1B against the calculator's amount for the whole mission."""
        split = [p for p in self.parts if p.part.is_split]
        if not split:
            return []
        checks = []
        for category in SPLIT_CATEGORIES:
            lines = [(p.part.code, line) for p in split for line in p.resources if line.category == category]
            amounts = [line.calculated_amount for _code, line in lines if line.calculated_amount is not None]
            calculated = amounts[0] if amounts else None
            if calculated is None:
                continue
            shares = {code: Decimal("0") for code in (f"{split[0].part.mission_code}{s}" for s in SPLIT_SUBPARTS)}
            for code, line in lines:
                shares[code] = shares.get(code, Decimal("0")) + line.amount
            checks.append(SplitCheck(category=category, calculated=calculated, shares=tuple(shares.items())))
        return checks

    @property
    def split_warnings(self) -> list[str]:
        return [c.warning for c in self.split_checks if not c.is_balanced]


def budget_summary(budget: Budget) -> BudgetSummary:
    """Part 3 of the budget: totals and differences per part, from the prefetched lines (no query)."""
    parts = []
    for part in budget.parts.all():
        lines = list(part.lines.all())
        expenses = [line for line in lines if line.side == BudgetSide.EXPENSE]
        resources = [line for line in lines if line.side == BudgetSide.RESOURCE]
        parts.append(
            PartSummary(
                part=part,
                expenses=expenses,
                resources=resources,
                total_expenses=sum((line.amount for line in expenses), Decimal("0")),
                total_resources=sum((line.amount for line in resources), Decimal("0")),
            )
        )
    return BudgetSummary(parts)


# 2: mission 1 in two parts (each part's "subpart", "code", "title", "hint"), the lines' official labels and hints,
# each part's balance, mission 1's split checks and note. Version 1's keys are unchanged.
BUDGET_SCHEMA_VERSION = 2


def budget_data(budget: Budget) -> dict:
    """The budget as plain JSON data, for freezing it into a submitted version of the health project.

    Amounts are decimal strings; expects ``budget_for_organisation``'s prefetches (no query then).
    """
    summary = budget_summary(budget)
    return {
        "schema_version": BUDGET_SCHEMA_VERSION,
        "scale": budget.scale.code,
        "scale_name": budget.scale.name,
        "signed_on": budget.signed_on.isoformat(),
        "taille": budget.taille,
        "population": budget.population,
        "members": budget.members,
        "contract_year": budget.contract_year,
        "status": budget.status,
        "parts": [
            {
                "kind": p.part.kind,
                "mission": p.part.mission_code or None,
                "subpart": p.part.subpart or None,
                "code": p.part.code or None,
                "label": p.part.label,
                "title": p.part.heading,
                "hint": p.part.hint,
                "lines": [
                    {
                        "side": line.side,
                        "category": line.category,
                        "category_label": line.get_category_display(),
                        "hint": line.hint,
                        "label": line.label,
                        "amount": f"{line.amount:.2f}",
                        "from_calculator": line.from_calculator,
                        "calculated_amount": (
                            f"{line.calculated_amount:.2f}" if line.calculated_amount is not None else None
                        ),
                    }
                    for line in (*p.expenses, *p.resources)
                ],
                "total_expenses": f"{p.total_expenses:.2f}",
                "total_resources": f"{p.total_resources:.2f}",
                "is_balanced": p.is_balanced,
            }
            for p in summary.parts
        ],
        "total_expenses": f"{summary.total_expenses:.2f}",
        "total_resources": f"{summary.total_resources:.2f}",
        "is_balanced": summary.is_balanced,
        "split_checks": [
            {
                "category": c.category,
                "label": c.label,
                "calculated": f"{c.calculated:.2f}",
                "shares": {code: f"{amount:.2f}" for code, amount in c.shares},
                "warning": c.warning,
            }
            for c in summary.split_checks
        ],
        "split_note": budget.split_note,
    }


# --- Inputs of the funding calculator from the action plan (missions) ---------------------------------------------


def funding_indicator_inputs(page: PlanPage) -> dict[str, list[calc.FundingIndicator]]:
    """Per ACI mission code, its funding indicators of the action plan as ``calc.FundingIndicator`` (measured
    values are added by the yearly results later). Actions outside the ACI are never counted."""
    result: dict[str, list[calc.FundingIndicator]] = {}
    for block in page.blocks:
        if not block.mission.is_aci or not block.mission.requires_funding_indicator:
            continue
        for sheet in block.sheets:
            for i in sheet.indicators.all():
                if i.is_funding:
                    result.setdefault(block.mission.code, []).append(
                        calc.FundingIndicator(
                            name=i.label,
                            kind=i.kind,
                            direction=i.direction,
                            baseline=i.baseline_value,
                            targets=i.targets,
                            weights=i.weights,
                        )
                    )
    return result
