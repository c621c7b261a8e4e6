"""The pure calculator against every figure of funding.md; no database (no ``db`` fixture anywhere here)."""

import ast
import datetime as dt
import random
import re
from decimal import Decimal as D
from pathlib import Path

import pytest

from cpts_portal import dates, formatting, tailles
from funding import calculations as calc
from funding.tests.scales import ACI_2019, AVENANT_2, shipped_scale, shipped_scales

CORE = ("1", "2", "3", "4")
ALL = ("1", "2", "3", "4", "5", "6")
BEFORE_CUTOFF = dt.date(2022, 3, 1)
AFTER_CUTOFF = dt.date(2023, 1, 15)


def plan(*, taille=None, population=None, missions=CORE, signed_on=AFTER_CUTOFF, scale=AVENANT_2, **kwargs):
    return calc.calculate(
        shipped_scale(scale),
        calc.FundingInput(missions=missions, signed_on=signed_on, taille=taille, population=population, **kwargs),
    )


def crises(signed_on, *years):
    return calc.crises_in_years(signed_on, years)


# --------------------------------------------------------------------------------------------------------------
# Worked examples of seed 000 Annexe 1 (funding.md): every figure, year by year.

EXAMPLES = [
    # id, kwargs, {year: {kind: amount}}, year totals, 5-year total
    (
        "illustration-1",
        {"taille": 2, "missions": CORE, "signed_on": BEFORE_CUTOFF},
        {
            1: {"operation": 60000, "additional_operation": 45000, "fixed": 155000, "variable": 80000},
            2: {"operation": 60000, "additional_operation": 0, "fixed": 137500, "variable": 80000},
        },
        [340000, 277500, 277500, 277500, 277500],
        1450000,
    ),
    (
        "illustration-1-crisis-year-2",
        {"taille": 2, "missions": CORE, "signed_on": BEFORE_CUTOFF, "crises": crises(BEFORE_CUTOFF, 2)},
        {2: {"crisis": 52500}},
        [340000, 330000, 277500, 277500, 277500],
        1502500,
    ),
    (
        "illustration-2",
        {"taille": 4, "missions": ALL, "signed_on": AFTER_CUTOFF},
        {
            1: {"operation": 90000, "additional_operation": 0, "fixed": 265000, "variable": 150000, "increase": 0},
            2: {"operation": 90000, "fixed": 240000, "variable": 150000},
        },
        [505000, 480000, 480000, 480000, 480000],
        2425000,
    ),
    (
        "illustration-2-crisis-year-3",
        {"taille": 4, "missions": ALL, "crises": crises(AFTER_CUTOFF, 3)},
        {3: {"crisis": 75000}},
        [505000, 480000, 555000, 480000, 480000],
        2500000,
    ),
    (
        "illustration-2-more-than-100-members",
        {"taille": 4, "missions": ALL, "members": 101},
        {1: {"increase": 50500}, 2: {"increase": 48000}},
        [555500, 528000, 528000, 528000, 528000],
        2667500,
    ),
    (
        "illustration-2-exactly-100-members-at-least-by-default",
        {"taille": 4, "missions": ALL, "members": 100},
        {},
        [555500, 528000, 528000, 528000, 528000],
        2667500,
    ),
    (
        "illustration-2-99-members-no-increase",
        {"taille": 4, "missions": ALL, "members": 99},
        {1: {"increase": 0}},
        [505000, 480000, 480000, 480000, 480000],
        2425000,
    ),
    (
        "taille-3-with-100-members-no-increase",
        {"taille": 3, "missions": CORE, "members": 150},
        {1: {"increase": 0, "operation": 75000, "fixed": 197500, "variable": 97500}, 2: {"fixed": 175000}},
        [370000, 347500, 347500, 347500, 347500],
        1760000,
    ),
]


@pytest.mark.parametrize(
    ("kwargs", "kinds", "year_totals", "total"), [e[1:] for e in EXAMPLES], ids=[e[0] for e in EXAMPLES]
)
def test_it_reproduces_the_worked_examples(kwargs, kinds, year_totals, total):
    result = plan(**kwargs)
    assert [y.total for y in result.years] == [D(t) for t in year_totals]
    assert result.total == D(total)
    for year, amounts in kinds.items():
        for kind, amount in amounts.items():
            assert result.year(year).amount(kind) == D(amount), (year, kind)


