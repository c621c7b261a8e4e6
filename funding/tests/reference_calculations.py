"""The ACI funding calculator as it was before the speed work of issue 14 (point 9), frozen: do not edit.

It is the reference the optimised ``funding.calculations`` must agree with, plan for plan (every amount, date, label
and explanation), and the reference figure of ``tests/benchmarks/bench_funding.py`` (same inputs, same run). It
reads the calculator's input dataclasses by their attributes only, so it runs on ``funding.calculations.Scale`` and
``FundingInput`` as they are today. Copied from funding/calculations.py at commit 319e29d, only its module docstring replaced by this one.
"""

# ruff: noqa
# mypy: ignore-errors

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

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
        for mission in self.missions:
            if mission.code == code:
                return mission
        return None

    def engaged_mission(self, code: str) -> MissionScale:
        """The mission of a code that ``validate`` accepted (an unknown code is refused there)."""
        mission = self.mission(code)
        if mission is None:
            raise FundingError(f"Mission inconnue dans le barème « {self.name} » : {code}.")
        return mission

    @property
    def core_codes(self) -> tuple[str, ...]:
        return tuple(m.code for m in self.missions if m.is_core)


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


@dataclass(frozen=True)
class Line:
    """One labelled amount of one contract year."""

    year: int
    kind: str
    label: str
    scale_line: str
    amount: Decimal
    explanation: str
    mission: str | None = None


@dataclass(frozen=True)
class YearResult:
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


@dataclass(frozen=True)
class Payment:
    """One payment: when it is due, the latest date it may arrive, what it pays (increase share included)."""

    due_on: dt.date
    latest_on: dt.date
    year: int
    kind: str
    label: str
    amount: Decimal
    mission: str | None = None
    increase: Decimal = ZERO
    explanation: str = ""


@dataclass(frozen=True)
class FundingPlan:
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


