"""Pure counts over members' membership spans: no ORM, no ``now()``, dates are passed in.

A member is present on a date when they joined on or before it and had not left by then: a member whose
``left_on`` is that very date is no longer counted (they left that day).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class MemberSpan:
    nature: str
    joined_on: dt.date
    left_on: dt.date | None = None
    category: str = ""
    in_governance: bool = False
    took_part_in_writing: bool = False


@dataclass(frozen=True)
class CategoryCount:
    code: str
    label: str
    joined: int
    in_governance: int
    took_part_in_writing: int
    share: Decimal  # percentage of the members present, one decimal


@dataclass(frozen=True)
class ThresholdResult:
    count: int
    threshold: int
    at_least: bool
    count_structures: bool
    met: bool

    @property
    def missing(self) -> int:
        """How many more members the threshold needs (0 when met)."""
        if self.met:
            return 0
        return self.threshold - self.count + (0 if self.at_least else 1)


def is_present(span: MemberSpan, on: dt.date) -> bool:
    return span.joined_on <= on and (span.left_on is None or span.left_on > on)


def threshold_met(count: int, *, threshold: int = 100, at_least: bool = True) -> bool:
    """ "Au moins 100 membres" (at_least) or "plus de 100 membres" (not at_least): the seeds disagree."""
    return count >= threshold if at_least else count > threshold


def threshold_result(
    count: int, *, threshold: int = 100, at_least: bool = True, count_structures: bool = True
) -> ThresholdResult:
    return ThresholdResult(
        count=count,
        threshold=threshold,
        at_least=at_least,
        count_structures=count_structures,
        met=threshold_met(count, threshold=threshold, at_least=at_least),
    )


def percentage(part: int, whole: int) -> Decimal:
    if not whole:
        return Decimal("0.0")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def counts_by_category(
    spans: Iterable[MemberSpan], on: dt.date, categories: Sequence[tuple[str, str]]
) -> list[CategoryCount]:
    """The health project's table: per category, members present, in governance, who took part in writing.

    Every category of ``categories`` (code, label) has a row, in that order, even when nobody is in it.
    """
    present = [s for s in spans if is_present(s, on)]
    total = len(present)
    rows = []
    for code, label in categories:
        in_category = [s for s in present if s.category == code]
        rows.append(
            CategoryCount(
                code=code,
                label=label,
                joined=len(in_category),
                in_governance=sum(1 for s in in_category if s.in_governance),
                took_part_in_writing=sum(1 for s in in_category if s.took_part_in_writing),
                share=percentage(len(in_category), total),
            )
        )
    return rows


# Signatures of the health project (issue 16, point 2): the region says whether every member or a quorum signs.
RULE_ALL = "all"
RULE_QUORUM = "quorum"


def signatures_needed(total: int, *, rule: str, percent: Decimal | int | None = None) -> int:
    """How many signatures a version needs before its deposit: every member (``rule`` "all"), or at least
    ``percent`` % of them, rounded up (``rule`` "quorum": 50 % of 7 members is 4). Never less than one signature."""
    if total < 0:
        raise ValueError("total must not be negative")
    if rule == RULE_ALL:
        return max(total, 1)
    if rule == RULE_QUORUM:
        if percent is None or not (0 < Decimal(percent) <= 100):
            raise ValueError("a quorum is a percentage in ]0, 100]")
        needed = (Decimal(total) * Decimal(percent) / 100).to_integral_value(rounding=ROUND_CEILING)
        return max(int(needed), 1)
    raise ValueError(f"unknown signature rule: {rule!r}")


def quorum_met(signed_count: int, total: int, *, rule: str, percent: Decimal | int | None = None) -> bool:
    """Whether ``signed_count`` signatures out of ``total`` members are enough (``signatures_needed``); with nobody
    to sign, never."""
    if total <= 0:
        return False
    return signed_count >= signatures_needed(total, rule=rule, percent=percent)
