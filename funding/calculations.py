"""ACI funding, computed exactly: pure functions over dataclasses and Decimals.

No ORM, no clock, no float: the scale and every date come in as arguments, so the same inputs always give
the same plan, a test needs no database, and an old contract is recomputed on the scale it was signed under.
Every amount is a ``Decimal`` in euros rounded to the cent (half up), and every line says which line of which
scale it comes from, so that the interface can explain it.

Design choices that the seeds do not settle are made here, once, and named in ``DESIGN_NOTES`` so that the
interface shows them:
- a mission that starts during a contract year gets its fixed part for that year prorated to the anniversary
  (days left / days in the contract year); the advance is 75 % of that prorated amount; the variable part of
  that year is not prorated (it follows the achievement of that year's targets);
- payments due at an anniversary are due at the latest two months after it; the crisis payment within the month
  after the crisis is identified;
- the additional operating allowance applies when the contract is signed strictly before the scale's cut-off;
- an indicator's achievement is clamp((value - baseline) / (target - baseline), 0, 1), which serves increasing
  and decreasing indicators alike; a done/not-done action indicator counts 0 or 1; weights default to equal.
"""

from __future__ import annotations

import datetime as dt
from bisect import insort
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cached_property
from typing import Any, NamedTuple

from cpts_portal.dates import add_months
from cpts_portal.formatting import format_euros as euros
from cpts_portal.tailles import band_for_population

CENT = Decimal("0.01")
ZERO = Decimal("0")
ONE = Decimal("1")
CONTRACT_YEARS = 5
ADVANCE_SHARE = Decimal("0.75")
ANNIVERSARY_GRACE_MONTHS = 2
CRISIS_GRACE_MONTHS = 1
CRISIS_COVER_MONTHS = 12
TAILLES = (1, 2, 3, 4)

# Kinds of yearly lines, in the order of the yearly table.
OPERATION = "operation"
ADDITIONAL_OPERATION = "additional_operation"
FIXED = "fixed"
VARIABLE = "variable"
CRISIS = "crisis"
INCREASE = "increase"
LINE_KINDS = (OPERATION, ADDITIONAL_OPERATION, FIXED, VARIABLE, CRISIS, INCREASE)
LINE_KIND_LABELS = {
    OPERATION: "Fonctionnement",
    ADDITIONAL_OPERATION: "Fonctionnement additionnel",
    FIXED: "Missions, volet fixe",
    VARIABLE: "Missions, volet variable",
    CRISIS: "Crise sanitaire grave",
    INCREASE: "Majoration taille 4++",
}

# Kinds of payments.
PAY_OPERATION = "operation"
PAY_ADVANCE = "advance"
PAY_BALANCE = "balance"
PAY_VARIABLE = "variable"
PAY_CRISIS = "crisis"

# Taille 4++ rule: comparison, what counts as a member, what the increase applies to.
AT_LEAST = "at_least"
MORE_THAN = "more_than"
COUNT_MEMBERS = "members"
COUNT_PROFESSIONALS = "professionals"
APPLIES_YEAR_TOTAL = "year_total"
APPLIES_EXCEPT_ADDITIONAL = "except_additional"
APPLIES_MISSIONS = "missions"
INCREASE_BASES = {
    APPLIES_YEAR_TOTAL: frozenset({OPERATION, ADDITIONAL_OPERATION, FIXED, VARIABLE, CRISIS}),
    APPLIES_EXCEPT_ADDITIONAL: frozenset({OPERATION, FIXED, VARIABLE, CRISIS}),
    APPLIES_MISSIONS: frozenset({FIXED, VARIABLE, CRISIS}),
}
INCREASE_BASE_LABELS = {
    APPLIES_YEAR_TOTAL: "montant annuel total, fonctionnement compris",
    APPLIES_EXCEPT_ADDITIONAL: "montant annuel hors fonctionnement additionnel",
    APPLIES_MISSIONS: "missions socles et optionnelles seulement",
}

# Indicators.
ACTION = "action"
RESULT = "result"
INCREASING = "increasing"
DECREASING = "decreasing"

DESIGN_NOTES = (
    "Taille : moins de 40 000 habitants = 1 ; de 40 000 à moins de 80 000 = 2 ; de 80 000 à 175 000 inclus = 3 ; "
    "plus de 175 000 = 4 (bornes fixées par le barème).",
    "Choix de conception : une mission qui démarre en cours d'année contractuelle reçoit son volet fixe de cette "
    "année au prorata des jours restant jusqu'à la date anniversaire ; l'avance de 75 % porte sur ce montant "
    "proratisé. Le volet variable n'est pas proratisé.",
    "Versements à la date anniversaire : au plus tard 2 mois après. Crise sanitaire grave : dans le mois qui suit "
    "son identification, une seule fois par période de 12 mois, et seulement si le plan de crise est rédigé.",
    "Taux d'atteinte d'un indicateur : (valeur − référence) / (cible − référence), borné entre 0 et 100 %, pour "
    "les indicateurs croissants comme décroissants ; un indicateur d'action réalisé / non réalisé vaut 0 ou 100 %.",
)


class FundingError(ValueError):
    """Input the calculator refuses; ``messages`` are French sentences for the person who typed it."""

    def __init__(self, messages: str | Iterable[str]):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__(" ".join(self.messages))


# --------------------------------------------------------------------------------------------------------------
# The scale, as data handed in by the caller (built from the database by funding.selectors).


@dataclass(frozen=True)
class SizeBand:
    """One taille of a scale: the population it covers (inclusive bounds) and its flat amounts."""

    taille: int
    population_min: int
    population_max: int | None
    operation: Decimal
    additional_operation: Decimal = ZERO
    accompaniment: Decimal = ZERO


@dataclass(frozen=True)
class MissionAmounts:
    """A mission's yearly amounts for one taille.

    ``fixed_following`` is set when the fixed part differs after the first year of the mission (mission 4: writing
    the crisis plan, then updating it). For a mission paid on crisis, ``variable`` is the crisis payment.
    """

    fixed: Decimal
    variable: Decimal
    fixed_following: Decimal | None = None


