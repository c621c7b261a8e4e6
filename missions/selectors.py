"""Reads of the action plan: the page (fixed number of queries), the checklist, the Gantt, the frozen form."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import reverse

from cpts_portal.related import related_or_none
from diagnostics import selectors as diagnostics_selectors
from diagnostics.reports import diagnostic_report
from governance.models import Member, MemberInvitation
from governance.rgpd import ars_contact
from governance.selectors import invitation_pending_for

from . import calculations as calc
from .choices import CONTRACT_YEARS, MissionCategory, SheetStatus
from .models import (
    ActionExample,
    ActionPlan,
    ActionSheet,
    IndicatorTemplate,
    Mission,
    MissionIntro,
    SheetIndicator,
    SubAction,
)

# 2: each mission's inventory and objectives ("intro"), the actions outside the ACI flagged ("outside_aci"), the
# pilot's and working group's contact only with the member's consent ("contact", governance.rgpd.ars_contact).
SCHEMA_VERSION = 2


# --- Reference data ------------------------------------------------------------------------------------------------


def mission_list() -> list[Mission]:
    return list(Mission.objects.prefetch_related("sub_missions"))


def example_list() -> list[ActionExample]:
    return list(ActionExample.objects.select_related("mission", "sub_mission"))


def indicator_template_list(mission: Mission) -> QuerySet[IndicatorTemplate]:
    return IndicatorTemplate.objects.filter(mission=mission).select_related("sub_mission")


def mission_facts(missions: list[Mission]) -> list[calc.MissionFacts]:
    return [
        calc.MissionFacts(
            code=m.code,
            label=str(m),
            category=m.category,
            requires_funding_indicator=m.requires_funding_indicator,
            has_result_target=m.has_result_target,
            start_delay_months=m.start_delay_months,
            deployment_delay_months=m.deployment_delay_months,
        )
        for m in missions
    ]


# --- The plan and its fiches ---------------------------------------------------------------------------------------


def plan_for_cpts(cpts) -> ActionPlan | None:
    return ActionPlan.objects.select_related("cpts__region", "validated_by").filter(cpts=cpts).first()


def _member_queryset():
    return Member.objects.select_related("profession", "structure_type", "commune")


def sheet_queryset(plan: ActionPlan, *, full: bool = False) -> QuerySet[ActionSheet]:
    """Fiches of a plan with what a page shows; ``full`` adds everything a fiche holds (PDF, frozen version)."""
    qs = (
        ActionSheet.objects.filter(plan=plan)
        .select_related(
            "mission", "sub_mission", "updated_by", "pilot__profession", "pilot__structure_type", "pilot__commune"
        )
        .prefetch_related(
            Prefetch("working_group", queryset=_member_queryset()),
            Prefetch("indicators", queryset=SheetIndicator.objects.order_by("position", "pk")),
        )
        .order_by("mission__order", "position", "pk")
    )
    if full:
        qs = qs.prefetch_related(
            Prefetch("involved_members", queryset=_member_queryset()),
            "partners",
            "figures",
            Prefetch("sub_actions", queryset=SubAction.objects.select_related("responsible")),
            "steps",
        )
    return qs


def sheet_get(plan: ActionPlan, pk: int, *, full: bool = True) -> ActionSheet:
    sheet = sheet_queryset(plan, full=full).get(pk=pk)
    sheet.plan = plan  # shares the loaded plan (and its CPTS) with the permission checks
    return sheet


def sheet_numbers(sheets: list[ActionSheet]) -> dict[int, str]:
    """ "1.1", "1.2", "2.1"... per mission in display order; "H.1" for actions outside the ACI."""
    counters: dict[str, int] = {}
    numbers = {}
    for sheet in sheets:
        if sheet.is_archived:
            continue
        code = sheet.mission.code
        counters[code] = counters.get(code, 0) + 1
        prefix = "H" if sheet.mission.category == MissionCategory.OUTSIDE else code
        numbers[sheet.pk] = f"{prefix}.{counters[code]}"
    return numbers


def sheet_number(sheet: ActionSheet) -> str:
    """The number of one fiche ("2.3"), as ``sheet_numbers`` gives it on the plan page."""
    if sheet.is_archived:
        return ""
    ids = list(
        ActionSheet.objects.filter(plan_id=sheet.plan_id, mission_id=sheet.mission_id, is_archived=False)
        .order_by("position", "pk")
        .values_list("pk", flat=True)
    )
    prefix = "H" if sheet.mission.category == MissionCategory.OUTSIDE else sheet.mission.code
    return f"{prefix}.{ids.index(sheet.pk) + 1}" if sheet.pk in ids else ""


def sheet_facts(sheets: list[ActionSheet], numbers: dict[int, str]) -> list[calc.SheetFacts]:
    return [
        calc.SheetFacts(
            id=s.pk,
            title=s.title,
            mission_code=s.mission.code,
            number=numbers.get(s.pk, ""),
            preparation_start=s.preparation_start,
            start_date=s.start_date,
            deployment_date=s.deployment_date,
            end_date=s.end_date,
            indicators=tuple(
                calc.IndicatorFacts(
                    label=i.label,
                    kind=i.kind,
                    is_funding=i.is_funding,
                    has_baseline=i.baseline_value is not None,
                    has_target=bool(i.targets),
                )
                for i in s.indicators.all()
            ),
        )
        for s in sheets
        if not s.is_archived
    ]


@dataclass
class MissionBlock:
    mission: Mission
    sheets: list[ActionSheet]
    deadlines: calc.MissionDeadlines
    intro: MissionIntro | None = None
    intro_form: Any = None  # the plan page's inline form (set by the view for those who may write it)

    @property
    def has_intro(self) -> bool:
        """ACI missions have an inventory and objectives (seed 003); the actions outside the ACI have none."""
        return self.mission.is_aci

    @property
    def intro_required(self) -> bool:
        """A core mission always; an optional one once engaged (it has an action)."""
        return self.mission.is_aci and (self.mission.is_core or bool(self.sheets))

    @property
    def intro_missing(self) -> list[str]:
        """The labels of the inventory and objectives still to write, when the mission needs them
        (``intro_required``)."""
        if not self.intro_required:
            return []
        return (self.intro or MissionIntro(mission=self.mission)).missing_fields


@dataclass
class PlanPage:
    plan: ActionPlan
    missions: list[Mission]
    blocks: list[MissionBlock]
    archived: list[ActionSheet]
    numbers: dict[int, str]
    checklist: calc.Checklist
    active_count: int
    validated_count: int
    all_validated: bool
    budget_total: Decimal
    gantt: calc.GanttChart | None = None
    facts: list[calc.SheetFacts] = field(default_factory=list)


def mission_intros(plan: ActionPlan) -> dict[int, MissionIntro]:
    """The plan's inventories and objectives by mission id (one query)."""
    return {intro.mission_id: intro for intro in MissionIntro.objects.filter(plan=plan)}


