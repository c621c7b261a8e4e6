"""One way for every benchmark to report a goal of issue 14: the app's figure, the reference figure measured in the
same run, the ratio and the goal, so that ``make bench`` ends on one table of every goal.

A goal is either a ratio (``app / reference ≤ at_most``: a page's p95 against a bare view's, a PDF against raw
WeasyPrint on the same HTML, a load against a raw COPY of the same rows) or a rate (``app ≥ at_least``: plans per
second, with a reference printed beside it). A missed goal is printed as such; it does not fail the run (ratios on a
shared 2-core machine are noisy: the note reports the figures), an error does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

RESULTS: list[Goal] = []


@dataclass(frozen=True)
class Goal:
    key: str  # the point, e.g. "6" or "8a"
    label: str
    app: float
    reference: float
    unit: str
    reference_label: str
    at_most: float | None = None  # ratio app / reference must be ≤ this
    at_least: float | None = None  # app figure must be ≥ this (rates)
    extra: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return self.app / self.reference if self.reference else float("inf")

    @property
    def met(self) -> bool:
        if self.at_least is not None:
            return self.app >= self.at_least
        return self.at_most is not None and self.ratio <= self.at_most

    @property
    def goal_text(self) -> str:
        if self.at_least is not None:
            return f"≥ {self.at_least:,.0f} {self.unit}".replace(",", " ")
        return f"ratio ≤ {self.at_most:g}"

    def line(self) -> str:
        verdict = "atteint" if self.met else "MANQUÉ"
        return (
            f"[objectif {self.key}] {self.label} : {_fmt(self.app)} {self.unit} ; "
            f"référence ({self.reference_label}) {_fmt(self.reference)} {self.unit} ; "
            f"ratio {self.ratio:.2f} ; objectif {self.goal_text} : {verdict}"
        )


def _fmt(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}".replace(",", " ")
    return f"{value:.3g}" if value < 1 else f"{value:.1f}"


def ratio_goal(key, label, *, app, reference, unit, reference_label, at_most) -> Goal:
    """Record and print a goal 'app ≤ at_most × reference' (both measured in the same run)."""
    return _record(Goal(key, label, app, reference, unit, reference_label, at_most=at_most))


def rate_goal(key, label, *, app, reference, unit, reference_label, at_least) -> Goal:
    """Record and print a goal 'app ≥ at_least' (a rate), with the reference printed beside it."""
    return _record(Goal(key, label, app, reference, unit, reference_label, at_least=at_least))


def _record(goal: Goal) -> Goal:
    RESULTS.append(goal)
    print(goal.line(), flush=True)
    return goal


def summary() -> list[str]:
    """The table printed at the end of ``make bench`` (and of ``make bench-load``)."""
    if not RESULTS:
        return []
    lines = ["Objectifs de performance (issue 14), mesurés dans cette exécution :"]
    lines += [f"  {g.line()}" for g in sorted(RESULTS, key=lambda g: g.key)]
    met = sum(g.met for g in RESULTS)
    lines.append(f"  {met} / {len(RESULTS)} objectifs atteints")
    return lines
