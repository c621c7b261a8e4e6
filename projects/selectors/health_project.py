"""Reads about the health project: its page (every section and how complete it is) and its frozen snapshot."""

import datetime as dt
from dataclasses import dataclass, field
from typing import cast

from django.db.models import Field
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cpts_portal.formatting import format_number
from diagnostics.models import Diagnostic
from diagnostics.selectors import territory_entry_list, territory_for_cpts, territory_population, territory_size
from funding.choices import BudgetStatus
from funding.selectors import budget_data, budget_for_organisation, cpts_member_count
from governance.selectors import member_counts_by_category
from missions.selectors import action_plan_page, plan_for_cpts, serialise_action_plan

from ..models import HealthProject

__all__ = [
    "HEALTH_PROJECT_SCHEMA_VERSION",
    "IDENTITY_FIELDS",
    "HealthProjectPage",
    "Section",
    "health_project_for_cpts",
    "health_project_page",
    "health_project_snapshot",
]

HEALTH_PROJECT_SCHEMA_VERSION = 1
IDENTITY_FIELDS = [
    "project_date", "cpts_name", "association_name", "siret", "postal_address", "phone", "email", "public_email",
    "representative_name", "representative_profession", "representative_phone", "representative_email",
    "coordinator_name", "coordinator_profession", "coordinator_phone", "coordinator_email", "governance_description",
]  # fmt: skip
REQUIRED_IDENTITY = ["project_date", "cpts_name", "association_name", "siret", "email", "representative_name"]
ORGANISATION_FIELDS = ["ways_of_working", "uncovered_needs"]


@dataclass
class Section:
    number: int
    title: str
    complete: bool
    summary: str
    url: str = ""
    missing: list[str] = field(default_factory=list)
    is_project_form: bool = False  # ``url`` is the project's own edit form: only ``can_edit_health_project`` opens it


@dataclass
class HealthProjectPage:
    project: HealthProject
    sections: list[Section]

    @property
    def complete(self) -> bool:
        return all(s.complete for s in self.sections)


def health_project_for_cpts(cpts) -> HealthProject | None:
    return HealthProject.objects.filter(cpts=cpts).first()


def _identity_section(project: HealthProject) -> Section:
    missing = [
        str(cast(Field, HealthProject._meta.get_field(f)).verbose_name)
        for f in REQUIRED_IDENTITY
        if not getattr(project, f)
    ]
    return Section(
        1, _("Identité"), not missing,
        _("Complète") if not missing else _("À compléter : %(fields)s") % {"fields": ", ".join(missing)},
        reverse("projects:health_project_edit", args=[project.cpts_id]), missing, is_project_form=True,
    )  # fmt: skip


def _diagnostic_section(cpts) -> Section:
    territory = territory_for_cpts(cpts)
    entries = territory_entry_list(territory) if territory else []
    diagnostic = getattr(territory, "diagnostic", None) if territory else None
    has_narrative = bool(diagnostic and (diagnostic.needs_text or diagnostic.health_status_text))
    missing = []
    if not entries:
        missing.append(_("communes du territoire"))
    if not has_narrative:
        missing.append(_("besoins identifiés et état de santé"))
    population = territory_population(None, entries) if entries else 0
    size = territory_size(population) if entries else None
    summary = (
        _("%(n)d communes, %(pop)s habitants, taille %(size)s")
        % {"n": len(entries), "pop": format_number(population), "size": size or _("inconnue (aucun barème en vigueur)")}
        if entries
        else _("Aucune commune")
    )
    url = reverse("diagnostics:diagnostic_detail", kwargs={"cpts_pk": cpts.pk})
    return Section(2, _("Diagnostic territorial"), not missing, summary, url, missing)


def _actions_section(cpts) -> Section:
    plan = plan_for_cpts(cpts)
    url = reverse("missions:plan_detail", kwargs={"cpts_pk": cpts.pk})
    if plan is None:
        return Section(3, _("Actions par mission et macro-planning"), False, _("Plan d'actions non commencé"),
                       url, [_("plan d'actions")])  # fmt: skip
    page = action_plan_page(plan)
    complete = page.checklist.is_complete
    summary = _("%(n)d fiches action dont %(validated)d validées ; liste de contrôle %(state)s") % {
        "n": page.active_count,
        "validated": page.validated_count,
        "state": _("complète") if complete else _("incomplète"),
    }
    return Section(3, _("Actions par mission et macro-planning"), complete, summary, url,
                   [] if complete else [_("règles de la liste de contrôle")])  # fmt: skip


