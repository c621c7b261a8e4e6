"""Pure calculations of the diagnostics app: taille from population in words, aggregation of indicators, overlaps.

No ORM and no clock here: callers pass plain values, so every rule is testable with a table of cases.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from cpts_portal.formatting import format_number
from cpts_portal.tailles import PopulationBand, taille_for_population

# ---------------------------------------------------------------------------------------------------------------
# Size ("taille") from population, in words
#
# The bands come in as data (the funding scale in force: see ``selectors.size_bands_in_force``) and the taille
# is found by the one rule, ``cpts_portal.tailles``; nothing here knows a threshold. The texts say "entre 40 et
# 80 000" and "entre 80 et 175 000": the scale's inclusive bounds settle it (80 000 and 175 000 exactly are
# taille 3 in the shipped scales), and every page that shows a taille says so.
# ---------------------------------------------------------------------------------------------------------------


def size_from_population(population: int, bands: Sequence[PopulationBand]) -> int | None:
    """The taille of ``population`` under the bands; None without bands (no scale in force) or outside them."""
    if population < 0:
        raise ValueError("population must be positive")
    return taille_for_population(bands, population)


def _n(value: int) -> str:
    return format_number(value)


def _zeros(value: int) -> int:
    """Trailing zeros: 175 000 -> 3, 175 001 -> 0 (the rounder side of a frontier is the bound the texts name)."""
    count = 0
    while value and value % 10 == 0:
        value //= 10
        count += 1
    return count


def _frontiers(bands: Sequence[PopulationBand]) -> set[int]:
    """The bounds the texts name between two neighbouring tailles: of 79 999 | 80 000 the round one, 80 000; of
    175 000 | 175 001, 175 000. A population equal to one of them gets its taille explained "exactement"."""
    ordered = sorted(bands, key=lambda b: b.taille)
    named = set()
    for lower, upper in zip(ordered, ordered[1:], strict=False):
        if lower.population_max is None:
            continue
        named.add(
            lower.population_max
            if _zeros(lower.population_max) >= _zeros(upper.population_min)
            else upper.population_min
        )
    return named


def size_bands(bands: Sequence[PopulationBand]) -> list[tuple[int, str]]:
    """Each taille with its bounds in words, e.g. (3, "de 80 000 à 175 000 habitants inclus"): the first band
    "moins de", the last "plus de", and "inclus" where a band's maximum is a bound the texts name."""
    ordered = sorted(bands, key=lambda b: b.taille)
    frontiers = _frontiers(ordered)
    words = []
    for band in ordered:
        low, high = band.population_min, band.population_max
        if high is None:
            text = _("plus de %(b)s habitants") % {"b": _n(low - 1)} if low > 0 else _("toute population")
        elif low <= 0:
            text = _("moins de %(b)s habitants") % {"b": _n(high + 1)}
        elif high in frontiers:
            text = _("de %(a)s à %(b)s habitants inclus") % {"a": _n(low), "b": _n(high)}
        else:
            text = _("de %(a)s à %(b)s habitants") % {"a": _n(low), "b": _n(high)}
        words.append((band.taille, text))
    return words


def size_bounds_note(bands: Sequence[PopulationBand]) -> str:
    """The choice the texts leave open, in words: "80 000 et 175 000 habitants exactement relèvent de la taille
    3." for a band that holds both named bounds around it (empty when no band does)."""
    frontiers = _frontiers(bands)
    notes = []
    for band in sorted(bands, key=lambda b: b.taille):
        if band.population_min in frontiers and band.population_max in frontiers:
            notes.append(
                _("%(a)s et %(b)s habitants exactement relèvent de la taille %(s)d.")
                % {"a": _n(band.population_min), "b": _n(band.population_max), "s": band.taille}
            )
    return " ".join(notes)


def size_explanation(population: int, bands: Sequence[PopulationBand]) -> str:
    """Why this population gives this taille, naming the bound when the population sits on one.

    With the shipped scale, 80 000 -> "80 000 habitants exactement : taille 3 (de 80 000 à 175 000 habitants
    inclus)". Empty when the bands give no taille.
    """
    size = size_from_population(population, bands)
    if size is None:
        return ""
    band = dict(size_bands(bands))[size]
    if population in _frontiers(bands):
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