def action_plan_page(plan: ActionPlan, *, full: bool = False, with_gantt: bool = False) -> PlanPage:
    """Everything the plan page (and the Gantt, the exports and the PDF) shows, in a fixed number of queries."""
    missions = mission_list()
    intros = mission_intros(plan)
    sheets = list(sheet_queryset(plan, full=full))
    for sheet in sheets:
        sheet.plan = plan
    numbers = sheet_numbers(sheets)
    active = [s for s in sheets if not s.is_archived]
    facts = sheet_facts(active, numbers)
    m_facts = mission_facts(missions)
    blocks = []
    for mission, m_fact in zip(missions, m_facts, strict=True):
        mine = [s for s in active if s.mission_id == mission.pk]
        deadlines = calc.mission_deadlines(m_fact, plan.planned_signature_date)
        blocks.append(MissionBlock(mission, mine, deadlines, intro=intros.get(mission.pk)))
    for sheet in sheets:
        sheet.number = numbers.get(sheet.pk, "")
    gantt = None
    if with_gantt and plan.planned_signature_date:
        gantt = calc.gantt_layout(m_facts, facts, plan.planned_signature_date)
    return PlanPage(
        plan=plan,
        missions=missions,
        blocks=blocks,
        archived=[s for s in sheets if s.is_archived],
        numbers=numbers,
        checklist=calc.build_checklist(m_facts, facts, plan.planned_signature_date),
        active_count=len(active),
        validated_count=sum(1 for s in active if s.status == SheetStatus.VALIDATED),
        all_validated=bool(active) and all(s.status == SheetStatus.VALIDATED for s in active),
        budget_total=sum((s.budget_estimate or Decimal("0") for s in active), Decimal("0")),
        gantt=gantt,
        facts=facts,
    )


CONTACT_LABELS = (("postal_address", "adresse"), ("phone", "téléphone"), ("email", "e-mail"))


