"""Population -> taille: the one rule, over the population bands of a funding scale (pure, no Django).

The bands are data (``funding.ScaleSize`` rows, versioned with their scale, or the calculator's ``SizeBand``);
whoever holds them applies this rule, so no threshold is written in code. It sits in the lowest layer because
diagnostics (the territory pages) and funding (the calculator, the scale) both apply it, and funding's
calculator imports nothing but pure helpers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar


class PopulationBand(Protocol):
    """A taille's population bounds, inclusive (``population_max`` None: no upper bound)."""

    @property
    def taille(self) -> int: ...

    @property
    def population_min(self) -> int: ...

    @property
    def population_max(self) -> int | None: ...


Band = TypeVar("Band", bound=PopulationBand)


def band_for_population(bands: Iterable[Band], population: int) -> Band | None:
    """The band whose bounds contain ``population`` (the smallest taille when bands overlap), or None."""
    for band in sorted(bands, key=lambda b: b.taille):
        if population >= band.population_min and (band.population_max is None or population <= band.population_max):
            return band
    return None


def taille_for_population(bands: Iterable[PopulationBand], population: int) -> int | None:
    """The taille of a population under these bands; None when no band covers it (or there are no bands)."""
    band = band_for_population(bands, population)
    return band.taille if band is not None else None
