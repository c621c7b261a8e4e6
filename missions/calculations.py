"""Pure rules of the action plan: mission deadlines, the live checklist and the macro-planning layout.

No ORM and no clock: selectors turn rows into the dataclasses below and pass the planned signature date in, so
every rule is table-tested with fixed dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

# The contract calendar's month arithmetic (same day n months later, clamped to the month's end), shared by all apps.
from cpts_portal.dates import add_months

__all__ = ["add_months", "build_checklist", "delay_warnings", "gantt_layout", "gantt_window", "mission_deadlines"]

CORE = "core"
OPTIONAL = "optional"
OUTSIDE = "outside"
ACTION = "action"
RESULT = "result"

# Gantt geometry (SVG user units); the picture scales with its viewBox.
LABEL_WIDTH = 300
CHART_WIDTH = 720
ROW_HEIGHT = 26
HEADER_HEIGHT = 44
YEARS = 5


# --------------------------------------------------------------------------------------------------------------
# Inputs


@dataclass(frozen=True)
class MissionFacts:
    code: str
    label: str
    category: str
    requires_funding_indicator: bool = True
    has_result_target: bool = True
    start_delay_months: int | None = None
    deployment_delay_months: int | None = None

    @property
    def is_aci(self) -> bool:
        return self.category != OUTSIDE


@dataclass(frozen=True)
class IndicatorFacts:
    label: str
    kind: str = ACTION
    is_funding: bool = False
    has_baseline: bool = False
    has_target: bool = False


@dataclass(frozen=True)
class SheetFacts:
    id: int
    title: str
    mission_code: str
    number: str = ""
    preparation_start: dt.date | None = None
    start_date: dt.date | None = None
    deployment_date: dt.date | None = None
    end_date: dt.date | None = None
    indicators: tuple[IndicatorFacts, ...] = ()


# --------------------------------------------------------------------------------------------------------------
# Dates


def french_date(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "—"


@dataclass(frozen=True)
class MissionDeadlines:
    start: dt.date | None
    deployment: dt.date | None


def mission_deadlines(mission: MissionFacts, signature: dt.date | None) -> MissionDeadlines:
    """Latest start and full-deployment dates of a mission after the (planned) signature; None when free."""
    if signature is None:
        return MissionDeadlines(None, None)
    start = add_months(signature, mission.start_delay_months) if mission.start_delay_months is not None else None
    deployment = (
        add_months(signature, mission.deployment_delay_months) if mission.deployment_delay_months is not None else None
    )
    return MissionDeadlines(start, deployment)


def delay_warnings(
    missions: Sequence[MissionFacts], sheets: Sequence[SheetFacts], signature: dt.date | None
) -> list[str]:
    """French warnings when the planning does not fit the ACI calendar (seed 000 "Calendrier du déploiement").

    A mission starts with its first action and is deployed when its last action is: the earliest start must fall
    within the start delay, the latest full deployment within the deployment delay (the final date of an action,
    often the contract's end, is not a deployment).
    """
    warnings: list[str] = []
    if signature is None:
        return ["Indiquez la date de signature envisagée du contrat ACI : les délais des missions en dépendent."]
    by_mission: dict[str, list[SheetFacts]] = {}
    for sheet in sheets:
        by_mission.setdefault(sheet.mission_code, []).append(sheet)
    delays = {m.code: m for m in missions}
    for sheet in sheets:
        missing = []
        if sheet.start_date is None:
            missing.append("le démarrage")
        mission = delays.get(sheet.mission_code)
        if sheet.deployment_date is None and mission is not None and mission.deployment_delay_months is not None:
            missing.append("le déploiement complet")
        if sheet.end_date is None:
            missing.append("l'échéance finale")
        if missing:
            what = ", ".join(missing[:-1]) + " et " + missing[-1] if len(missing) > 1 else missing[0]
            warnings.append(f"« {sheet.title} » : indiquez {what} de l'action.")
    for mission in missions:
        mine = by_mission.get(mission.code, [])
        deadlines = mission_deadlines(mission, signature)
        starts = [s.start_date for s in mine if s.start_date]
        if deadlines.start and starts and min(starts) > deadlines.start:
            warnings.append(
                f"{mission.label} démarre le {french_date(min(starts))}, plus de {mission.start_delay_months} mois "
                f"après la signature envisagée (au plus tard le {french_date(deadlines.start)})."
            )
        deployed = [s.deployment_date for s in mine if s.deployment_date]
        if deadlines.deployment and deployed and max(deployed) > deadlines.deployment:
            warnings.append(
                f"{mission.label} est entièrement déployée le {french_date(max(deployed))}, plus de "
                f"{mission.deployment_delay_months} mois après la signature envisagée (au plus tard le "
                f"{french_date(deadlines.deployment)})."
            )
    return warnings


# --------------------------------------------------------------------------------------------------------------
# Checklist


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    label: str
    ok: bool
    blocking: bool = True
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Checklist:
    items: tuple[ChecklistItem, ...]

    @property
    def is_complete(self) -> bool:
        """Every blocking rule passes (delay warnings are shown but do not block)."""
        return all(item.ok for item in self.items if item.blocking)

    @property
    def warnings(self) -> tuple[ChecklistItem, ...]:
        return tuple(item for item in self.items if not item.blocking and not item.ok)

    def item(self, code: str) -> ChecklistItem:
        return next(item for item in self.items if item.code == code)


def _is_usable_funding_indicator(indicator: IndicatorFacts) -> bool:
    return indicator.is_funding and indicator.has_baseline and indicator.has_target


def build_checklist(
    missions: Sequence[MissionFacts], sheets: Sequence[SheetFacts], signature: dt.date | None
) -> Checklist:
    """The live checklist of the plan (active fiches only; archived ones are left out by the caller)."""
    by_code = {m.code: m for m in missions}
    by_mission: dict[str, list[SheetFacts]] = {}
    for sheet in sheets:
        by_mission.setdefault(sheet.mission_code, []).append(sheet)

    missing_core = [
        f"{m.label} : aucune action." for m in missions if m.category == CORE and not by_mission.get(m.code)
    ]
    without_indicator = [f"« {s.title} » : aucun indicateur." for s in sheets if not s.indicators]

    funding_problems = []
    for mission in missions:
        if not mission.requires_funding_indicator or not mission.is_aci:
            continue
        mine = by_mission.get(mission.code, [])
        if mission.category != CORE and not mine:
            continue  # an optional mission not engaged
        if not any(_is_usable_funding_indicator(i) for s in mine for i in s.indicators):
            funding_problems.append(
                f"{mission.label} : aucun indicateur de financement avec valeur de référence et cible."
            )

    outside_funding = [
        f"« {s.title} » : l'indicateur « {i.label} » ne peut pas être un indicateur de financement."
        for s in sheets
        if (m := by_code.get(s.mission_code)) is not None and not m.is_aci
        for i in s.indicators
        if i.is_funding
    ]
    delays = delay_warnings([m for m in missions if m.is_aci], sheets, signature)

    return Checklist(
        (
            ChecklistItem(
                "core_missions",
                "Chaque mission socle a au moins une action",
                not missing_core,
                True,
                tuple(missing_core),
            ),
            ChecklistItem(
                "indicators",
                "Chaque action a au moins un indicateur",
                bool(sheets) and not without_indicator,
                True,
                tuple(without_indicator) if sheets else ("Aucune action n'est encore rédigée.",),
            ),
            ChecklistItem(
                "funding_indicators",
                "Chaque mission financée (1 à 3, et 5 et 6 si elles sont engagées) a au moins un indicateur de "
                "financement avec une valeur de référence et une cible",
                not funding_problems,
                True,
                tuple(funding_problems),
            ),
            ChecklistItem(
                "outside_aci",
                "Les actions hors champ ACI ne comptent jamais pour le financement",
                not outside_funding,
                True,
                tuple(outside_funding),
            ),
            ChecklistItem(
                "delays",
                "Le planning respecte les délais de démarrage et de déploiement des missions après la signature",
                not delays,
                False,
                tuple(delays),
            ),
        )
    )


# --------------------------------------------------------------------------------------------------------------
# Macro-planning (Gantt)


@dataclass(frozen=True)
class GanttBar:
    kind: str  # "preparation" | "implementation"
    x: float
    width: float
    start: dt.date
    end: dt.date
    clipped_left: bool = False
    clipped_right: bool = False

    @property
    def label(self) -> str:
        what = "Travail préparatoire" if self.kind == "preparation" else "Mise en œuvre"
        return f"{what} du {french_date(self.start)} au {french_date(self.end)}"


@dataclass(frozen=True)
class GanttMarker:
    kind: str  # "start_deadline" | "deployment_deadline" | "deployment"
    x: float
    date: dt.date

    @property
    def label(self) -> str:
        return {
            "start_deadline": "Démarrage au plus tard le",
            "deployment_deadline": "Déploiement complet au plus tard le",
            "deployment": "Déploiement complet prévu le",
        }[self.kind] + f" {french_date(self.date)}"


@dataclass(frozen=True)
class GanttRow:
    y: float
    label: str
    is_mission: bool
    bars: tuple[GanttBar, ...] = ()
    markers: tuple[GanttMarker, ...] = ()
    note: str = ""
    outside_aci: bool = False  # an action outside the ACI (or their mission row): drawn apart, never funded


@dataclass(frozen=True)
class GanttYear:
    label: str
    x: float
    width: float


@dataclass(frozen=True)
class GanttChart:
    years: tuple[GanttYear, ...]
    rows: tuple[GanttRow, ...]
    width: float
    height: float
    chart_left: float
    chart_top: float
    signature_x: float | None
    signature: dt.date | None = None
    legend_y: float = 0
    out_of_range: tuple[str, ...] = field(default_factory=tuple)
    start: dt.date | None = None  # first and last day drawn (``gantt_window``)
    end: dt.date | None = None

    @property
    def has_outside(self) -> bool:
        """Actions outside the ACI have rows (seed 003): the legend then says how they are drawn."""
        return any(row.outside_aci for row in self.rows)

    @property
    def last_day(self) -> dt.date | None:
        """The last day of contract year N+4 (the day before the fifth anniversary of the signature)."""
        return self.end - dt.timedelta(days=1) if self.end else None

    @property
    def lead_in(self) -> bool:
        """Preparatory work before the signature has its own column."""
        return self.start is not None and self.signature is not None and self.start < self.signature


def _x(day: dt.date, first: dt.date, last: dt.date) -> float:
    span = (last - first).days
    return LABEL_WIDTH + CHART_WIDTH * (day - first).days / span


def _bar(kind, start, end, first, last) -> GanttBar | None:
    if start is None or end is None or end < first or start > last:
        return None
    clipped_left, clipped_right = start < first, end > last
    s, e = max(start, first), min(end, last)
    x = _x(s, first, last)
    return GanttBar(kind, x, max(_x(e, first, last) - x, 2.0), start, end, clipped_left, clipped_right)


LEAD_IN_MONTHS = (6, 12)  # preparatory work before the signature: a column of at least 6 months, at most 12


def gantt_window(sheets: Sequence[SheetFacts], signature: dt.date) -> tuple[dt.date, dt.date]:
    """The dates the Gantt spans: the five contract years from the planned signature (year N starts on the
    signature day, as the ACI contract and its anniversaries do), preceded by the preparatory work that starts
    before the signature (6 to 12 months, from the first of a month; earlier work is drawn cut off)."""
    last = add_months(signature, 12 * YEARS)
    starts = [d for s in sheets for d in (s.preparation_start, s.start_date) if d is not None and d < signature]
    if not starts:
        return signature, last
    shortest, longest = (add_months(signature, -months) for months in LEAD_IN_MONTHS)
    return max(min(min(starts), shortest), longest).replace(day=1), last


def gantt_layout(missions: Sequence[MissionFacts], sheets: Sequence[SheetFacts], signature: dt.date) -> GanttChart:
    """Rows per mission (deadlines as markers) and per action (preparation and implementation bars) over the
    contract years N to N+4 counted from the planned signature (``gantt_window``). Missions without actions are
    left out, except core ones. The actions outside the ACI have their rows too (seed 003), marked ``outside_aci``:
    drawn apart, never funded."""
    first, last = gantt_window(sheets, signature)
    years: tuple[GanttYear, ...] = ()
    if first < signature:
        width = _x(signature, first, last) - LABEL_WIDTH
        years = (GanttYear("Avant signature" if width >= 90 else "Avant", LABEL_WIDTH, width),)
    for i in range(YEARS):
        start_x = _x(add_months(signature, 12 * i), first, last)
        end_x = _x(add_months(signature, 12 * (i + 1)), first, last)
        years += (GanttYear("Année N" if i == 0 else f"Année N+{i}", start_x, end_x - start_x),)
    by_mission: dict[str, list[SheetFacts]] = {}
    for sheet in sheets:
        by_mission.setdefault(sheet.mission_code, []).append(sheet)
    rows: list[GanttRow] = []
    out_of_range: list[str] = []
    y = float(HEADER_HEIGHT)
    for mission in missions:
        mine = by_mission.get(mission.code, [])
        if not mine and mission.category != CORE:
            continue
        deadlines = mission_deadlines(mission, signature)
        markers = tuple(
            GanttMarker(kind, _x(day, first, last), day)
            for kind, day in (("start_deadline", deadlines.start), ("deployment_deadline", deadlines.deployment))
            if day is not None and first <= day <= last
        )
        outside = not mission.is_aci
        note = "aucune action" if not mine else "jamais financées par l'ACI" if outside else ""
        rows.append(GanttRow(y, mission.label, True, (), markers, note, outside))
        y += ROW_HEIGHT
        for sheet in mine:
            implementation_end = sheet.end_date or sheet.deployment_date
            bars = tuple(
                bar
                for bar in (
                    _bar("preparation", sheet.preparation_start, sheet.start_date, first, last),
                    _bar("implementation", sheet.start_date, implementation_end, first, last),
                )
                if bar is not None
            )
            sheet_markers: tuple[GanttMarker, ...] = ()
            if sheet.deployment_date and first <= sheet.deployment_date <= last:
                sheet_markers = (
                    GanttMarker("deployment", _x(sheet.deployment_date, first, last), sheet.deployment_date),
                )
            if any(b.clipped_left or b.clipped_right for b in bars):
                out_of_range.append(f"« {sheet.title} » dépasse les années N à N+4 : la barre est tronquée.")
            label = f"{sheet.number} {sheet.title}".strip()
            sheet_note = "" if bars else "dates à compléter"
            rows.append(GanttRow(y, label, False, bars, sheet_markers, sheet_note, outside))
            y += ROW_HEIGHT
    signature_x = _x(signature, first, last)
    legend_y = y + 16
    legend_height = 60 if any(row.outside_aci for row in rows) else 40  # a second legend line for them
    return GanttChart(
        years=years,
        rows=tuple(rows),
        width=LABEL_WIDTH + CHART_WIDTH + 20,
        height=legend_y + legend_height,
        chart_left=LABEL_WIDTH,
        chart_top=HEADER_HEIGHT,
        signature_x=signature_x,
        signature=signature,
        legend_y=legend_y,
        out_of_range=tuple(out_of_range),
        start=first,
        end=last,
    )