def test_illustration_1_fixed_part_is_the_sum_the_guide_prints():
    """70 000 + 35 000 + 15 000 + 35 000 (plan writing), then 17 500 for the plan update."""
    result = plan(taille=2, signed_on=BEFORE_CUTOFF)
    assert [result.year(1).mission_amount(c, calc.FIXED) for c in CORE] == [D(70000), D(35000), D(15000), D(35000)]
    assert result.year(2).mission_amount("4", calc.FIXED) == D(17500)
    assert [result.year(1).mission_amount(c, calc.VARIABLE) for c in CORE] == [D(30000), D(35000), D(15000), D(0)]


def test_the_crisis_payment_of_illustration_1_is_52_500_and_never_a_rate():
    result = plan(taille=2, signed_on=BEFORE_CUTOFF, default_achievement=D("0.5"), crises=crises(BEFORE_CUTOFF, 4))
    assert result.year(4).crisis == D(52500)
    assert result.year(4).variable == D(40000)


# --------------------------------------------------------------------------------------------------------------
# Cross-check totals printed in the seeds.

AVENANT_2_TOTALS = [
    # taille, fixed with operation, variable (crisis included), total possible
    (1, 177500, 110000, 287500),
    (2, 232500, 150000, 382500),
    (3, 297500, 190000, 487500),
    (4, 355000, 225000, 580000),
]


@pytest.mark.parametrize(("taille", "fixed_with_operation", "variable", "total_possible"), AVENANT_2_TOTALS)
def test_avenant_2_cross_check_totals(taille, fixed_with_operation, variable, total_possible):
    """Seed 000 FAQ 3 and Annexe 1: year of the plan writing, every mission, a crisis, no additional operation."""
    year_1 = plan(taille=taille, missions=ALL, crises=crises(AFTER_CUTOFF, 1)).year(1)
    assert year_1.operation + year_1.fixed == D(fixed_with_operation)
    assert year_1.variable + year_1.crisis == D(variable)
    assert year_1.total == D(total_possible)


@pytest.mark.parametrize(("taille", "total_max"), [(1, 220000), (2, 287000), (3, 370000), (4, 450000)])
def test_aci_2019_total_max_per_taille(taille, total_max):
    """Seed 004 "Tableau récapitulatif": operation and the 5 missions, fixed and variable together."""
    result = plan(taille=taille, missions=("1", "2", "3", "5", "6"), signed_on=dt.date(2020, 1, 6), scale=ACI_2019)
    assert [y.total for y in result.years] == [D(total_max)] * 5
    assert result.year(1).variable == 0
    assert any("répartition" in note for note in result.notes)


def test_aci_2019_has_three_core_missions_and_no_crisis_mission():
    result = plan(taille=1, missions=("1", "2", "3"), signed_on=dt.date(2020, 1, 6), scale=ACI_2019)
    assert result.year(1).total == D(50000 + 75000 + 50000 + 20000)
    with pytest.raises(calc.FundingError, match="Mission inconnue.*: 4"):
        plan(taille=1, missions=CORE, signed_on=dt.date(2020, 1, 6), scale=ACI_2019)


# --------------------------------------------------------------------------------------------------------------
# Size bounds and scale choice.


@pytest.mark.parametrize(
    ("population", "taille"),
    [(1, 1), (39999, 1), (40000, 2), (79999, 2), (80000, 3), (175000, 3), (175001, 4), (2_000_000, 4)],
)
def test_the_taille_follows_the_documented_bounds(population, taille):
    assert calc.taille_for_population(shipped_scale(AVENANT_2), population) == taille
    assert plan(population=population).taille == taille


@pytest.mark.parametrize(
    ("signed_on", "code"),
    [
        (dt.date(2019, 6, 20), ACI_2019),
        (dt.date(2021, 7, 19), ACI_2019),
        (dt.date(2021, 7, 20), AVENANT_2),
        (dt.date(2026, 1, 1), AVENANT_2),
    ],
)
def test_the_default_scale_is_the_one_in_force_at_the_signature(signed_on, code):
    assert calc.choose_scale(shipped_scales(), signed_on).code == code


