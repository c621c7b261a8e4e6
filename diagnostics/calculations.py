"""Pure calculations of the diagnostics app: size from population, aggregation of indicators, overlaps.

No ORM and no clock here: callers pass plain values, so every rule is testable with a table of cases.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

# ---------------------------------------------------------------------------------------------------------------
# Size ("taille") from population
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SizeBounds:
    """The population bounds of the ACI sizes.

    ``taille 1`` below ``lower_2``; ``taille 2`` from ``lower_2`` to below ``lower_3``; ``taille 3`` from
    ``lower_3`` to ``upper_3`` *inclusive*; ``taille 4`` above ``upper_3``. The texts say "entre 40 et 80 000"
    and "entre 80 et 175 000": 80 000 exactly and 175 000 exactly are both taille 3 (a choice, stated on
    every page that shows a size). The funding scale may carry its own bounds and pass them here.
    """

    lower_2: int = 40_000
    lower_3: int = 80_000
    upper_3: int = 175_000


ACI_SIZE_BOUNDS = SizeBounds()


def size_from_population(population: int, bounds: SizeBounds = ACI_SIZE_BOUNDS) -> int:
    if population < 0:
        raise ValueError("population must be positive")
    if population < bounds.lower_2:
        return 1
    if population < bounds.lower_3:
        return 2
    if population <= bounds.upper_3:
        return 3
    return 4


def _n(value: int) -> str:
    return number_format(value, force_grouping=True)


def size_bands(bounds: SizeBounds = ACI_SIZE_BOUNDS) -> list[tuple[int, str]]:
    """Each size with its bounds in words, e.g. (3, "de 80 000 à 175 000 habitants inclus")."""
    return [
        (1, _("moins de %(b)s habitants") % {"b": _n(bounds.lower_2)}),
        (
            2,
            _("de %(a)s à %(b)s habitants") % {"a": _n(bounds.lower_2), "b": _n(bounds.lower_3 - 1)},
        ),
        (
            3,
            _("de %(a)s à %(b)s habitants inclus") % {"a": _n(bounds.lower_3), "b": _n(bounds.upper_3)},
        ),
        (4, _("plus de %(b)s habitants") % {"b": _n(bounds.upper_3)}),
    ]


def size_explanation(population: int, bounds: SizeBounds = ACI_SIZE_BOUNDS) -> str:
    """Why this population gives this size, naming the bound when the population sits on one.

    ``size_explanation(80_000)`` -> "80 000 habitants exactement : taille 3 (de 80 000 à 175 000 habitants
    inclus)".
    """
    size = size_from_population(population, bounds)
    band = dict(size_bands(bounds))[size]
    if population in (bounds.lower_2, bounds.lower_3, bounds.upper_3):
        return _("%(p)s habitants exactement : taille %(s)d (%(band)s)") % {
            "p": _n(population),
            "s": size,
            "band": band,
        }
    return _("%(p)s habitants : taille %(s)d (%(band)s)") % {"p": _n(population), "s": size, "band": band}


# ---------------------------------------------------------------------------------------------------------------
# Population of a territory
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PopulationPart:
    """One commune of a territory as the calculation sees it."""

    commune_population: int | None
    is_partial: bool = False
    declared_population: int | None = None

    @property
    def counted(self) -> int | None:
        """The inhabitants this entry brings: the declared figure for a part, the commune's for a whole one."""
        return self.declared_population if self.is_partial else self.commune_population

    @property
    def share(self) -> Decimal | None:
        """The fraction of the commune's inhabitants covered (1 for a whole commune)."""
        if not self.is_partial:
            return Decimal(1)
        if not self.commune_population or self.declared_population is None:
            return None
        return min(Decimal(1), Decimal(self.declared_population) / Decimal(self.commune_population))


@dataclass(frozen=True)
class PopulationTotal:
    total: int
    unknown_count: int  # entries whose population is unknown (not counted in ``total``)
    declared_total: int  # the part of ``total`` declared by the coordinator (communes "en partie")