def plan_missing(cpts, page: PlanPage | None = None) -> list[tuple[str, str]]:
    """What the actions of the health project still lack, for its completeness panel: ``(French label, URL where it
    is filled)``, read from the plan's page (``page`` when the caller has it, else read here, a fixed number of
    queries).

    Per ACI mission to describe (core, or optional with an action): its inventory and objectives (seed 003), on the
    plan page at the mission's anchor. Per active fiche (seed 000 Annexe 7): its pilot, the pilot's professional
    contact (address, phone, e-mail) and their consent to its transmission to the ARS, in the member's form.
    """
    plan_url = reverse("missions:plan_detail", kwargs={"cpts_pk": cpts.pk})
    if page is None:
        plan = plan_for_cpts(cpts)
        if plan is None:
            return [("Plan d'actions du projet de santé à ouvrir", plan_url)]
        page = action_plan_page(plan)
    missing: list[tuple[str, str]] = []
    for block in page.blocks:
        if labels := block.intro_missing:
            mission = block.mission
            missing.append((f"{mission} : {', '.join(labels)} à rédiger", f"{plan_url}#etat-des-lieux-{mission.code}"))
    for sheet in (sheet for block in page.blocks for sheet in block.sheets):
        name = f"Fiche {page.numbers.get(sheet.pk, '')} « {sheet.title} »"
        pilot = sheet.pilot
        if pilot is None:
            url = reverse("missions:sheet_update", kwargs={"cpts_pk": cpts.pk, "pk": sheet.pk})
            missing.append((f"{name} : pilote à désigner", url))
            continue
        member_url = reverse("governance:member_update", kwargs={"cpts_pk": cpts.pk, "pk": pilot.pk})
        absent = [label for field_name, label in CONTACT_LABELS if not getattr(pilot, field_name)]
        if absent:
            what = ", ".join(absent)
            missing.append((f"{name} : coordonnées du pilote {pilot.display_name} à compléter ({what})", member_url))
        if not pilot.shares_contact_with_ars:
            missing.append(
                (
                    f"{name} : consentement du pilote {pilot.display_name} à la transmission de ses coordonnées "
                    "à l'ARS à recueillir",
                    member_url,
                )
            )
    return missing


def pilot_invitation(sheet: ActionSheet) -> MemberInvitation | None:
    """The invitation to a portal account still open for the fiche's pilot who has none (shown to coordinators)."""
    if sheet.pilot is None or sheet.pilot.user_id is not None:
        return None
    return invitation_pending_for(sheet.pilot)


def sheet_history(sheet: ActionSheet, limit: int = 20) -> list:
    return list(sheet.history.select_related("history_user").order_by("-history_date")[:limit])


# --- Exports -------------------------------------------------------------------------------------------------------

TABLE_COLUMNS = [
    "Mission",
    "N°",
    "Action (titre de la fiche action)",
    "Objectifs attendus",
    "Pilote",
    "Travail préparatoire",
    "Démarrage",
    "Déploiement complet",
    "Échéance finale",
    "Indicateurs",
    "Indicateurs de financement",
    "Budget estimé (€)",
    "Validation",
]


def actions_table_rows(page: PlanPage) -> list[list]:
    """The table of actions per mission (seed 003 "Actions de la CPTS"), one row per active fiche."""
    rows = []
    for block in page.blocks:
        for sheet in block.sheets:
            indicators = list(sheet.indicators.all())
            rows.append(
                [
                    str(block.mission),
                    page.numbers.get(sheet.pk, ""),
                    sheet.title,
                    sheet.objectives,
                    sheet.pilot.display_name if sheet.pilot else "",
                    sheet.preparation_start,
                    sheet.start_date,
                    sheet.deployment_date,
                    sheet.end_date,
                    len(indicators),
                    sum(1 for i in indicators if i.is_funding),
                    sheet.budget_estimate,
                    sheet.get_status_display(),
                ]
            )
    return rows


# --- The frozen form -----------------------------------------------------------------------------------------------


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _money(value: Decimal | None) -> str | None:
    return str(value) if value is not None else None


def _person(member, *, with_contact: bool = False) -> dict | None:
    """A member as a fiche names them; ``with_contact`` (pilot, working group: Annexe 7) adds their professional
    contact as the ARS may receive it: only with their consent (``governance.rgpd.ars_contact``)."""
    if member is None:
        return None
    person = {
        "id": member.pk,
        "name": member.display_name,
        "profession": member.kind_label,
        "commune": member.commune.name if member.commune_id else "",
    }
    if with_contact:
        person["contact"] = ars_contact(member)
    return person


def _intro(intro: MissionIntro | None) -> dict:
    return {name: getattr(intro, name) if intro else "" for name in INTRO_FIELDS}


INTRO_FIELDS = ("existing_offer", "patient_objectives", "priority_target", "actor_objectives")