def test_a_contract_keeps_the_scale_it_was_signed_under():
    """A 2020 contract recomputed today is still on ACI 2019 (no crisis mission), whatever came after."""
    scale = calc.choose_scale(shipped_scales(), dt.date(2020, 3, 2))
    assert scale.code == ACI_2019
    assert calc.calculate(scale, calc.FundingInput(("1", "2", "3"), dt.date(2020, 3, 2), taille=2)).total == D(
        5 * (60000 + 92000 + 70000 + 30000)
    )


# --------------------------------------------------------------------------------------------------------------
# Payment schedule.


def test_payments_add_up_to_the_plan_and_fall_on_the_documented_dates():
    signed = dt.date(2023, 1, 31)
    result = plan(taille=2, signed_on=signed)
    assert sum(p.amount for p in result.payments) == result.total
    advance_1 = next(p for p in result.payments if p.kind == calc.PAY_ADVANCE and p.mission == "1" and p.year == 1)
    assert (advance_1.due_on, advance_1.amount) == (signed, D("52500.00"))  # 75 % of 70 000
    balance_1 = next(p for p in result.payments if p.kind == calc.PAY_BALANCE and p.mission == "1" and p.year == 1)
    assert balance_1.amount == D("17500.00")
    assert balance_1.due_on == dt.date(2024, 1, 31)  # the anniversary
    assert balance_1.latest_on == dt.date(2024, 3, 31)  # at the latest 2 months after
    variable_1 = next(p for p in result.payments if p.kind == calc.PAY_VARIABLE and p.mission == "1" and p.year == 1)
    assert (variable_1.due_on, variable_1.amount) == (dt.date(2024, 1, 31), D("30000.00"))
    operation_2 = next(p for p in result.payments if p.kind == calc.PAY_OPERATION and p.year == 2)
    assert (operation_2.due_on, operation_2.latest_on) == (dt.date(2024, 1, 31), dt.date(2024, 3, 31))
    last = max(result.payments, key=lambda p: p.due_on)
    assert last.due_on == dt.date(2028, 1, 31)  # balance and variable of year 5


def test_an_anniversary_on_29_february_falls_on_28_february():
    result = plan(taille=1, signed_on=dt.date(2024, 2, 29))
    assert [y.start for y in result.years][:2] == [dt.date(2024, 2, 29), dt.date(2025, 2, 28)]
    assert calc.add_months(dt.date(2024, 12, 31), 2) == dt.date(2025, 2, 28)


def test_a_mission_starting_during_a_year_gets_a_prorated_first_fixed_part_and_advance():
    signed = dt.date(2023, 1, 1)
    start = dt.date(2023, 7, 1)  # 184 days before the anniversary of 01/01/2024
    result = plan(taille=1, missions=(*CORE, "5"), signed_on=signed, mission_starts={"5": start})
    fixed_5 = result.year(1).mission_amount("5", calc.FIXED)
    assert fixed_5 == D("3780.82")  # 7 500 × 184 / 365
    assert result.year(1).mission_amount("5", calc.VARIABLE) == D("7500.00")  # not prorated
    assert result.year(2).mission_amount("5", calc.FIXED) == D("7500.00")
    advance = next(p for p in result.payments if p.kind == calc.PAY_ADVANCE and p.mission == "5" and p.year == 1)
    balance = next(p for p in result.payments if p.kind == calc.PAY_BALANCE and p.mission == "5" and p.year == 1)
    assert (advance.due_on, advance.latest_on, advance.amount) == (start, dt.date(2023, 9, 1), D("2835.62"))
    assert balance.amount == D("945.20")
    assert advance.amount + balance.amount == fixed_5
    assert "184/365" in next(line for line in result.year(1).lines if line.mission == "5").explanation
    assert sum(p.amount for p in result.payments) == result.total


def test_the_crisis_plan_is_written_the_year_mission_4_starts():
    result = plan(taille=1, signed_on=dt.date(2023, 1, 1), mission_starts={"4": dt.date(2024, 1, 1)})
    assert result.year(1).mission_amount("4", calc.FIXED) == 0
    assert result.year(2).mission_amount("4", calc.FIXED) == D(25000)
    assert result.year(3).mission_amount("4", calc.FIXED) == D(12500)


