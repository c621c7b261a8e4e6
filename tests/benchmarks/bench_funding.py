"""Time to compute the 5-year ACI plan (yearly lines and payment schedule) for 10 000 random valid inputs.

Run: TEST_DB_NAME=test_cpts_<name> .venv/bin/pytest tests/benchmarks/bench_funding.py -m benchmark -s
The calculator is pure, so no database is needed; the scales come from the shipped fixture.
"""

import datetime as dt
import random
import statistics
import time
from decimal import Decimal

import pytest

from funding import calculations as calc
from funding.tests.scales import shipped_scales

pytestmark = pytest.mark.benchmark

COUNT = 10_000
CORE = ("1", "2", "3", "4")


def random_inputs(rng: random.Random, count: int) -> list[tuple[calc.Scale, calc.FundingInput]]:
    scales = shipped_scales()
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
    return result


def test_bench_five_year_plans():
    rng = random.Random(2026)
    inputs = random_inputs(rng, COUNT)
    for scale, inp in inputs[:200]:  # warm-up
        calc.calculate(scale, inp)
    durations = []
    lines = payments = 0
    started = time.perf_counter()
    for scale, inp in inputs:
        t0 = time.perf_counter()
        plan = calc.calculate(scale, inp)
        durations.append(time.perf_counter() - t0)
        lines += sum(len(y.lines) for y in plan.years)
        payments += len(plan.payments)
    total = time.perf_counter() - started
    durations.sort()
    p50, p95, p99 = (durations[int(len(durations) * q)] * 1000 for q in (0.50, 0.95, 0.99))
    print(
        f"\n{COUNT} plans de financement sur 5 ans : {total:.2f} s au total, "
        f"{COUNT / total:.0f} plans/s, moyenne {statistics.mean(durations) * 1000:.3f} ms, "
        f"médiane {p50:.3f} ms, p95 {p95:.3f} ms, p99 {p99:.3f} ms"
    )
    print(f"  {lines / COUNT:.1f} lignes et {payments / COUNT:.1f} versements par plan en moyenne")
    print(f"  ratio p99 / médiane : {p99 / p50:.1f}")
    assert lines and payments