def serialise_sheet(sheet: ActionSheet, number: str = "") -> dict:
    """One fiche, every field, as plain JSON (the sheet must come from ``sheet_queryset(full=True)``)."""
    return {
        "id": sheet.pk,
        "number": number,
        "title": sheet.title,
        "mission": sheet.mission.code,
        "sub_mission": sheet.sub_mission.code if sheet.sub_mission else None,
        "sub_theme": sheet.sub_theme,
        "position": sheet.position,
        "status": sheet.status,
        "version": sheet.version,
        "outside_aci": not sheet.mission.is_aci,
        "pilot": _person(sheet.pilot, with_contact=True),
        "working_group": [_person(m, with_contact=True) for m in sheet.working_group.all()],
        "actors": {
            "members": [_person(m) for m in sheet.involved_members.all()],
            "partners": [
                {"id": p.pk, "name": p.name, "representative": p.representative} for p in sheet.partners.all()
            ],
            "others": sheet.other_actors,
        },
        "problems": sheet.problems,
        "figures": [
            {
                "label": f.label,
                "value": _money(f.value),
                "unit": f.unit,
                "source": f.source,
                "year": f.year,
                "diagnostic_indicator": f.diagnostic_indicator,
            }
            for f in sheet.figures.all()
        ],
        "objectives": sheet.objectives,
        "target_public": sheet.target_public,
        "sub_actions": [
            {
                "description": a.description,
                "responsible": a.responsible.display_name if a.responsible else None,
                "who": a.who,
                "due_date": _iso(a.due_date),
            }
            for a in sheet.sub_actions.all()
        ],
        "indicators": [
            {
                "label": i.label,
                "kind": i.kind,
                "unit": i.unit,
                "direction": i.direction,
                "source": i.source,
                "baseline_value": _money(i.baseline_value),
                "baseline_date": _iso(i.baseline_date),
                "is_funding": i.is_funding,
                "targets": {str(y): _money(getattr(i, f"target_{y}")) for y in CONTRACT_YEARS},
                "weights": {str(y): _money(getattr(i, f"weight_{y}")) for y in CONTRACT_YEARS},
                "catalogue": i.template_id,
            }
            for i in sheet.indicators.all()
        ],
        "planning": {
            "preparation_start": _iso(sheet.preparation_start),
            "start_date": _iso(sheet.start_date),
            "deployment_date": _iso(sheet.deployment_date),
            "end_date": _iso(sheet.end_date),
            "steps": [
                {"label": s.label, "date": _iso(s.date), "is_funder_meeting": s.is_funder_meeting}
                for s in sheet.steps.all()
            ],
        },
        "obstacles": sheet.obstacles,
        "levers": sheet.levers,
        "budget_estimate": _money(sheet.budget_estimate),
        "budget_details": sheet.budget_details,
        "existing_resources": sheet.existing_resources,
        "means": {"logistic": sheet.means_logistic, "digital": sheet.means_digital, "human": sheet.means_human},
    }


def serialise_action_plan(plan: ActionPlan, page: PlanPage | None = None) -> dict:
    """The whole actions side of the health project as JSON, for a frozen version of the dossier.

    Archived fiches are not part of the project and are left out. Dates are ISO strings, money strings. Each ACI
    mission carries its inventory and objectives (``intro``, before its fiches); the pilot and the working group of
    each fiche carry their professional contact only with the member's consent (``contact``).
    """
    page = page or action_plan_page(plan, full=True)
    sheets = [s for block in page.blocks for s in block.sheets]
    outside_codes = {block.mission.code for block in page.blocks if not block.mission.is_aci}
    return {
        "schema_version": SCHEMA_VERSION,
        "cpts": {"id": plan.cpts_id, "name": plan.cpts.name},
        "planned_signature_date": _iso(plan.planned_signature_date),
        "status": plan.status,
        "missions": [
            {
                "code": block.mission.code,
                "title": block.mission.title,
                "category": block.mission.category,
                "outside_aci": not block.mission.is_aci,
                "intro": _intro(block.intro) if block.has_intro else None,
                "intro_missing": block.intro_missing,
                "sub_missions": [
                    {"code": s.code, "title": s.title, "budget_line": s.budget_line}
                    for s in block.mission.sub_missions.all()
                ],
                "start_delay_months": block.mission.start_delay_months,
                "deployment_delay_months": block.mission.deployment_delay_months,
                "deadlines": {"start": _iso(block.deadlines.start), "deployment": _iso(block.deadlines.deployment)},
                "sheets": [page.numbers[s.pk] for s in block.sheets],
            }
            for block in page.blocks
        ],
        "sheets": [serialise_sheet(s, page.numbers[s.pk]) for s in sheets],
        "planning_rows": [
            {
                "number": f.number,
                "title": f.title,
                "mission": f.mission_code,
                "outside_aci": f.mission_code in outside_codes,
                "preparation_start": _iso(f.preparation_start),
                "start_date": _iso(f.start_date),
                "deployment_date": _iso(f.deployment_date),
                "end_date": _iso(f.end_date),
            }
            for f in page.facts
        ],
        "budget_total": _money(page.budget_total),
        "checklist": [
            {"code": i.code, "label": i.label, "ok": i.ok, "blocking": i.blocking, "problems": list(i.problems)}
            for i in page.checklist.items
        ],
    }