# --------------------------------------------------------------------------------------------------------------
# Small helpers.


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def percent(rate: Decimal) -> str:
    value = (rate * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
    text = f"{value:f}".replace(".", ",")
    return f"{text}\u00a0%"


def french_date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


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
        result.append(_replace(scale, valid_until=following))
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
    if indicator.direction == INCREASING and target <= baseline:
        raise FundingError(
            f"Indicateur croissant « {indicator.name} » : la cible doit dépasser la valeur de référence."
        )
    if indicator.direction == DECREASING and target >= baseline:
        raise FundingError(
            f"Indicateur décroissant « {indicator.name} » : la cible doit être inférieure à la valeur de référence."
        )
    value = indicator.values.get(year)
    if value is None:
        return IndicatorRate(indicator.name, ZERO, weight, "valeur non mesurée : 0 %")
    rate = clamp((value - baseline) / (target - baseline))
    return IndicatorRate(
        indicator.name, rate, weight, f"({value} − {baseline}) / ({target} − {baseline}) → {percent(rate)}"
    )


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

    contract_end = add_years(inp.signed_on, CONTRACT_YEARS) if isinstance(inp.signed_on, dt.date) else None
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


def _increase_applies(scale: Scale, taille: int, inp: FundingInput) -> bool:
    rule = scale.increase
    if rule.rate <= 0 or taille < rule.min_taille:
        return False
    count = inp.members
    if rule.counts == COUNT_PROFESSIONALS and inp.professional_members is not None:
        count = inp.professional_members
    return count >= rule.threshold if rule.comparison == AT_LEAST else count > rule.threshold


def _start_of(inp: FundingInput, code: str | None) -> dt.date:
    if code is None:
        return inp.signed_on
    return inp.mission_starts.get(code, inp.signed_on)


def _fixed_for_year(scale, mission, amounts, taille, year, year_start, year_end, start) -> Line | None:
    """The fixed part of a mission in one contract year, prorated when the mission starts during that year."""
    if start >= year_end:
        return None
    first_year = year_start <= start
    base = amounts.fixed
    which = "volet fixe" if mission.split_published else "fixe et variable (répartition non publiée)"
    if amounts.fixed_following is not None:
        if first_year:
            which = "volet fixe, année de rédaction du plan"
        else:
            base, which = amounts.fixed_following, "volet fixe, années suivantes (mise à jour du plan)"
    scale_line = f"{scale.name} – mission {mission.code} {mission.label}, {which}, taille {taille}"
    if first_year and start > year_start:
        days = (year_end - start).days
        year_days = (year_end - year_start).days
        amount = money(base * days / year_days)
        explanation = (
            f"{euros(base)} × {days}/{year_days} jours (démarrage le {french_date(start)}, prorata jusqu'à "
            f"l'anniversaire du {french_date(year_end)})"
        )
    else:
        amount, explanation = money(base), euros(base)
    return Line(
        year,
        FIXED,
        f"Mission {mission.code} – {mission.label} : {which}",
        scale_line,
        amount,
        explanation,
        mission.code,
    )


def _crisis_lines(scale, inp, taille, codes) -> tuple[list[Line], list[Payment], list[str]]:
    lines: list[Line] = []
    payments: list[Payment] = []
    notes: list[str] = []
    crisis_mission = next(
        (scale.engaged_mission(c) for c in codes if scale.engaged_mission(c).variable_on_crisis), None
    )
    if crisis_mission is None:
        return lines, payments, notes
    amount = money(crisis_mission.amounts[taille].variable)
    start = _start_of(inp, crisis_mission.code)
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
        year = contract_year_of(inp.signed_on, crisis.identified_on)
        assert year is not None  # validate() refused a crisis outside the 5 years of the contract
        scale_line = (
            f"{scale.name} – mission {crisis_mission.code} {crisis_mission.label}, volet variable en cas de crise, "
            f"taille {taille}"
        )
        label = f"Mission {crisis_mission.code} – crise sanitaire grave identifiée le {day}"
        explanation = f"{euros(amount)}, au titre des 12 mois à venir (jusqu'au {french_date(covered_until)})"
        lines.append(Line(year, CRISIS, label, scale_line, amount, explanation, crisis_mission.code))
        payments.append(
            Payment(
                crisis.identified_on,
                add_months(crisis.identified_on, CRISIS_GRACE_MONTHS),
                year,
                PAY_CRISIS,
                label,
                amount,
                crisis_mission.code,
                explanation="dans le mois qui suit l'identification de la crise",
            )
        )
    return lines, payments, notes


def calculate(scale: Scale, inp: FundingInput) -> FundingPlan:
    """The 5-year ACI funding plan and its payment schedule for one contract."""
    taille = validate(scale, inp)
    size = scale.size(taille)
    codes = tuple(m.code for m in scale.missions if m.code in inp.missions)  # in the scale's order
    increase_applies = _increase_applies(scale, taille, inp)
    rule = scale.increase
    notes = list(DESIGN_NOTES)
    if any(not scale.engaged_mission(c).split_published for c in codes):
        notes.append(
            f"Le barème « {scale.name} » ne publie pas la répartition entre volet fixe et volet variable : le montant "
            "global de chaque mission est compté en volet fixe et le taux d'atteinte ne s'y applique pas."
        )
    crisis_lines, crisis_payments, crisis_notes = _crisis_lines(scale, inp, taille, codes)
    notes.extend(crisis_notes)

    years = []
    for year in range(1, CONTRACT_YEARS + 1):
        start, end = contract_year_bounds(inp.signed_on, year)
        lines = [
            Line(
                year,
                OPERATION,
                "Fonctionnement de la CPTS",
                f"{scale.name} – fonctionnement, taille {taille}",
                money(size.operation),
                euros(size.operation),
            )
        ]
        if (
            year == 1
            and scale.additional_operation_until
            and inp.signed_on < scale.additional_operation_until
            and size.additional_operation
        ):
            lines.append(
                Line(
                    year,
                    ADDITIONAL_OPERATION,
                    "Fonctionnement additionnel (1re année)",
                    f"{scale.name} – fonctionnement additionnel si signature avant le "
                    f"{french_date(scale.additional_operation_until)}, taille {taille}",
                    money(size.additional_operation),
                    f"{euros(size.additional_operation)}, contrat signé le {french_date(inp.signed_on)}",
                )
            )
        for code in codes:
            mission = scale.engaged_mission(code)
            amounts = mission.amounts[taille]
            mission_start = _start_of(inp, code)
            fixed = _fixed_for_year(scale, mission, amounts, taille, year, start, end, mission_start)
            if fixed is None:
                continue
            lines.append(fixed)
            if mission.variable_on_crisis or not mission.split_published:
                continue
            rate = inp.achievement.get((year, code), inp.default_achievement)
            lines.append(
                Line(
                    year,
                    VARIABLE,
                    f"Mission {mission.code} – {mission.label} : volet variable",
                    f"{scale.name} – mission {mission.code} {mission.label}, volet variable, taille {taille}",
                    money(amounts.variable * rate),
                    f"{euros(amounts.variable)} × {percent(rate)} d'atteinte",
                    code,
                )
            )
        lines.extend(line for line in crisis_lines if line.year == year)
        if increase_applies:
            base_kinds = INCREASE_BASES[rule.applies_to]
            base = sum((line.amount for line in lines if line.kind in base_kinds), ZERO)
            shares = sum((money(line.amount * rule.rate) for line in lines if line.kind in base_kinds), ZERO)
            lines.append(
                Line(
                    year,
                    INCREASE,
                    "Majoration taille 4++",
                    f"{scale.name} – majoration de {percent(rule.rate)} (taille {rule.min_taille}, "
                    f"{'au moins' if rule.comparison == AT_LEAST else 'plus de'} {rule.threshold} "
                    f"{'membres' if rule.counts == COUNT_MEMBERS else 'professionnels de santé membres'}), "
                    f"sur le {INCREASE_BASE_LABELS[rule.applies_to]}",
                    shares,
                    f"{percent(rule.rate)} × {euros(base)}",
                )
            )
        years.append(YearResult(year, start, end, tuple(lines)))

    payments = _schedule(scale, inp, years, increase_applies)
    for payment in crisis_payments:
        if increase_applies and CRISIS in INCREASE_BASES[rule.applies_to]:
            extra = money(payment.amount * rule.rate)
            payment = replace(payment, amount=payment.amount + extra, increase=extra)
        payments.append(payment)
    payments.sort(key=lambda p: (p.due_on, p.year, _PAY_ORDER[p.kind], p.mission or ""))
    return FundingPlan(
        scale_code=scale.code,
        scale_name=scale.name,
        taille=taille,
        population=inp.population,
        members=inp.members,
        increase_applies=increase_applies,
        missions=codes,
        signed_on=inp.signed_on,
        increase_rate=rule.rate if increase_applies else ZERO,
        increase_kinds=INCREASE_BASES[rule.applies_to] if increase_applies else frozenset(),
        years=tuple(years),
        payments=tuple(payments),
        notes=tuple(notes),
    )


_PAY_ORDER = {PAY_BALANCE: 0, PAY_VARIABLE: 1, PAY_OPERATION: 2, PAY_ADVANCE: 3, PAY_CRISIS: 4}


def _schedule(scale: Scale, inp: FundingInput, years: list[YearResult], increase_applies: bool) -> list[Payment]:
    """Operation at the start of each year; per mission, 75 % advance then balance and variable at the anniversary."""
    rule = scale.increase
    base_kinds = INCREASE_BASES[rule.applies_to] if increase_applies else frozenset()

    def share(kind: str, amount: Decimal) -> Decimal:
        return money(amount * rule.rate) if kind in base_kinds else ZERO

    payments = []
    for result in years:
        year, start, end = result.year, result.start, result.end
        for line in result.lines:
            if line.kind in (OPERATION, ADDITIONAL_OPERATION):
                extra = share(line.kind, line.amount)
                payments.append(
                    Payment(
                        start,
                        add_months(start, ANNIVERSARY_GRACE_MONTHS),
                        year,
                        PAY_OPERATION,
                        f"{line.label} – année {year}",
                        line.amount + extra,
                        increase=extra,
                        explanation="versé en totalité à la signature" if year == 1 else "versé à la date anniversaire",
                    )
                )
            elif line.kind == FIXED:
                extra = share(FIXED, line.amount)
                total = line.amount + extra
                advance = money(total * ADVANCE_SHARE)
                advance_extra = money(extra * ADVANCE_SHARE)
                paid_on = max(start, _start_of(inp, line.mission))
                payments.append(
                    Payment(
                        paid_on,
                        add_months(paid_on, ANNIVERSARY_GRACE_MONTHS),
                        year,
                        PAY_ADVANCE,
                        f"Mission {line.mission} – avance de 75 % du volet fixe, année {year}",
                        advance,
                        line.mission,
                        advance_extra,
                        f"75 % × {euros(total)}",
                    )
                )
                payments.append(
                    Payment(
                        end,
                        add_months(end, ANNIVERSARY_GRACE_MONTHS),
                        year,
                        PAY_BALANCE,
                        f"Mission {line.mission} – solde du volet fixe, année {year}",
                        total - advance,
                        line.mission,
                        extra - advance_extra,
                        f"{euros(total)} − avance {euros(advance)}",
                    )
                )
            elif line.kind == VARIABLE:
                extra = share(VARIABLE, line.amount)
                payments.append(
                    Payment(
                        end,
                        add_months(end, ANNIVERSARY_GRACE_MONTHS),
                        year,
                        PAY_VARIABLE,
                        f"Mission {line.mission} – volet variable, année {year}",
                        line.amount + extra,
                        line.mission,
                        extra,
                        line.explanation,
                    )
                )
    return payments