def test_the_crisis_payment_is_due_within_the_month_once_per_12_months_and_only_with_a_written_plan():
    signed = dt.date(2023, 1, 1)
    events = (
        calc.Crisis(dt.date(2023, 5, 10)),
        calc.Crisis(dt.date(2024, 3, 1)),  # within 12 months of the paid one: covered
        calc.Crisis(dt.date(2024, 5, 10)),  # 12 months later: paid again
        calc.Crisis(dt.date(2026, 2, 1), plan_written=False),  # no plan: not paid
    )
    result = plan(taille=2, signed_on=signed, crises=events)
    paid = [p for p in result.payments if p.kind == calc.PAY_CRISIS]
    assert [(p.due_on, p.latest_on, p.amount) for p in paid] == [
        (dt.date(2023, 5, 10), dt.date(2023, 6, 10), D(52500)),
        (dt.date(2024, 5, 10), dt.date(2024, 6, 10), D(52500)),
    ]
    assert [y.crisis for y in result.years] == [D(52500), D(52500), 0, 0, 0]
    assert any("déjà couverte" in note for note in result.notes)
    assert any("plan de crise n'était pas rédigé" in note for note in result.notes)


def test_the_increase_is_paid_with_each_payment_and_the_sum_still_matches():
    result = plan(taille=4, missions=ALL, members=120, crises=crises(AFTER_CUTOFF, 2))
    assert sum(p.amount for p in result.payments) == result.total == D(2667500 + 82500)
    assert sum(p.increase for p in result.payments) == sum(y.increase for y in result.years)
    operation_1 = next(p for p in result.payments if p.kind == calc.PAY_OPERATION and p.year == 1)
    assert (operation_1.amount, operation_1.increase) == (D(99000), D(9000))


@pytest.mark.parametrize(
    ("applies_to", "year_1_increase"),
    [
        (calc.APPLIES_YEAR_TOTAL, 9000 + 6750 + 26500 + 15000),  # operation, additional, fixed, variable
        (calc.APPLIES_EXCEPT_ADDITIONAL, 9000 + 26500 + 15000),  # the footnote of seed 000 Annexe 1
        (calc.APPLIES_MISSIONS, 26500 + 15000),
    ],
)
def test_what_the_increase_applies_to_is_a_setting_of_the_scale(applies_to, year_1_increase):
    from dataclasses import replace

    base = shipped_scale(AVENANT_2)
    scale = replace(base, increase=replace(base.increase, applies_to=applies_to))
    result = calc.calculate(scale, calc.FundingInput(ALL, BEFORE_CUTOFF, taille=4, members=100))
    assert result.year(1).increase == D(year_1_increase)


@pytest.mark.parametrize(
    ("comparison", "counts", "members", "professionals", "applies"),
    [
        (calc.AT_LEAST, calc.COUNT_MEMBERS, 100, None, True),
        (calc.MORE_THAN, calc.COUNT_MEMBERS, 100, None, False),
        (calc.MORE_THAN, calc.COUNT_MEMBERS, 101, None, True),
        (calc.AT_LEAST, calc.COUNT_PROFESSIONALS, 120, 90, False),
        (calc.AT_LEAST, calc.COUNT_PROFESSIONALS, 120, 100, True),
    ],
)
def test_the_taille_4_plus_plus_threshold_is_data(comparison, counts, members, professionals, applies):
    from dataclasses import replace

    base = shipped_scale(AVENANT_2)
    scale = replace(base, increase=replace(base.increase, comparison=comparison, counts=counts))
    inp = calc.FundingInput(ALL, AFTER_CUTOFF, taille=4, members=members, professional_members=professionals)
    assert calc.calculate(scale, inp).increase_applies is applies


# --------------------------------------------------------------------------------------------------------------
# Achievement from funding indicators.


def test_an_increasing_indicator_is_clamped_between_0_and_1():
    ind = calc.FundingIndicator("médecin traitant", baseline=D(10), targets={1: D(20)}, values={1: D(15)})
    assert calc.indicator_rate(ind, 1).rate == D("0.5")
    assert (
        calc.indicator_rate(calc.FundingIndicator("x", baseline=D(10), targets={1: D(20)}, values={1: D(25)}), 1).rate
        == 1
    )
    assert (
        calc.indicator_rate(calc.FundingIndicator("x", baseline=D(10), targets={1: D(20)}, values={1: D(5)}), 1).rate
        == 0
    )


