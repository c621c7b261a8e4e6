"""Random valid calculator inputs on the shipped scales, and a digest of plans, shared by the calculator's tests
and its benchmark (tests/benchmarks/bench_funding.py): the same 10 000 plans are timed there and checked here."""

import datetime as dt
import hashlib
import random
from collections.abc import Iterable
from decimal import Decimal

from funding import calculations as calc
from funding.tests.scales import shipped_scales

BENCH_SEED = 2026
BENCH_COUNT = 10_000


def random_inputs(
    rng: random.Random, count: int, *, rates: bool = False, scales: tuple[calc.Scale, ...] | None = None
) -> list[tuple[calc.Scale, calc.FundingInput]]:
    """``count`` valid inputs: signature from July 2019 over 8 years, core missions and a random half of the optional
    ones (one of which starts later in 30 % of the cases), 0 to 2 crisis years, population or taille, 0 to 249
    members, a default achievement rate in whole percent. ``rates`` adds per-year rates for some missions and a count
    of professionals (the benchmark's inputs have neither: they are the inputs it has always timed)."""
    scales = scales or shipped_scales()
    result = []
    for _ in range(count):
        signed = dt.date(2019, 7, 1) + dt.timedelta(days=rng.randrange(2900))
        scale = calc.choose_scale(scales, signed)
        core = scale.core_codes
        optional = tuple(m.code for m in scale.missions if not m.is_core and rng.random() < 0.5)
        crisis_capable = any(m.variable_on_crisis for m in scale.missions)
        years = sorted(rng.sample(range(1, 6), rng.randrange(0, 3))) if crisis_capable else []
        starts = {}
        if optional and rng.random() < 0.3:
            starts[optional[0]] = signed + dt.timedelta(days=rng.randrange(1, 700))
        result.append(
            (
                scale,
                calc.FundingInput(
                    missions=core + optional,
                    signed_on=signed,
                    population=rng.randrange(1, 500_000) if rng.random() < 0.5 else None,
                    taille=None,
                    members=rng.randrange(0, 250),
                    default_achievement=Decimal(rng.randrange(0, 101)) / 100,
                    crises=calc.crises_in_years(signed, years),
                    mission_starts=starts,
                ),
            )
        )
    for index, (scale, inp) in enumerate(result):
        if inp.population is None:
            result[index] = (scale, calc.FundingInput(**{**inp.__dict__, "taille": rng.randint(1, 4)}))
    if rates:
        for index, (scale, inp) in enumerate(result):
            variable = [m.code for m in scale.missions if m.code in inp.missions and not m.variable_on_crisis]
            achievement = {
                (year, code): Decimal(rng.randrange(0, 1001)) / 1000
                for year in range(1, 6)
                for code in variable
                if rng.random() < 0.3
            }
            professionals = rng.randrange(0, inp.members + 1) if rng.random() < 0.5 else None
            changes = {"achievement": achievement, "professional_members": professionals}
            result[index] = (scale, calc.FundingInput(**{**inp.__dict__, **changes}))
    return result


def bench_inputs() -> list[tuple[calc.Scale, calc.FundingInput]]:
    return random_inputs(random.Random(BENCH_SEED), BENCH_COUNT)


def plan_rows(plan, *, explanations: bool = True) -> list[tuple]:
    """Everything a plan says, amounts as text (so that 10 and 10.00 differ), explanations formatted (unless
    ``explanations`` is false: formatting them is most of the cost of reading 10 000 plans)."""
    rows: list[tuple] = [
        (
            plan.scale_code,
            plan.scale_name,
            plan.taille,
            plan.population,
            plan.members,
            plan.increase_applies,
            plan.missions,
            plan.signed_on,
            str(plan.increase_rate),
            tuple(sorted(plan.increase_kinds)),
            plan.notes,
            str(plan.total),
        )
    ]
    for year in plan.years:
        rows.append((year.year, year.start, year.end, str(year.total)))
        rows += [
            (
                line.year,
                line.kind,
                line.label,
                line.scale_line,
                str(line.amount),
                line.explanation if explanations else None,
                line.mission,
            )
            for line in year.lines
        ]
    rows += [
        (
            p.due_on,
            p.latest_on,
            p.year,
            p.kind,
            p.label,
            str(p.amount),
            p.mission,
            str(p.increase),
            p.explanation if explanations else None,
        )
        for p in plan.payments
    ]
    return rows


def digest(plans: Iterable, *, explanations: bool = True) -> str:
    """One SHA-256 over every row of every plan."""
    sha = hashlib.sha256()
    for plan in plans:
        for row in plan_rows(plan, explanations=explanations):
            sha.update(repr(row).encode())
    return sha.hexdigest()
