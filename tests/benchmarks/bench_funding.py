"""Time to compute the 5-year ACI plan (yearly lines and payment schedule) for 10 000 random valid inputs (goal 9 of
issue 14: at least 10 000 plans per second).

Run: TEST_DB_NAME=test_cpts_<name> .venv/bin/pytest tests/benchmarks/bench_funding.py -m benchmark -s -p no:randomly \
     -o python_files="bench_*.py"
The calculator is pure, so no database is needed; the scales come from the shipped fixture.

Reference, measured in the same run on the same 10 000 inputs: the previous calculator, kept frozen in
funding/tests/reference_calculations.py (explanations formatted eagerly, a frozen dataclass per line and payment,
dates and amounts recomputed per plan). The goal is an absolute rate; the reference says how loaded the machine was
(it ran ~950 plans/s here when quiet) and what the work saved. Passes of both alternate, so both meet the same load;
each figure is its best pass, wall clock (load only ever slows a pass down); the mean over the passes and the CPU
time of the process are printed beside. Then every plan is compared in full with the reference's (amounts as text,
dates, labels, explanations): a difference fails the benchmark.
"""

import time

import pytest

from funding import calculations as calc
from funding.tests import reference_calculations as reference
from funding.tests.random_plans import bench_inputs, plan_rows
from tests.benchmarks.report import rate_goal

pytestmark = pytest.mark.benchmark

ROUNDS = 3


def _timed(calculate, inputs):
    """Wall and CPU seconds to compute these plans, one after the other, each dropped once computed (as a page
    does: keeping 10 000 plans alive would time the garbage collector walking them)."""
    started_wall, started_cpu = time.perf_counter(), time.process_time()
    for scale, inp in inputs:
        calculate(scale, inp)
    return time.perf_counter() - started_wall, time.process_time() - started_cpu


def test_bench_five_year_plans():
    inputs = bench_inputs()
    count = len(inputs)
    for scale, inp in inputs[:200]:  # warm-up (and the scale's tariffs: built once per scale object)
        calc.calculate(scale, inp)
        reference.calculate(scale, inp)

    app_wall = app_cpu = ref_wall = ref_cpu = 0.0
    app_rates, ref_rates = [], []
    for round_ in range(ROUNDS):
        wall, cpu = _timed(calc.calculate, inputs)
        app_wall, app_cpu = app_wall + wall, app_cpu + cpu
        app_rates.append(count / wall)
        # The reference on a third of the inputs (3 to 10 s each): every input once over the rounds.
        part = inputs[round_::ROUNDS]
        wall, cpu = _timed(reference.calculate, part)
        ref_wall, ref_cpu = ref_wall + wall, ref_cpu + cpu
        ref_rates.append(len(part) / wall)
    app_rate, ref_rate = max(app_rates), max(ref_rates)
    app_cpu_rate, ref_cpu_rate = ROUNDS * count / app_cpu, count / ref_cpu

    durations = []
    lines = payments = 0
    for scale, inp in inputs:
        started = time.perf_counter()
        plan = calc.calculate(scale, inp)
        durations.append(time.perf_counter() - started)
        lines += sum(len(y.lines) for y in plan.years)
        payments += len(plan.payments)
    durations.sort()
    p50, p95, p99 = (durations[int(len(durations) * q)] * 1000 for q in (0.50, 0.95, 0.99))
    print(
        f"\n{count} plans de financement sur 5 ans, {ROUNDS} passes : meilleure {app_rate:.0f} plans/s, "
        f"moyenne {ROUNDS * count / app_wall:.0f} plans/s, {app_cpu_rate:.0f} plans/s en temps CPU ; "
        f"médiane {p50:.3f} ms, p95 {p95:.3f} ms, p99 {p99:.3f} ms par plan"
    )
    print(
        f"  calculateur précédent, mêmes plans : meilleure passe {ref_rate:.0f} plans/s, moyenne "
        f"{count / ref_wall:.0f} plans/s, {ref_cpu_rate:.0f} plans/s en temps CPU "
        f"(rapport en temps CPU : {app_cpu_rate / ref_cpu_rate:.1f})"
    )
    print(f"  {lines / count:.1f} lignes et {payments / count:.1f} versements par plan en moyenne")
    rate_goal(
        "9",
        "calculateur de financement",
        app=app_rate,
        reference=ref_rate,
        unit="plans/s",
        reference_label="calculateur précédent figé, mêmes 10 000 plans",
        at_least=10_000,
    )

    for scale, inp in inputs:
        expected = plan_rows(reference.calculate(scale, inp))
        assert plan_rows(calc.calculate(scale, inp)) == expected, f"plan différent du calculateur précédent : {inp}"