# --- Figures of the diagnostic ----------------------------------------------------------------------------------------


def diagnostic_figures(cpts) -> list[dict]:
    """Figures of the territory's diagnostic a fiche may quote in its problems: ``[{code, label, value, unit,
    source, year}]`` (territory values only).

    ``diagnostics`` owns indicator values: the territory column of ``diagnostics.reports.diagnostic_report`` is
    read (it also computes the comparisons, so it is only called on the fiche's edit page).
    """
    territory = related_or_none(cpts, "territory")
    if territory is None:
        return []
    figures = []
    for report in diagnostic_report(diagnostics_selectors.territory_summary(territory)):
        value = report.territory.aggregate.value if report.territory else None
        if value is None:
            continue
        dataset = report.dataset
        figures.append(
            {
                "code": report.indicator.code,
                "label": report.indicator.label,
                "value": value.quantize(Decimal("0.01")),
                "unit": report.indicator.unit,
                "source": (dataset.source if dataset and dataset.source else report.indicator.source),
                "year": (dataset.year if dataset and dataset.year else report.indicator.year),
            }
        )
    return figures


# --- Edit conflicts ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConflictRow:
    label: str
    saved: str
    yours: str


@dataclass(frozen=True)
class Conflict:
    saved_by: str
    saved_at: dt.datetime
    version: int
    rows: tuple[ConflictRow, ...]


def _display(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dt.date):
        return calc.french_date(value)
    if hasattr(value, "all"):
        value = list(value.all())
    if isinstance(value, (list, tuple, set)):
        return ", ".join(sorted(str(getattr(v, "display_name", v)) for v in value)) or "—"
    return str(getattr(value, "display_name", value))


def _list_lines(items) -> str:
    return "\n".join(items) or "—"


LIST_LABELS = {"figures": "Données chiffrées", "sub_actions": "Sous-actions et qui fait quoi", "steps": "Étapes"}


def _saved_list(current: ActionSheet, prefix: str) -> list[str]:
    if prefix == "figures":
        return [f"{f.label} : {_display(f.value)} {f.unit}".strip() for f in current.figures.all()]
    if prefix == "sub_actions":
        return [f"{a.description} ({a.who or _display(a.responsible)})" for a in current.sub_actions.all()]
    return [f"{s.label} ({_display(s.date)})" for s in current.steps.all()]


def _posted_list(formset, prefix: str) -> list[str]:
    lines = []
    for data in formset.cleaned_data:
        if not data or data.get("DELETE"):
            continue
        if prefix == "figures":
            lines.append(f"{data.get('label')} : {_display(data.get('value'))} {data.get('unit', '')}".strip())
        elif prefix == "sub_actions":
            lines.append(f"{data.get('description')} ({data.get('who') or _display(data.get('responsible'))})")
        else:
            lines.append(f"{data.get('label')} ({_display(data.get('date'))})")
    return lines


def conflict_rows(form, formsets, current: ActionSheet) -> Conflict:
    """What differs between the saved fiche (``current``, full) and what this person typed, field by field."""
    rows = []
    for name, field_obj in form.fields.items():
        if name == "version":
            continue
        saved, yours = _display(getattr(current, name)), _display(form.cleaned_data.get(name))
        if saved != yours:
            rows.append(ConflictRow(str(field_obj.label), saved, yours))
    for formset in formsets:
        saved, yours = (
            _list_lines(_saved_list(current, formset.prefix)),
            _list_lines(_posted_list(formset, formset.prefix)),
        )
        if saved != yours:
            rows.append(ConflictRow(LIST_LABELS[formset.prefix], saved, yours))
    who = current.updated_by.get_full_name() or current.updated_by.email if current.updated_by else "—"
    return Conflict(saved_by=who, saved_at=current.updated_at, version=current.version, rows=tuple(rows))