@dataclass(frozen=True)
class MissionScale:
    code: str
    label: str
    is_core: bool
    amounts: Mapping[int, MissionAmounts]
    variable_on_crisis: bool = False
    split_published: bool = True


@dataclass(frozen=True)
class IncreaseRule:
    """The "taille 4++" increase; defaults as funding.md says (the worked example's reading)."""

    rate: Decimal = Decimal("0.10")
    min_taille: int = 4
    threshold: int = 100
    comparison: str = AT_LEAST
    counts: str = COUNT_MEMBERS
    applies_to: str = APPLIES_YEAR_TOTAL


@dataclass(frozen=True)
class Scale:
    code: str
    name: str
    effective_from: dt.date
    sizes: tuple[SizeBand, ...]
    missions: tuple[MissionScale, ...]
    increase: IncreaseRule = field(default_factory=IncreaseRule)
    additional_operation_until: dt.date | None = None
    # The day the next scale took over, when there is one: a contract signed from then on uses the next one.
    valid_until: dt.date | None = None

    def size(self, taille: int) -> SizeBand:
        for band in self.sizes:
            if band.taille == taille:
                return band
        raise FundingError(f"Le barème « {self.name} » ne définit pas de taille {taille}.")

    def mission(self, code: str) -> MissionScale | None:
        return self._missions_by_code.get(code)

    def engaged_mission(self, code: str) -> MissionScale:
        """The mission of a code that ``validate`` accepted (an unknown code is refused there)."""
        mission = self.mission(code)
        if mission is None:
            raise FundingError(f"Mission inconnue dans le barème « {self.name} » : {code}.")
        return mission

    @property
    def core_codes(self) -> tuple[str, ...]:
        return tuple(m.code for m in self.missions if m.is_core)

    # Kept with this scale object (frozen data) from their first use; a copy (``with_validity``) starts afresh.
    @cached_property
    def _missions_by_code(self) -> dict[str, MissionScale]:
        by_code: dict[str, MissionScale] = {}
        for mission in self.missions:
            by_code.setdefault(mission.code, mission)
        return by_code

    @cached_property
    def _tariffs(self) -> dict[tuple[int, bool], _Tariff]:
        """Per (taille, increase applies): what every plan on this scale shares (see ``calculate``)."""
        return {}


# --------------------------------------------------------------------------------------------------------------
# Inputs.


@dataclass(frozen=True)
class Crisis:
    """A serious health crisis identified (by the ministry, the ARS or the prefecture) on a date."""

    identified_on: dt.date
    plan_written: bool = True


@dataclass(frozen=True)
class FundingInput:
    missions: tuple[str, ...]
    signed_on: dt.date
    taille: int | None = None
    population: int | None = None
    members: int = 0
    # Health professionals among the members, when the scale counts only them for taille 4++ (None: same as members).
    professional_members: int | None = None
    default_achievement: Decimal = ONE
    # (contract year, mission code) -> achievement rate between 0 and 1; overrides default_achievement.
    achievement: Mapping[tuple[int, str], Decimal] = field(default_factory=dict)
    crises: tuple[Crisis, ...] = ()
    # mission code -> date the mission starts, when later than the signature.
    mission_starts: Mapping[str, dt.date] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------------------------
# Outputs.
#
# Lines, payments and years are named tuples: immutable like the frozen dataclasses they were, and about ten times
# cheaper to build (a plan holds ~110 of them). Their explanations are written when they are read, not when the plan
# is computed: ``detail`` holds either the text or ``(formatter, *arguments)``, and ``explanation`` formats it.

# The explanation of a line or a payment: its text, or (a formatter, its arguments), formatted when read.
Detail = str | tuple[Any, ...]


def explain(detail: Detail) -> str:
    """The text of an explanation (see ``Detail``)."""
    if isinstance(detail, str):
        return detail
    return detail[0](*detail[1:])


class Line(NamedTuple):
    """One labelled amount of one contract year."""

    year: int
    kind: str
    label: str
    scale_line: str
    amount: Decimal
    mission: str | None = None
    detail: Detail = ""

    @property
    def explanation(self) -> str:
        return explain(self.detail)


class YearResult(NamedTuple):
    year: int
    start: dt.date
    end: dt.date
    lines: tuple[Line, ...]

    def amount(self, kind: str) -> Decimal:
        return sum((line.amount for line in self.lines if line.kind == kind), ZERO)

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def operation(self) -> Decimal:
        return self.amount(OPERATION)

    @property
    def additional_operation(self) -> Decimal:
        return self.amount(ADDITIONAL_OPERATION)

    @property
    def fixed(self) -> Decimal:
        return self.amount(FIXED)

    @property
    def variable(self) -> Decimal:
        return self.amount(VARIABLE)

    @property
    def crisis(self) -> Decimal:
        return self.amount(CRISIS)

    @property
    def increase(self) -> Decimal:
        return self.amount(INCREASE)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    def mission_amount(self, code: str, kind: str) -> Decimal:
        return sum((line.amount for line in self.lines if line.mission == code and line.kind == kind), ZERO)


class Payment(NamedTuple):
    """One payment: when it is due, the latest date it may arrive, what it pays (increase share included)."""

    due_on: dt.date
    latest_on: dt.date
    year: int
    kind: str
    label: str
    amount: Decimal
    mission: str | None = None
    increase: Decimal = ZERO
    detail: Detail = ""

    @property
    def explanation(self) -> str:
        return explain(self.detail)


class FundingPlan(NamedTuple):
    scale_code: str
    scale_name: str
    taille: int
    population: int | None
    members: int
    increase_applies: bool
    missions: tuple[str, ...]
    signed_on: dt.date
    # The taille 4++ rate and the kinds of lines it applies to (0 and empty when it does not apply).
    increase_rate: Decimal
    increase_kinds: frozenset[str]
    years: tuple[YearResult, ...]
    payments: tuple[Payment, ...]
    notes: tuple[str, ...]

    def amount(self, kind: str) -> Decimal:
        return sum((year.amount(kind) for year in self.years), ZERO)

    @property
    def total(self) -> Decimal:
        return sum((year.total for year in self.years), ZERO)

    def year(self, number: int) -> YearResult:
        return self.years[number - 1]

    def increase_share(self, line: Line) -> Decimal:
        """The taille 4++ increase a line brings (the year's increase line is the sum of these)."""
        return money(line.amount * self.increase_rate) if line.kind in self.increase_kinds else ZERO