def population_total(parts: Iterable[PopulationPart]) -> PopulationTotal:
    total = unknown = declared = 0
    for part in parts:
        counted = part.counted
        if counted is None:
            unknown += 1
            continue
        total += counted
        if part.is_partial:
            declared += counted
    return PopulationTotal(total=total, unknown_count=unknown, declared_total=declared)


# ---------------------------------------------------------------------------------------------------------------
# Aggregation of indicators over communes
# ---------------------------------------------------------------------------------------------------------------

PER_INHABITANTS = 10_000


@dataclass(frozen=True)
class CommuneValue:
    """One commune's value of an indicator, with the population it stands for and the share covered."""

    value: Decimal
    population: int | None
    share: Decimal = Decimal(1)


@dataclass(frozen=True)
class Aggregate:
    value: Decimal | None  # the sum, or the population-weighted mean
    population: int  # inhabitants of the communes that have a value (weights)
    count: int  # communes that have a value
    rate: Decimal | None = None  # for sums: value per PER_INHABITANTS inhabitants (comparable between levels)


def aggregate_sum(values: Sequence[CommuneValue]) -> Aggregate:
    """Sum of the values; a commune included in part counts for its share of inhabitants."""
    if not values:
        return Aggregate(None, 0, 0)
    total = sum((v.value * v.share for v in values), Decimal(0))
    population = sum(int((v.population or 0) * v.share) for v in values)
    return Aggregate(total, population, len(values), per_inhabitants(total, population))


def aggregate_weighted_mean(values: Sequence[CommuneValue]) -> Aggregate:
    """Mean of the values weighted by the inhabitants each commune (or part) brings.

    Communes with an unknown population weigh nothing; when no commune has a population the plain mean is
    returned, so a value is never hidden for want of weights.
    """
    if not values:
        return Aggregate(None, 0, 0)
    weights = [Decimal(v.population or 0) * v.share for v in values]
    weight_total = sum(weights, Decimal(0))
    if weight_total == 0:
        mean = sum((v.value for v in values), Decimal(0)) / len(values)
    else:
        mean = sum((v.value * w for v, w in zip(values, weights, strict=True)), Decimal(0)) / weight_total
    return Aggregate(mean, int(weight_total), len(values))


def aggregate_from_sums(
    aggregation: str, *, value_sum: Decimal | None, weighted_sum: Decimal | None, population: int | None, count: int
) -> Aggregate:
    """The same aggregates from sums computed by the database (département, région, France)."""
    population = int(population or 0)
    if not count or value_sum is None:
        return Aggregate(None, population, 0)
    if aggregation == "sum":
        return Aggregate(Decimal(value_sum), population, count, per_inhabitants(Decimal(value_sum), population))
    if population and weighted_sum is not None:
        return Aggregate(Decimal(weighted_sum) / population, population, count)
    return Aggregate(Decimal(value_sum) / count, population, count)


def per_inhabitants(total: Decimal, population: int) -> Decimal | None:
    if not population:
        return None
    return total * PER_INHABITANTS / population


# ---------------------------------------------------------------------------------------------------------------
# Overlaps between territories
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """A commune claimed by a territory: its id, its parent commune (for an arrondissement) and whether in part."""

    commune_id: int
    parent_id: int | None
    is_partial: bool


def overlap_kind(mine: Claim, theirs: Claim) -> str | None:
    """``"conflict"``, ``"shared"`` (parts of one commune, information only) or ``None`` (no overlap).

    Same commune: a conflict when either side takes it whole. A city and one of its arrondissements
    (Paris, Lyon, Marseille): a conflict when the side holding the city takes it whole, since the whole city
    contains the arrondissement; otherwise the parts may be disjoint, which is information.
    """
    if mine.commune_id == theirs.commune_id:
        return "shared" if mine.is_partial and theirs.is_partial else "conflict"
    if theirs.parent_id is not None and theirs.parent_id == mine.commune_id:
        return "shared" if mine.is_partial else "conflict"
    if mine.parent_id is not None and mine.parent_id == theirs.commune_id:
        return "shared" if theirs.is_partial else "conflict"
    return None