@pytest.mark.parametrize(
    ("value", "rate"), [(D(90), D("0.5")), (D(80), D(1)), (D(70), D(1)), (D(110), D(0)), (D(100), D(0))]
)
def test_a_decreasing_indicator_uses_the_same_formula(value, rate):
    ind = calc.FundingIndicator(
        "passages aux urgences non suivis d'hospitalisation",
        direction=calc.DECREASING,
        baseline=D(100),
        targets={1: D(80)},
        values={1: value},
    )
    assert calc.indicator_rate(ind, 1).rate == rate


def test_progressive_targets_and_weights_per_year():
    action = calc.FundingIndicator(
        "protocole rédigé", kind=calc.ACTION, binary=True, done={1: True, 2: True}, weights={1: D(3), 2: D(1)}
    )
    result = calc.FundingIndicator(
        "patients avec médecin traitant",
        baseline=D(1000),
        targets={1: D(1100), 2: D(1200)},  # progressive
        values={1: D(1000), 2: D(1150)},
        weights={1: D(1), 2: D(3)},
    )
    assert calc.mission_achievement([action, result], 1).rate == D("0.75")  # (3×1 + 1×0) / 4
    assert calc.mission_achievement([action, result], 2).rate == D("0.8125")  # (1×1 + 3×0.75) / 4
    assert calc.mission_achievement([action], 3).rate == 0  # not done in year 3


def test_a_weight_of_zero_leaves_an_indicator_out():
    a = calc.FundingIndicator("a", binary=True, done={1: True})
    b = calc.FundingIndicator("b", binary=True, done={1: False}, weights={1: D(0)})
    assert calc.mission_achievement([a, b], 1).rate == 1
    with pytest.raises(calc.FundingError, match="Aucun indicateur"):
        calc.mission_achievement([b], 1)


@pytest.mark.parametrize(
    ("direction", "value", "rate", "shown"),
    [
        (calc.INCREASING, D(40), D(1), "niveau maintenu"),
        (calc.INCREASING, D(45), D(1), "niveau maintenu"),
        (calc.INCREASING, D(30), D("0.75"), "niveau non maintenu : 30 / 40 → 75"),
        (calc.DECREASING, D(40), D(1), "niveau maintenu"),
        (calc.DECREASING, D(50), D("0.8"), "niveau non maintenu : 40 / 50 → 80"),
    ],
)
def test_a_target_equal_to_the_baseline_asks_to_maintain_the_level(direction, value, rate, shown):
    """Issue 15 point 7: 100 % when the level is kept, else the share of the level kept (design choice)."""
    ind = calc.FundingIndicator("x", direction=direction, baseline=D(40), targets={1: D(40)}, values={1: value})
    result = calc.indicator_rate(ind, 1)
    assert result.rate == rate and shown in result.explanation


def test_indicator_refusals():
    with pytest.raises(calc.FundingError, match="croissant.*ne peut pas être inférieure"):
        calc.indicator_rate(calc.FundingIndicator("x", baseline=D(10), targets={1: D(9)}, values={1: D(10)}), 1)
    with pytest.raises(calc.FundingError, match="décroissant.*ne peut pas être supérieure"):
        calc.indicator_rate(
            calc.FundingIndicator("x", direction=calc.DECREASING, baseline=D(10), targets={1: D(12)}), 1
        )
    with pytest.raises(calc.FundingError, match="cible de l'année 2"):
        calc.indicator_rate(calc.FundingIndicator("x", baseline=D(10), targets={1: D(12)}), 2)


def test_achievement_rates_feed_the_variable_part_per_year_and_mission():
    rate = calc.mission_achievement([calc.FundingIndicator("a", baseline=D(0), targets={1: D(4)}, values={1: D(1)})], 1)
    result = plan(taille=2, signed_on=BEFORE_CUTOFF, achievement={(1, "1"): rate.rate, (2, "2"): D("0.4")})
    assert result.year(1).mission_amount("1", calc.VARIABLE) == D("7500.00")  # 30 000 × 25 %
    assert result.year(2).mission_amount("2", calc.VARIABLE) == D("14000.00")  # 35 000 × 40 %
    assert result.year(2).mission_amount("1", calc.VARIABLE) == D("30000.00")  # default 100 %