# Small helpers.


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def percent(rate: Decimal) -> str:
    value = (rate * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
    text = f"{value:f}".replace(".", ",")
    return f"{text}\u00a0%"


def french_date(day: dt.date) -> str:
    return f"{day.day:02}/{day.month:02}/{day.year}"  # as strftime("%d/%m/%Y"), three times faster


def add_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


def contract_year_bounds(signed_on: dt.date, year: int) -> tuple[dt.date, dt.date]:
    """First day of contract year ``year`` and its anniversary (the first day of the next one)."""
    return add_years(signed_on, year - 1), add_years(signed_on, year)


def crises_in_years(signed_on: dt.date, years: Iterable[int]) -> tuple[Crisis, ...]:
    """A crisis identified on the first day of each listed contract year, plan written (the command line's input)."""
    crises = []
    for year in years:
        if year not in range(1, CONTRACT_YEARS + 1):
            raise FundingError(f"Année de crise {year} : le contrat compte 5 années (1 à 5).")
        crises.append(Crisis(contract_year_bounds(signed_on, year)[0]))
    return tuple(crises)


def contract_year_of(signed_on: dt.date, day: dt.date) -> int | None:
    for year in range(1, CONTRACT_YEARS + 1):
        start, end = contract_year_bounds(signed_on, year)
        if start <= day < end:
            return year
    return None


def to_decimal(value, *, what: str) -> Decimal:
    """Parse a rate or an amount typed by a person; refuse anything that is not a finite decimal."""
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int | str):
        try:
            result = Decimal(str(value).strip().replace(",", "."))
        except InvalidOperation:
            raise FundingError(f"{what} : « {value} » n'est pas un nombre.") from None
    else:
        raise FundingError(f"{what} : utilisez un nombre décimal exact.")
    if not result.is_finite():
        raise FundingError(f"{what} : « {value} » n'est pas un nombre.")
    return result


# --------------------------------------------------------------------------------------------------------------
# Taille and scale (the population -> taille rule itself is cpts_portal.tailles.band_for_population).


def taille_for_population(scale: Scale, population: int) -> int:
    """The taille whose population band contains ``population`` (bounds are data on the scale)."""
    if isinstance(population, bool) or not isinstance(population, int) or population <= 0:
        raise FundingError("La population doit être un nombre entier d'habitants supérieur à zéro.")
    if (band := band_for_population(scale.sizes, population)) is not None:
        return band.taille
    raise FundingError(f"Aucune taille du barème « {scale.name} » ne couvre une population de {population} habitants.")


def scale_in_force(scales: Sequence[Scale], on: dt.date) -> Scale:
    """The scale in force on a date: the latest that started on or before it."""
    candidates = [s for s in scales if s.effective_from <= on]
    if not candidates:
        raise FundingError(f"Aucun barème ACI n'est en vigueur au {french_date(on)}.")
    return max(candidates, key=lambda s: s.effective_from)


def with_validity(scales: Sequence[Scale]) -> tuple[Scale, ...]:
    """The scales with ``valid_until`` set from the next one's start, oldest first."""
    ordered = sorted(scales, key=lambda s: s.effective_from)
    result = []
    for index, scale in enumerate(ordered):
        following = ordered[index + 1].effective_from if index + 1 < len(ordered) else None
        result.append(scale if scale.valid_until == following else _replace(scale, valid_until=following))
    return tuple(result)


def choose_scale(scales: Sequence[Scale], signed_on: dt.date, code: str | None = None) -> Scale:
    """The scale named by ``code`` if it is in force at the signature date, else the one in force then."""
    scales = with_validity(scales)
    in_force = scale_in_force(scales, signed_on)
    if not code:
        return in_force
    for scale in scales:
        if scale.code == code:
            if scale.code != in_force.code:
                raise FundingError(
                    f"Le barème « {scale.name} » n'est pas en vigueur au {french_date(signed_on)} : "
                    f"le barème en vigueur à cette date est « {in_force.name} »."
                )
            return scale
    known = ", ".join(s.code for s in scales)
    raise FundingError(f"Barème inconnu : « {code} » (barèmes connus : {known}).")


def _replace(scale: Scale, **changes) -> Scale:
    return replace(scale, **changes)


# --------------------------------------------------------------------------------------------------------------
# Achievement from funding indicators.