def _organisation_section(project: HealthProject, cpts, on: dt.date) -> Section:
    # As the scale counts them (its taille 4++ rule), like the budget: one count, funding.selectors.cpts_member_count.
    members = cpts_member_count(cpts, on=on)
    missing = [] if members else [_("membres de la CPTS")]
    if not project.ways_of_working:
        missing.append(str(HealthProject._meta.get_field("ways_of_working").verbose_name))
    return Section(4, _("Organisation et gouvernance"), not missing,
                   _("%(n)d membres à ce jour") % {"n": members},
                   reverse("governance:overview", kwargs={"cpts_pk": cpts.pk}), missing)  # fmt: skip


def _budget_section(cpts) -> Section:
    budget = budget_for_organisation(cpts)
    url = reverse("funding:budget_detail", args=[cpts.pk])
    if budget is None:
        return Section(5, _("Budget"), False, _("Budget non commencé"), url, [_("budget")])
    complete = budget.status == BudgetStatus.COMPLETE
    return Section(5, _("Budget"), complete, budget.get_status_display().capitalize(), url,
                   [] if complete else [_("budget équilibré et marqué complet")])  # fmt: skip


def _quality_section(project: HealthProject) -> Section:
    complete = bool(project.quality_evaluation)
    return Section(6, _("Qualité et évaluation"), complete, _("Rédigée") if complete else _("À rédiger"),
                   reverse("projects:health_project_edit", args=[project.cpts_id]),
                   [] if complete else [_("démarche qualité et évaluation")], is_project_form=True)  # fmt: skip


def health_project_page(project: HealthProject, *, on: dt.date | None = None) -> HealthProjectPage:
    """Every section with its state, what is missing, and where to complete it."""
    on = on or timezone.localdate()
    cpts = project.cpts
    return HealthProjectPage(
        project,
        [
            _identity_section(project),
            _diagnostic_section(cpts),
            _actions_section(cpts),
            _organisation_section(project, cpts, on),
            _budget_section(cpts),
            _quality_section(project),
        ],
    )


def _value(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def health_project_snapshot(project: HealthProject, *, on: dt.date | None = None) -> dict:
    """The whole health project as JSON: what a submitted version freezes (schema_version'ed)."""
    from .letters import territory_rows

    on = on or timezone.localdate()
    cpts = project.cpts
    communes, population, instructing_region = territory_rows(cpts)
    diagnostic = Diagnostic.objects.filter(territory__cpts=cpts).first()
    plan = plan_for_cpts(cpts)
    budget = budget_for_organisation(cpts)
    return {
        "schema_version": HEALTH_PROJECT_SCHEMA_VERSION,
        "cpts": {"id": cpts.pk, "name": cpts.name},
        "identity": {f: _value(getattr(project, f)) for f in IDENTITY_FIELDS},
        "diagnostic": {
            "communes": communes,
            "population": population,
            "size": territory_size(population),
            "instructing_region": instructing_region,
            "narrative": {
                f: getattr(diagnostic, f) if diagnostic else ""
                for f in (
                    "population_text",
                    "health_status_text",
                    "care_offer_text",
                    "existing_coordination_text",
                    "needs_text",
                )  # fmt: skip
            },
        },
        "actions": serialise_action_plan(plan) if plan else None,
        "organisation": {
            "members_on": on.isoformat(),
            "member_count": cpts_member_count(cpts, on=on),
            "by_category": [
                {
                    "code": row.code,
                    "label": row.label,
                    "joined": row.joined,
                    "in_governance": row.in_governance,
                    "took_part_in_writing": row.took_part_in_writing,
                    "share": str(row.share),
                }  # fmt: skip
                for row in member_counts_by_category(cpts, on)
            ],
            **{f: getattr(project, f) for f in ORGANISATION_FIELDS},
        },
        "budget": budget_data(budget) if budget else None,
        "quality_evaluation": project.quality_evaluation,
    }