# --------------------------------------------------------------------------------------------------------------
# Refusals, with French messages.

REFUSALS = [
    ("missing-core", {"taille": 2, "missions": ("1", "2")}, "il manque : 3 – Prévention, 4 – Crises sanitaires graves"),
    (
        "unknown-mission",
        {"taille": 2, "missions": (*CORE, "7")},
        "Mission inconnue dans le barème « ACI 2019 + avenant 2 » : 7",
    ),
    ("taille-5", {"taille": 5}, "La taille doit être 1, 2, 3 ou 4"),
    ("taille-0", {"taille": 0}, "La taille doit être 1, 2, 3 ou 4"),
    ("population-0", {"population": 0}, "La population doit être un nombre entier"),
    ("population-negative", {"population": -5}, "La population doit être un nombre entier"),
    ("both", {"taille": 2, "population": 50000}, "pas les deux"),
    ("neither", {}, "Indiquez la taille de la CPTS ou la population"),
    ("members-negative", {"taille": 2, "members": -1}, "nombre de membres doit être un nombre entier positif"),
    ("rate-above-1", {"taille": 2, "default_achievement": D("1.2")}, "entre 0 et 100 %"),
    ("rate-negative", {"taille": 2, "achievement": {(1, "1"): D("-0.1")}}, "entre 0 et 100 %"),
    ("rate-mission-4", {"taille": 2, "achievement": {(1, "4"): D("0.5")}}, "n'a pas de taux d'atteinte"),
    ("rate-year-6", {"taille": 2, "achievement": {(6, "1"): D("0.5")}}, "le contrat compte 5 années"),
    ("rate-not-engaged", {"taille": 2, "achievement": {(1, "5"): D("0.5")}}, "qui n'est pas engagée"),
    ("crisis-outside", {"taille": 2, "crises": (calc.Crisis(dt.date(2030, 1, 1)),)}, "en dehors des 5 années"),
    ("start-before-signature", {"taille": 2, "mission_starts": {"1": dt.date(2020, 1, 1)}}, "doit démarrer entre"),
    (
        "scale-not-in-force-yet",
        {"taille": 2, "signed_on": dt.date(2020, 1, 1)},
        "« ACI 2019 + avenant 2 » n'est pas en vigueur au 01/01/2020",
    ),
    (
        "scale-superseded",
        {"taille": 2, "missions": ("1", "2", "3"), "scale": ACI_2019},
        "« ACI 2019 » n'est pas en vigueur au 15/01/2023",
    ),
    (
        "crisis-on-2019-scale",
        {
            "taille": 2,
            "missions": ("1", "2", "3"),
            "scale": ACI_2019,
            "signed_on": dt.date(2020, 1, 1),
            "crises": (calc.Crisis(dt.date(2020, 6, 1)),),
        },
        "ne prévoit pas de versement en cas de crise",
    ),
]


@pytest.mark.parametrize(("kwargs", "message"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS])
def test_bad_input_is_refused_with_a_french_message(kwargs, message):
    with pytest.raises(calc.FundingError) as info:
        plan(**kwargs)
    assert any(message in m for m in info.value.messages), info.value.messages


def test_every_problem_is_reported_at_once():
    with pytest.raises(calc.FundingError) as info:
        plan(taille=9, missions=("1", "9"), members=-3)
    assert len(info.value.messages) >= 4


def test_choosing_a_scale():
    with pytest.raises(calc.FundingError, match="Aucun barème ACI n'est en vigueur au 01/01/2019"):
        calc.choose_scale(shipped_scales(), dt.date(2019, 1, 1))
    with pytest.raises(calc.FundingError, match="Barème inconnu : « aci-2030 »"):
        calc.choose_scale(shipped_scales(), dt.date(2024, 1, 1), "aci-2030")
    with pytest.raises(
        calc.FundingError, match=re.escape("le barème en vigueur à cette date est « ACI 2019 + avenant 2 »")
    ):
        calc.choose_scale(shipped_scales(), dt.date(2024, 1, 1), ACI_2019)
    with pytest.raises(calc.FundingError, match="Année de crise 6"):
        calc.crises_in_years(dt.date(2024, 1, 1), [6])