@dataclass(frozen=True)
class FundingIndicator:
    """A funding indicator of one mission in the contract.

    ``binary`` marks a done/not-done action indicator (its ``done`` per year); otherwise the measured ``values``
    are compared to the ``baseline`` and the yearly (possibly progressive) ``targets``. ``weights`` per contract
    year; a year without a weight counts 1 (equal weights by default), a weight of 0 leaves the indicator out.
    """

    name: str
    kind: str = RESULT
    direction: str = INCREASING
    binary: bool = False
    baseline: Decimal | None = None
    targets: Mapping[int, Decimal] = field(default_factory=dict)
    values: Mapping[int, Decimal] = field(default_factory=dict)
    done: Mapping[int, bool] = field(default_factory=dict)
    weights: Mapping[int, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class IndicatorRate:
    name: str
    rate: Decimal
    weight: Decimal
    explanation: str


@dataclass(frozen=True)
class Achievement:
    rate: Decimal
    details: tuple[IndicatorRate, ...]


def clamp(value: Decimal, low: Decimal = ZERO, high: Decimal = ONE) -> Decimal:
    return max(low, min(high, value))


def indicator_rate(indicator: FundingIndicator, year: int) -> IndicatorRate:
    """One indicator's achievement in one contract year, between 0 and 1, with how it was obtained."""
    weight = indicator.weights.get(year, ONE)
    if weight < 0:
        raise FundingError(f"Indicateur « {indicator.name} » : un poids ne peut pas être négatif.")
    if indicator.binary:
        done = bool(indicator.done.get(year, False))
        return IndicatorRate(
            indicator.name, ONE if done else ZERO, weight, "action réalisée" if done else "action non réalisée"
        )
    target = indicator.targets.get(year)
    if indicator.baseline is None or target is None:
        raise FundingError(f"Indicateur « {indicator.name} » : valeur de référence ou cible de l'année {year} absente.")
    baseline = indicator.baseline
    if indicator.direction == INCREASING and target < baseline:
        raise FundingError(
            f"Indicateur croissant « {indicator.name} » : la cible ne peut pas être inférieure à la valeur de "
            "référence."
        )
    if indicator.direction == DECREASING and target > baseline:
        raise FundingError(
            f"Indicateur décroissant « {indicator.name} » : la cible ne peut pas être supérieure à la valeur de "
            "référence."
        )
    value = indicator.values.get(year)
    if value is None:
        return IndicatorRate(indicator.name, ZERO, weight, "valeur non mesurée : 0 %")
    if target == baseline:
        return _maintenance_rate(indicator, weight, value, target)
    rate = clamp((value - baseline) / (target - baseline))
    return IndicatorRate(
        indicator.name, rate, weight, f"({value} − {baseline}) / ({target} − {baseline}) → {percent(rate)}"
    )


def _maintenance_rate(indicator: FundingIndicator, weight: Decimal, value: Decimal, target: Decimal) -> IndicatorRate:
    """A target equal to the baseline asks to maintain the level (issue 15; *design choice, not in the seeds*,
    stated to the CPTS when it sets such a target): 100 % when the level is kept, otherwise the share of the level
    kept (value / target when increasing, target / value when decreasing)."""
    increasing = indicator.direction == INCREASING
    if (value >= target) if increasing else (value <= target):
        explanation = f"niveau maintenu ({value} pour une cible de {target}) → 100 %"
        return IndicatorRate(indicator.name, ONE, weight, explanation)
    if increasing:
        rate = clamp(value / target) if target > 0 else ZERO
        shown = f"{value} / {target}"
    else:
        rate = clamp(target / value) if value > 0 else ZERO
        shown = f"{target} / {value}"
    return IndicatorRate(indicator.name, rate, weight, f"niveau non maintenu : {shown} → {percent(rate)}")


def mission_achievement(indicators: Sequence[FundingIndicator], year: int) -> Achievement:
    """Weighted achievement of a mission's funding indicators in one contract year."""
    details = tuple(indicator_rate(indicator, year) for indicator in indicators)
    weighted = [d for d in details if d.weight > 0]
    if not weighted:
        raise FundingError(f"Aucun indicateur de financement n'a de poids pour l'année {year}.")
    total_weight = sum((d.weight for d in weighted), ZERO)
    rate = sum((d.rate * d.weight for d in weighted), ZERO) / total_weight
    return Achievement(clamp(rate), details)


# --------------------------------------------------------------------------------------------------------------
# Validation.


def _mission_name(mission: MissionScale) -> str:
    return f"{mission.code} – {mission.label}"


def validate(scale: Scale, inp: FundingInput) -> int:
    """Check the input against the scale; return the taille. Raises FundingError with every problem found."""
    return _validate(scale, inp, _year_bounds(inp.signed_on) if isinstance(inp.signed_on, dt.date) else None)


def _validate(scale: Scale, inp: FundingInput, bounds: Sequence[dt.date] | None) -> int:
    """``validate`` on the contract years ``calculate`` computed once (None when the signature is not a date)."""
    errors: list[str] = []
    taille = inp.taille
    if taille is not None and inp.population is not None:
        errors.append("Indiquez la taille ou la population du territoire, pas les deux.")
    elif taille is None and inp.population is None:
        errors.append("Indiquez la taille de la CPTS ou la population de son territoire.")
    elif taille is not None:
        if isinstance(taille, bool) or not isinstance(taille, int) or taille not in TAILLES:
            errors.append("La taille doit être 1, 2, 3 ou 4.")
            taille = None
    elif inp.population is not None:
        try:
            taille = taille_for_population(scale, inp.population)
        except FundingError as exc:
            errors.extend(exc.messages)
            taille = None

    if not isinstance(inp.signed_on, dt.date):
        raise FundingError(errors + ["Indiquez la date de signature du contrat."])
    if inp.signed_on < scale.effective_from or (scale.valid_until and inp.signed_on >= scale.valid_until):
        errors.append(
            f"Le barème « {scale.name} » n'est pas en vigueur au {french_date(inp.signed_on)} "
            f"(il s'applique aux contrats signés à partir du {french_date(scale.effective_from)}"
            + (f" et avant le {french_date(scale.valid_until)}" if scale.valid_until else "")
            + ")."
        )

    for count, what in ((inp.members, "Le nombre de membres"), (inp.professional_members, "Le nombre de PS membres")):
        if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
            errors.append(f"{what} doit être un nombre entier positif ou nul.")
    if inp.professional_members is not None and inp.professional_members > inp.members:
        errors.append("Le nombre de professionnels de santé membres ne peut pas dépasser le nombre de membres.")

    codes = list(inp.missions)
    unknown = [c for c in codes if scale.mission(c) is None]
    if unknown:
        errors.append(f"Mission inconnue dans le barème « {scale.name} » : {', '.join(unknown)}.")
    if len(set(codes)) != len(codes):
        errors.append("Une mission est indiquée deux fois.")
    missing = [m for m in scale.missions if m.is_core and m.code not in codes]
    if missing:
        errors.append(
            "Le contrat doit engager toutes les missions socles ; il manque : "
            + ", ".join(_mission_name(m) for m in missing)
            + "."
        )

    contract_end = bounds[CONTRACT_YEARS] if bounds else None
    for rate in [inp.default_achievement, *inp.achievement.values()]:
        if not isinstance(rate, Decimal) or not rate.is_finite() or rate < 0 or rate > 1:
            errors.append(f"Le taux d'atteinte doit être compris entre 0 et 100 % (reçu : {rate}).")
    for year, code in inp.achievement:
        mission = scale.mission(code)
        if year not in range(1, CONTRACT_YEARS + 1):
            errors.append(f"Taux d'atteinte pour l'année {year} : le contrat compte 5 années.")
        if code not in codes:
            errors.append(f"Taux d'atteinte pour la mission {code}, qui n'est pas engagée.")
        elif mission and mission.variable_on_crisis:
            errors.append(
                f"La mission {_mission_name(mission)} n'a pas de taux d'atteinte : sa part variable est le "
                "versement en cas de crise sanitaire grave."
            )
    for code, start in inp.mission_starts.items():
        if code not in codes:
            errors.append(f"Date de démarrage pour la mission {code}, qui n'est pas engagée.")
        elif contract_end and not (inp.signed_on <= start < contract_end):
            errors.append(
                f"La mission {code} doit démarrer entre la signature ({french_date(inp.signed_on)}) et la fin du "
                f"contrat ({french_date(contract_end)})."
            )
    for crisis in inp.crises:
        if contract_end and not (inp.signed_on <= crisis.identified_on < contract_end):
            errors.append(
                f"La crise identifiée le {french_date(crisis.identified_on)} est en dehors des 5 années du contrat."
            )
    if inp.crises and not any((m := scale.mission(c)) and m.variable_on_crisis for c in codes):
        errors.append(f"Le barème « {scale.name} » ne prévoit pas de versement en cas de crise sanitaire grave.")
    if errors:
        raise FundingError(errors)
    assert taille is not None  # a missing or wrong taille added an error above
    return taille


# --------------------------------------------------------------------------------------------------------------
# The 5-year plan.
#
# What depends only on the scale, the taille and whether the taille 4++ increase applies (every amount rounded to
# the cent, its increase share, the 75 % advance and the balance of each fixed part, every label and the lines
# that do not change from one contract to another) is computed once per scale object, in a ``_Tariff`` kept on the
# scale; a plan then computes only what its own inputs change: its dates, a prorated first year, the variable parts
# at its achievement rates, its crises and the yearly increase. Explanations are formatted when read (``Detail``).
# The results are the very Decimals of the straightforward computation (same operands, same operations, same
# order of additions): funding/tests/reference_calculations.py keeps that computation, and the tests compare.

_new = tuple.__new__  # builds a named tuple from a tuple without the Python-level __new__ (what ``_make`` does)


def _increase_applies(scale: Scale, taille: int, inp: FundingInput) -> bool:
    rule = scale.increase
    if rule.rate <= 0 or taille < rule.min_taille:
        return False
    count = inp.members
    if rule.counts == COUNT_PROFESSIONALS and inp.professional_members is not None:
        count = inp.professional_members
    return count >= rule.threshold if rule.comparison == AT_LEAST else count > rule.threshold


def _year_bounds(signed_on: dt.date) -> list[dt.date]:
    """The first day of each contract year, then the contract's end: the 6 anniversaries, computed once per plan."""
    return [signed_on] + [add_months(signed_on, 12 * year) for year in range(1, CONTRACT_YEARS + 1)]


def _year_index(bounds: Sequence[dt.date], day: dt.date) -> int | None:
    """0 for the first contract year, ..., None outside the contract."""
    for index in range(CONTRACT_YEARS):
        if bounds[index] <= day < bounds[index + 1]:
            return index
    return None


# Explanations, formatted only when a page, a PDF or a budget line reads them.


def _explain_prorata(base: Decimal, days: int, year_days: int, start: dt.date, year_end: dt.date) -> str:
    return (
        f"{euros(base)} × {days}/{year_days} jours (démarrage le {french_date(start)}, prorata jusqu'à "
        f"l'anniversaire du {french_date(year_end)})"
    )


def _explain_variable(base: Decimal, rate: Decimal) -> str:
    return f"{euros(base)} × {percent(rate)} d'atteinte"


def _explain_additional(amount: Decimal, signed_on: dt.date) -> str:
    return f"{euros(amount)}, contrat signé le {french_date(signed_on)}"


def _explain_increase(rate: Decimal, base: Decimal) -> str:
    return f"{percent(rate)} × {euros(base)}"


def _explain_crisis(amount: Decimal, covered_until: dt.date) -> str:
    return f"{euros(amount)}, au titre des 12 mois à venir (jusqu'au {french_date(covered_until)})"


def _explain_advance(total: Decimal) -> str:
    return f"75 % × {euros(total)}"


def _explain_balance(total: Decimal, advance: Decimal) -> str:
    return f"{euros(total)} − avance {euros(advance)}"


# A payment's fields after its due and latest dates, (year, kind, label, amount, mission, increase, detail): the
# tariff holds these for every payment that does not depend on a plan's own inputs, a plan adds the two dates.
PaymentTail = tuple[Any, ...]


class _Fixed(NamedTuple):
    """A fixed part as one contract year pays it: its line, its increase share, its advance and its balance."""

    line: Line
    extra: Decimal
    advance: PaymentTail
    balance: PaymentTail


def _fixed(line: Line, extra: Decimal, advance_label: str, balance_label: str) -> _Fixed:
    """75 % of the fixed part (increase included) as an advance, the rest as the balance, each with its share."""
    total = line.amount + extra
    advance = money(total * ADVANCE_SHARE)
    advance_extra = money(extra * ADVANCE_SHARE)
    return _Fixed(
        line,
        extra,
        (line.year, PAY_ADVANCE, advance_label, advance, line.mission, advance_extra, (_explain_advance, total)),
        (
            line.year,
            PAY_BALANCE,
            balance_label,
            total - advance,
            line.mission,
            extra - advance_extra,
            (_explain_balance, total, advance),
        ),
    )


# A mission's fixed part per contract year: None before the mission starts, else the part and, when the mission
# starts during that year, the day it starts (its advance is paid then, not on the year's first day).
Schedule = tuple[tuple[_Fixed, dt.date | None] | None, ...]


@dataclass(frozen=True)
class _MissionTariff:
    """One mission of a scale for one taille (and one answer to "does the increase apply"), ready for every plan."""

    code: str
    # Its variable part follows an achievement rate (not the crisis payment, not a split the scale does not publish).
    has_variable: bool
    # Per contract year (index 0 = year 1): the fixed part of the mission's first year when it starts on that
    # year's first day, and of a following year.
    first: tuple[_Fixed, ...]
    following: tuple[_Fixed, ...]
    # What a first year prorated to the anniversary is made of.
    first_base: Decimal
    first_label: str
    first_scale_line: str
    advance_labels: tuple[str, ...]
    balance_labels: tuple[str, ...]
    # The variable part at 100 %, and per year the start of its line (year, kind, label, scale line) and of its
    # payment after the dates (year, kind, label); a plan adds the amount at its rate.
    variable: Decimal
    variable_lines: tuple[tuple[Any, ...], ...]
    variable_payments: tuple[tuple[Any, ...], ...]
    # Its fixed part per contract year when it starts at the signature (see ``Schedule``).
    standard: Schedule = ()
    # Mission paid on crisis: the payment, its increase share, its lines' scale line and the start of their label.
    crisis_amount: Decimal | None = None
    crisis_extra: Decimal = ZERO
    crisis_scale_line: str = ""
    crisis_label: str = ""


@dataclass(frozen=True)
class _Selection:
    """The engaged missions of a plan, in the scale's order."""

    codes: tuple[str, ...]
    missions: tuple[_MissionTariff, ...]
    # Scale order is also the order of the codes: the payments come out sorted, no sort needed (else: sorted).
    in_code_order: bool
    crisis: _MissionTariff | None
    notes: tuple[str, ...]


@dataclass(frozen=True)
class _Tariff:
    """What every plan on one scale, one taille and one answer to "does the increase apply" shares."""

    increase_rate: Decimal  # the rule's rate when the increase applies, else 0
    increase_kinds: frozenset[str]  # kinds of lines the increase applies to (empty when it does not apply)
    increase_scale_line: str
    operation_lines: tuple[Line, ...]  # per contract year
    operation_extra: Decimal
    operation_payments: tuple[PaymentTail, ...]  # per contract year
    # The additional operating allowance of a contract signed before ``additional_until`` (None: none for this taille).
    additional_until: dt.date | None
    additional: Decimal
    additional_base: Decimal
    additional_extra: Decimal
    additional_scale_line: str
    missions: dict[str, _MissionTariff]
    selections: dict[tuple[str, ...], _Selection] = field(default_factory=dict)


ADDITIONAL_LABEL = "Fonctionnement additionnel (1re année)"
OPERATION_LABEL = "Fonctionnement de la CPTS"
INCREASE_LABEL = "Majoration taille 4++"
_YEARS = tuple(range(1, CONTRACT_YEARS + 1))


def _tariff(scale: Scale, taille: int, increase_applies: bool) -> _Tariff:
    tariffs = scale._tariffs
    tariff = tariffs.get((taille, increase_applies))
    if tariff is None:
        tariff = tariffs[taille, increase_applies] = _build_tariff(scale, taille, increase_applies)
    return tariff


def _build_tariff(scale: Scale, taille: int, increase_applies: bool) -> _Tariff:
    size = scale.size(taille)
    rule = scale.increase
    kinds = INCREASE_BASES[rule.applies_to] if increase_applies else frozenset()

    def share(kind: str, amount: Decimal) -> Decimal:
        return money(amount * rule.rate) if kind in kinds else ZERO

    operation = money(size.operation)
    operation_scale_line = f"{scale.name} – fonctionnement, taille {taille}"
    operation_extra = share(OPERATION, operation)
    additional_until = None
    additional_scale_line = ""
    if scale.additional_operation_until and size.additional_operation:
        additional_until = scale.additional_operation_until
        additional_scale_line = (
            f"{scale.name} – fonctionnement additionnel si signature avant le "
            f"{french_date(scale.additional_operation_until)}, taille {taille}"
        )
    increase_scale_line = ""
    if increase_applies:
        increase_scale_line = (
            f"{scale.name} – majoration de {percent(rule.rate)} (taille {rule.min_taille}, "
            f"{'au moins' if rule.comparison == AT_LEAST else 'plus de'} {rule.threshold} "
            f"{'membres' if rule.counts == COUNT_MEMBERS else 'professionnels de santé membres'}), "
            f"sur le {INCREASE_BASE_LABELS[rule.applies_to]}"
        )
    return _Tariff(
        increase_rate=rule.rate if increase_applies else ZERO,
        increase_kinds=kinds,
        increase_scale_line=increase_scale_line,
        operation_lines=tuple(
            Line(year, OPERATION, OPERATION_LABEL, operation_scale_line, operation, None, (euros, size.operation))
            for year in _YEARS
        ),
        operation_extra=operation_extra,
        operation_payments=tuple(
            (
                year,
                PAY_OPERATION,
                f"{OPERATION_LABEL} – année {year}",
                operation + operation_extra,
                None,
                operation_extra,
                "versé en totalité à la signature" if year == 1 else "versé à la date anniversaire",
            )
            for year in _YEARS
        ),
        additional_until=additional_until,
        additional=money(size.additional_operation),
        additional_base=size.additional_operation,
        additional_extra=share(ADDITIONAL_OPERATION, money(size.additional_operation)),
        additional_scale_line=additional_scale_line,
        missions={m.code: _mission_tariff(scale, m, taille, share) for m in scale.missions if taille in m.amounts},
    )


def _mission_tariff(scale: Scale, mission: MissionScale, taille: int, share) -> _MissionTariff:
    code, label = mission.code, mission.label
    amounts = mission.amounts[taille]
    which = "volet fixe" if mission.split_published else "fixe et variable (répartition non publiée)"
    first_which = following_which = which
    following_base = amounts.fixed
    if amounts.fixed_following is not None:
        first_which = "volet fixe, année de rédaction du plan"
        following_base, following_which = amounts.fixed_following, "volet fixe, années suivantes (mise à jour du plan)"
    advance_labels = tuple(f"Mission {code} – avance de 75 % du volet fixe, année {year}" for year in _YEARS)
    balance_labels = tuple(f"Mission {code} – solde du volet fixe, année {year}" for year in _YEARS)

    def fixed_parts(base: Decimal, which: str) -> tuple[_Fixed, ...]:
        text = f"Mission {code} – {label} : {which}"
        scale_line = f"{scale.name} – mission {code} {label}, {which}, taille {taille}"
        amount = money(base)
        extra = share(FIXED, amount)
        return tuple(
            _fixed(
                Line(year, FIXED, text, scale_line, amount, code, (euros, base)),
                extra,
                advance_labels[year - 1],
                balance_labels[year - 1],
            )
            for year in _YEARS
        )

    first = fixed_parts(amounts.fixed, first_which)
    following = fixed_parts(following_base, following_which)
    variable_label = f"Mission {code} – {label} : volet variable"
    variable_scale_line = f"{scale.name} – mission {code} {label}, volet variable, taille {taille}"
    crisis: dict[str, Any] = {}
    if mission.variable_on_crisis:
        crisis_amount = money(amounts.variable)
        crisis = {
            "crisis_amount": crisis_amount,
            "crisis_extra": share(CRISIS, crisis_amount),
            "crisis_scale_line": (
                f"{scale.name} – mission {code} {label}, volet variable en cas de crise, taille {taille}"
            ),
            "crisis_label": f"Mission {code} – crise sanitaire grave identifiée le ",
        }
    return _MissionTariff(
        code=code,
        has_variable=mission.split_published and not mission.variable_on_crisis,
        first=first,
        following=following,
        first_base=amounts.fixed,
        first_label=first[0].line.label,
        first_scale_line=first[0].line.scale_line,
        advance_labels=advance_labels,
        balance_labels=balance_labels,
        variable=amounts.variable,
        variable_lines=tuple((year, VARIABLE, variable_label, variable_scale_line) for year in _YEARS),
        variable_payments=tuple(
            (year, PAY_VARIABLE, f"Mission {code} – volet variable, année {year}") for year in _YEARS
        ),
        standard=((first[0], None), *((part, None) for part in following[1:])),
        **crisis,
    )


def _schedule(mission: _MissionTariff, start: dt.date, bounds: Sequence[dt.date], increase_rate) -> Schedule:
    """The fixed part of a mission that starts on ``start`` (after the signature), per contract year."""
    first = _year_index(bounds, start) or 0
    # On an anniversary, a whole first year with its advance paid that day; else prorated, its advance paid on start.
    part: tuple[_Fixed, dt.date | None] = (mission.first[first], None)
    if start != bounds[first]:
        part = (_prorated(mission, first, start, bounds, increase_rate), start)
    return (None,) * first + (part,) + tuple((fixed, None) for fixed in mission.following[first + 1 :])


def _prorated(mission: _MissionTariff, index: int, mission_start: dt.date, bounds, increase_rate) -> _Fixed:
    """The fixed part of a mission that starts during contract year ``index + 1``, prorated to the anniversary."""
    start, end = bounds[index], bounds[index + 1]
    days, year_days = (end - mission_start).days, (end - start).days
    base = mission.first_base
    amount = money(base * days / year_days)
    line = Line(
        index + 1,
        FIXED,
        mission.first_label,
        mission.first_scale_line,
        amount,
        mission.code,
        (_explain_prorata, base, days, year_days, mission_start, end),
    )
    extra = money(amount * increase_rate) if increase_rate is not None else ZERO
    return _fixed(line, extra, mission.advance_labels[index], mission.balance_labels[index])


def _variable(mission: _MissionTariff, achievement: Decimal, increase_rate) -> tuple[tuple[Any, ...], PaymentTail]:
    """A variable part at an achievement rate: the end of its line (amount, mission, detail) and of its payment."""
    amount = money(mission.variable * achievement)
    extra = money(amount * increase_rate) if increase_rate is not None else ZERO
    detail = (_explain_variable, mission.variable, achievement)
    return (amount, mission.code, detail), (amount + extra, mission.code, extra, detail)


def _selection(scale: Scale, tariff: _Tariff, engaged: Sequence[str]) -> _Selection:
    key = tuple(engaged)
    selection = tariff.selections.get(key)
    if selection is not None:
        return selection
    codes = tuple(m.code for m in scale.missions if m.code in engaged)  # in the scale's order
    missions = tuple(tariff.missions[code] for code in codes)
    notes: tuple[str, ...] = DESIGN_NOTES
    if any(not scale.engaged_mission(c).split_published for c in codes):
        notes += (
            f"Le barème « {scale.name} » ne publie pas la répartition entre volet fixe et volet variable : le montant "
            "global de chaque mission est compté en volet fixe et le taux d'atteinte ne s'y applique pas.",
        )
    selection = tariff.selections[key] = _Selection(
        codes=codes,
        missions=missions,
        in_code_order=list(codes) == sorted(codes),
        crisis=next((m for m in missions if m.crisis_amount is not None), None),
        notes=notes,
    )
    return selection


_PAY_ORDER = {PAY_BALANCE: 0, PAY_VARIABLE: 1, PAY_OPERATION: 2, PAY_ADVANCE: 3, PAY_CRISIS: 4}


def _payment_order(payment: Payment) -> tuple[dt.date, int, int, str]:
    return payment.due_on, payment.year, _PAY_ORDER[payment.kind], payment.mission or ""


def _crises(
    tariff: _Tariff, selection: _Selection, inp: FundingInput, bounds: Sequence[dt.date]
) -> tuple[list[Line], list[Payment], list[str]]:
    """The crisis payments: one per 12 months covered, only once the crisis plan is written."""
    lines: list[Line] = []
    payments: list[Payment] = []
    notes: list[str] = []
    mission = selection.crisis
    if mission is None or mission.crisis_amount is None:
        return lines, payments, notes
    amount = mission.crisis_amount
    extra = mission.crisis_extra
    increased = CRISIS in tariff.increase_kinds
    start = inp.mission_starts.get(mission.code, inp.signed_on)
    covered_until = None
    for crisis in sorted(inp.crises, key=lambda c: c.identified_on):
        day = french_date(crisis.identified_on)
        if not crisis.plan_written or crisis.identified_on < start:
            notes.append(f"Crise du {day} : pas de versement, le plan de crise n'était pas rédigé.")
            continue
        if covered_until and crisis.identified_on < covered_until:
            notes.append(
                f"Crise du {day} : déjà couverte par le versement précédent (12 mois jusqu'au "
                f"{french_date(covered_until)})."
            )
            continue
        covered_until = add_months(crisis.identified_on, CRISIS_COVER_MONTHS)
        index = _year_index(bounds, crisis.identified_on)
        assert index is not None  # validate() refused a crisis outside the 5 years of the contract
        label = mission.crisis_label + day
        lines.append(
            Line(
                index + 1,
                CRISIS,
                label,
                mission.crisis_scale_line,
                amount,
                mission.code,
                (_explain_crisis, amount, covered_until),
            )
        )
        payments.append(
            Payment(
                crisis.identified_on,
                add_months(crisis.identified_on, CRISIS_GRACE_MONTHS),
                index + 1,
                PAY_CRISIS,
                label,
                amount + extra if increased else amount,
                mission.code,
                extra if increased else ZERO,
                "dans le mois qui suit l'identification de la crise",
            )
        )
    return lines, payments, notes


def calculate(scale: Scale, inp: FundingInput) -> FundingPlan:
    """The 5-year ACI funding plan and its payment schedule for one contract."""
    signed_on = inp.signed_on
    bounds = _year_bounds(signed_on) if isinstance(signed_on, dt.date) else None
    taille = _validate(scale, inp, bounds)
    assert bounds is not None  # validate() refused a signature that is not a date
    increase_applies = _increase_applies(scale, taille, inp)
    tariff = _tariff(scale, taille, increase_applies)
    selection = _selection(scale, tariff, inp.missions)
    kinds = tariff.increase_kinds
    rate = tariff.increase_rate
    fixed_rate = rate if FIXED in kinds else None
    variable_rate = rate if VARIABLE in kinds else None
    graces = [add_months(day, ANNIVERSARY_GRACE_MONTHS) for day in bounds]
    default_rate = inp.default_achievement
    rates = inp.achievement
    starts = inp.mission_starts

    # Per engaged mission: its tariff, its fixed part per year, and the end of its variable line and payment at the
    # default rate (see _variable).
    engaged = []
    for mission in selection.missions:
        schedule = mission.standard
        if starts and mission.code in starts:
            schedule = _schedule(mission, starts[mission.code], bounds, fixed_rate)
        line_end, payment_end = _variable(mission, default_rate, variable_rate) if mission.has_variable else ((), ())
        engaged.append((mission, schedule, line_end, payment_end))

    crisis_lines, odd, crisis_notes = _crises(tariff, selection, inp, bounds) if inp.crises else ([], [], [])
    years = []
    payments: list[Payment] = []  # in the schedule's order; the ``odd`` ones (off an anniversary) are inserted after
    for index in range(CONTRACT_YEARS):
        year = index + 1
        start, end = bounds[index], bounds[index + 1]
        at_start, at_end = (start, graces[index]), (end, graces[index + 1])
        line = tariff.operation_lines[index]
        lines = [line]
        payments.append(_new(Payment, at_start + tariff.operation_payments[index]))
        # The increase line: the sum of the base lines and of each one's share, in the order of the lines.
        base = shares = ZERO
        if OPERATION in kinds:
            base, shares = base + line.amount, shares + tariff.operation_extra
        if index == 0 and tariff.additional_until is not None and signed_on < tariff.additional_until:
            extra = tariff.additional_extra
            scale_line = tariff.additional_scale_line
            explained = (_explain_additional, tariff.additional_base, signed_on)
            line = Line(1, ADDITIONAL_OPERATION, ADDITIONAL_LABEL, scale_line, tariff.additional, None, explained)
            lines.append(line)
            payments.append(
                Payment(
                    start,
                    graces[0],
                    1,
                    PAY_OPERATION,
                    f"{ADDITIONAL_LABEL} – année 1",
                    tariff.additional + extra,
                    None,
                    extra,
                    "versé en totalité à la signature",
                )
            )
            if ADDITIONAL_OPERATION in kinds:
                base, shares = base + line.amount, shares + extra
        balances = []
        variables = []
        for mission, schedule, line_end, payment_end in engaged:
            if (part := schedule[index]) is None:
                continue
            fixed, starts_on = part
            lines.append(fixed.line)
            if fixed_rate is not None:
                base, shares = base + fixed.line.amount, shares + fixed.extra
            if starts_on is None:
                payments.append(_new(Payment, at_start + fixed.advance))
            else:  # paid on the day the mission starts
                paid = (starts_on, add_months(starts_on, ANNIVERSARY_GRACE_MONTHS))
                odd.append(_new(Payment, paid + fixed.advance))
            balances.append(_new(Payment, at_end + fixed.balance))
            if not mission.has_variable:
                continue
            if rates and (achievement := rates.get((year, mission.code), default_rate)) is not default_rate:
                line_end, payment_end = _variable(mission, achievement, variable_rate)
            lines.append(_new(Line, mission.variable_lines[index] + line_end))
            if variable_rate is not None:
                base, shares = base + line_end[0], shares + payment_end[2]
            variables.append(_new(Payment, at_end + mission.variable_payments[index] + payment_end))
        for line in crisis_lines:
            if line.year == year:
                lines.append(line)
                if CRISIS in kinds:
                    base, shares = base + line.amount, shares + money(line.amount * rate)
        if increase_applies:
            detail = (_explain_increase, scale.increase.rate, base)
            lines.append(Line(year, INCREASE, INCREASE_LABEL, tariff.increase_scale_line, shares, None, detail))
        years.append(_new(YearResult, (year, start, end, tuple(lines))))
        payments += balances
        payments += variables

    if not selection.in_code_order:
        payments += odd
        payments.sort(key=_payment_order)
    else:
        for payment in odd:
            insort(payments, payment, key=_payment_order)
    return FundingPlan(
        scale_code=scale.code,
        scale_name=scale.name,
        taille=taille,
        population=inp.population,
        members=inp.members,
        increase_applies=increase_applies,
        missions=selection.codes,
        signed_on=signed_on,
        increase_rate=rate,
        increase_kinds=kinds,
        years=tuple(years),
        payments=tuple(payments),
        notes=selection.notes + tuple(crisis_notes) if crisis_notes else selection.notes,
    )
