"""The shipped scales (fixtures/funding_scales.json) read straight into calculator dataclasses, without a database.

So the calculator tests check the very figures an administrator gets after ``seed_demo``, with no ``db`` fixture.
"""

import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal
from functools import cache
from pathlib import Path

from funding import calculations as calc

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "funding_scales.json"
AVENANT_2 = "aci-2019-avenant-2"
ACI_2019 = "aci-2019"


def _money(value):
    return None if value is None else Decimal(value)


@cache
def shipped_scales() -> tuple[calc.Scale, ...]:
    rows = json.loads(FIXTURE.read_text(encoding="utf-8"))
    by_model = defaultdict(list)
    for row in rows:
        by_model[row["model"]].append(row["fields"])
    amounts = defaultdict(dict)
    for a in by_model["funding.scalemissionamount"]:
        amounts[tuple(a["mission"])][a["taille"]] = calc.MissionAmounts(
            fixed=Decimal(a["fixed"]), variable=Decimal(a["variable"]), fixed_following=_money(a["fixed_following"])
        )
    scales = []
    for s in by_model["funding.fundingscale"]:
        code = s["code"]
        sizes = tuple(
            calc.SizeBand(
                taille=z["taille"],
                population_min=z["population_min"],
                population_max=z["population_max"],
                operation=Decimal(z["operation"]),
                additional_operation=Decimal(z["additional_operation"]),
                accompaniment=Decimal(z["accompaniment"]),
            )
            for z in by_model["funding.scalesize"]
            if z["scale"] == [code]
        )
        missions = tuple(
            calc.MissionScale(
                code=m["code"],
                label=m["short_label"],
                is_core=m["is_core"],
                variable_on_crisis=m["variable_on_crisis"],
                split_published=m["split_published"],
                amounts=amounts[(code, m["code"])],
            )
            for m in sorted(by_model["funding.scalemission"], key=lambda m: m["order"])
            if m["scale"] == [code]
        )
        until = s["additional_operation_until"]
        scales.append(
            calc.Scale(
                code=code,
                name=s["name"],
                effective_from=dt.date.fromisoformat(s["effective_from"]),
                sizes=sizes,
                missions=missions,
                increase=calc.IncreaseRule(
                    rate=Decimal(s["increase_rate"]),
                    min_taille=s["increase_min_taille"],
                    threshold=s["increase_threshold"],
                    comparison=s["increase_comparison"],
                    counts=s["increase_counts"],
                    applies_to=s["increase_applies_to"],
                ),
                additional_operation_until=dt.date.fromisoformat(until) if until else None,
            )
        )
    return calc.with_validity(scales)


def shipped_scale(code: str) -> calc.Scale:
    return next(s for s in shipped_scales() if s.code == code)