def test_to_decimal_refuses_floats_and_garbage():
    assert calc.to_decimal("0,8", what="Taux") == D("0.8")
    with pytest.raises(calc.FundingError, match="n'est pas un nombre"):
        calc.to_decimal("beaucoup", what="Taux")
    with pytest.raises(calc.FundingError, match="nombre décimal exact"):
        calc.to_decimal(0.8, what="Taux")
    with pytest.raises(calc.FundingError, match="n'est pas un nombre"):
        calc.to_decimal("NaN", what="Taux")


# --------------------------------------------------------------------------------------------------------------
# Labels, money, no float.


def test_every_line_is_labelled_with_its_scale_line_and_explanation():
    result = plan(taille=4, missions=ALL, members=100, signed_on=BEFORE_CUTOFF, crises=crises(BEFORE_CUTOFF, 1))
    for year in result.years:
        for line in year.lines:
            assert line.label and line.explanation
            assert line.scale_line.startswith("ACI 2019 + avenant 2 – ")
    first = {line.kind for line in result.year(1).lines}
    assert first == set(calc.LINE_KINDS)
    assert "taille 4" in result.year(1).lines[0].scale_line


def test_french_amounts():
    assert calc.euros(D("1450000")) == "1\u202f450\u202f000\u00a0€"
    assert calc.euros(D("3780.815")) == "3\u202f780,82\u00a0€"
    assert calc.euros(D("0")) == "0\u00a0€"
    assert calc.percent(D("0.8125")) == "81,25\u00a0%"


def test_random_valid_inputs_give_decimal_amounts_whose_payments_add_up():
    rng = random.Random(5)
    scale = shipped_scale(AVENANT_2)
    for _ in range(200):
        signed = dt.date(2022, 1, 1) + dt.timedelta(days=rng.randrange(1500))
        optional = tuple(c for c in ("5", "6") if rng.random() < 0.5)
        inp = calc.FundingInput(
            missions=CORE + optional,
            signed_on=signed,
            population=rng.randrange(1, 400_000),
            members=rng.randrange(0, 200),
            default_achievement=D(rng.randrange(0, 101)) / 100,
            crises=crises(signed, *sorted(rng.sample(range(1, 6), rng.randrange(0, 3)))),
            mission_starts={"5": signed + dt.timedelta(days=rng.randrange(400))} if "5" in optional else {},
        )
        result = calc.calculate(scale, inp)
        assert sum(p.amount for p in result.payments) == result.total
        for year in result.years:
            assert all(type(line.amount) is D and line.amount == line.amount.quantize(calc.CENT) for line in year.lines)


def test_the_calculator_never_uses_float():
    """No float literal, no float() call, no true division of non-Decimals hidden in a float conversion."""
    source = Path(calc.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source)
    floats = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, float)]
    float_calls = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == "float"]
    math_imports = [
        n.lineno
        for n in ast.walk(tree)
        if isinstance(n, ast.Import | ast.ImportFrom)
        and any(alias.name in ("math", "statistics", "numpy") for alias in n.names)
        or (isinstance(n, ast.ImportFrom) and n.module in ("math", "statistics", "numpy"))
    ]
    assert floats == [] and float_calls == [] and math_imports == []


def _imported_modules(path) -> set[str]:
    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    return {
        n.module if isinstance(n, ast.ImportFrom) and n.module else alias.name
        for n in ast.walk(tree)
        if isinstance(n, ast.Import | ast.ImportFrom)
        for alias in n.names
    }


def test_the_calculator_imports_neither_django_nor_a_clock():
    standard = {"__future__", "calendar", "datetime", "collections", "collections.abc", "dataclasses", "decimal"}
    standard |= {"typing", "functools", "bisect"}
    # The portal's shared pure rules (month arithmetic, thousands grouping, population -> taille), free of Django.
    shared = {"cpts_portal.dates": dates, "cpts_portal.formatting": formatting, "cpts_portal.tailles": tailles}
    assert _imported_modules(calc.__file__) <= standard | set(shared)
    for module in shared.values():
        assert _imported_modules(module.__file__) <= standard
    source = Path(calc.__file__).read_text(encoding="utf-8")
    assert "today(" not in source and "now(" not in source
