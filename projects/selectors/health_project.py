"""Reads about the health project: its page (every section and how complete it is) and its frozen snapshot."""

import datetime as dt
from dataclasses import dataclass, field
from typing import cast

from django.db.models import Field, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.choices import Stage
from accounts.models import circuits_prefetch
from accounts.selectors import is_administrator
from cpts_portal.formatting import format_number
from diagnostics.parts import CPTS_ACTORS, REVIEWING_ACTORS, Actor, dossier_parts_q
from diagnostics.reports import diagnostic_report, indicator_snapshot
from diagnostics.selectors import (
    diagnostic_missing,
    diagnostic_snapshot,
    territory_entry_list,
    territory_for_cpts,
    territory_population,
    territory_size,
    territory_summary,
)
from funding.choices import BudgetStatus
from funding.models import Budget
from funding.selectors import budget_data, budget_for_organisation, cpts_member_count
from governance.choices import DocumentKind
from governance.selectors import member_counts_by_category, organisation_snapshot
from missions.selectors import PlanPage, action_plan_page, plan_for_cpts, plan_missing, serialise_action_plan

from ..choices import DeadlineKind, HealthProjectStatus
from ..models import Deadline, ExpectedOpinion, HealthProject

__all__ = [
    "HEALTH_PROJECT_SCHEMA_VERSION",
    "IDENTITY_FIELDS",
    "HealthProjectPage",
    "Missing",
    "Section",
    "health_project_for_cpts",
    "health_project_page",
    "health_project_snapshot",
    "project_list_for_user",
    "project_visibility_q",
    "recognised_cpts",
]

HEALTH_PROJECT_SCHEMA_VERSION = 2  # 2: the diagnostic's method and links, mission intros, the organisation
IDENTITY_FIELDS = [
    "project_date", "cpts_name", "association_name", "siret", "postal_address", "phone", "email", "public_email",
    "representative_name", "representative_profession", "representative_phone", "representative_email",
    "coordinator_name", "coordinator_profession", "coordinator_phone", "coordinator_email", "governance_description",
]  # fmt: skip
REQUIRED_IDENTITY = ["project_date", "cpts_name", "association_name", "siret", "email", "representative_name"]
ORGANISATION_FIELDS = ["ways_of_working", "uncovered_needs"]


@dataclass(frozen=True)
class Missing:
    """One thing a section still lacks, and the page (anchor) where it is filled."""

    label: str
    url: str
    project_form: bool = False  # on the project's own form: a link only for who may edit the project

    def __str__(self) -> str:
        return self.label


@dataclass
class Section:
    number: int
    title: str
    complete: bool
    summary: str
    url: str = ""
    missing: list[Missing] = field(default_factory=list)
    is_project_form: bool = False  # ``url`` is the project's own edit form: only ``can_edit_health_project`` opens it


@dataclass
class HealthProjectPage:
    project: HealthProject
    sections: list[Section]
    # What the sections were read from, for the internal validation's guard (no second read).
    plan_page: PlanPage | None = None
    budget: Budget | None = None

    @property
    def complete(self) -> bool:
        return all(s.complete for s in self.sections)


def health_project_for_cpts(cpts) -> HealthProject | None:
    return HealthProject.objects.filter(cpts=cpts).first()


def _project_field(project: HealthProject, name: str) -> Missing:
    """A field of the project's own form, with the anchor of its input."""
    label = str(cast(Field, HealthProject._meta.get_field(name)).verbose_name)
    url = reverse("projects:health_project_edit", args=[project.cpts_id]) + f"#id_{name}"
    return Missing(label, url, project_form=True)


def _identity_section(project: HealthProject) -> Section:
    missing = [_project_field(project, f) for f in REQUIRED_IDENTITY if not getattr(project, f)]
    return Section(
        1, _("Identité"), not missing,
        _("Complète") if not missing else _("À compléter : %(fields)s") % {"fields": ", ".join(map(str, missing))},
        reverse("projects:health_project_edit", args=[project.cpts_id]), missing, is_project_form=True,
    )  # fmt: skip


def _diagnostic_section(cpts) -> Section:
    territory = territory_for_cpts(cpts)
    entries = territory_entry_list(territory) if territory else []
    missing = [Missing(label, url) for label, url in diagnostic_missing(cpts)]
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


def _actions_section(cpts, page) -> Section:
    url = reverse("missions:plan_detail", kwargs={"cpts_pk": cpts.pk})
    if page is None:
        return Section(3, _("Actions par mission et macro-planning"), False, _("Plan d'actions non commencé"),
                       url, [Missing(_("plan d'actions"), url)])  # fmt: skip
    complete = page.checklist.is_complete
    summary = _("%(n)d fiches action dont %(validated)d validées ; liste de contrôle %(state)s") % {
        "n": page.active_count,
        "validated": page.validated_count,
        "state": _("complète") if complete else _("incomplète"),
    }
    missing = [] if complete else [Missing(_("règles de la liste de contrôle"), url)]
    missing += [Missing(label, link) for label, link in plan_missing(cpts, page)]
    return Section(3, _("Actions par mission et macro-planning"), not missing, summary, url, missing)


def _organisation_section(project: HealthProject, cpts, on: dt.date, organisation: dict) -> Section:
    """Members (as the scale counts them, like the budget: ``funding.selectors.cpts_member_count``), their status,
    the statutes, a complete bureau and the inclusion dynamic: inclusiveness is a validation criterion (seed 003)."""
    members = cpts_member_count(cpts, on=on)
    governance = {"cpts_pk": cpts.pk}
    missing = []
    if not members:
        missing.append(Missing(_("membres de la CPTS"), reverse("governance:member_list", kwargs=governance)))
    without_status = sum(1 for row in organisation["adherents"] if not row["status"])
    if without_status:
        missing.append(
            Missing(
                ngettext(
                    "statut d'exercice de %(n)d adhérent (libéral, MSP, ESP, ESS, centre de santé, établissement)",
                    "statut d'exercice de %(n)d adhérents (libéral, MSP, ESP, ESS, centre de santé, établissement)",
                    without_status,
                )
                % {"n": without_status},
                reverse("governance:member_list", kwargs=governance),
            )
        )
    if not any(d["kind"] == DocumentKind.STATUTES for d in organisation["documents"]):
        missing.append(Missing(_("statuts de l'association"), reverse("governance:document_list", kwargs=governance)))
    bureau = organisation["bureau"]
    if not bureau["exists"] or bureau["missing_roles"]:
        roles = ", ".join(bureau["missing_roles"])
        missing.append(
            Missing(_("bureau complet (manque : %(roles)s)") % {"roles": roles},
                    reverse("governance:body_list", kwargs=governance))
        )  # fmt: skip
    if not organisation["inclusion_actions"]:
        missing.append(
            Missing(
                _("actions d'information des professionnels du territoire"),
                reverse("governance:inclusion_list", kwargs=governance),
            )
        )
    if not project.ways_of_working:
        missing.append(_project_field(project, "ways_of_working"))
    summary = _("%(n)d membres, %(p)d partenaires, %(b)d instances, %(a)d actions d'information à ce jour") % {
        "n": members,
        "p": len(organisation["partners"]),
        "b": len(organisation["bodies"]),
        "a": len(organisation["inclusion_actions"]),
    }
    return Section(4, _("Organisation et gouvernance"), not missing, summary,
                   reverse("governance:overview", kwargs=governance), missing)  # fmt: skip


def _budget_section(cpts, budget) -> Section:
    url = reverse("funding:budget_detail", args=[cpts.pk])
    if budget is None:
        return Section(5, _("Budget"), False, _("Budget non commencé"), url, [Missing(_("budget"), url)])
    complete = budget.status == BudgetStatus.COMPLETE
    return Section(5, _("Budget"), complete, budget.get_status_display().capitalize(), url,
                   [] if complete else [Missing(_("budget équilibré et marqué complet"), url)])  # fmt: skip


def _quality_section(project: HealthProject) -> Section:
    complete = bool(project.quality_evaluation)
    missing = [] if complete else [_project_field(project, "quality_evaluation")]
    return Section(6, _("Qualité et évaluation"), complete, _("Rédigée") if complete else _("À rédiger"),
                   reverse("projects:health_project_edit", args=[project.cpts_id]), missing,
                   is_project_form=True)  # fmt: skip


def health_project_page(project: HealthProject, *, on: dt.date | None = None) -> HealthProjectPage:
    """Every section with its state, what is missing, and where to complete it."""
    on = on or timezone.localdate()
    cpts = project.cpts
    plan = plan_for_cpts(cpts)
    plan_page = action_plan_page(plan) if plan is not None else None
    budget = budget_for_organisation(cpts)
    return HealthProjectPage(
        project,
        [
            _identity_section(project),
            _diagnostic_section(cpts),
            _actions_section(cpts, plan_page),
            _organisation_section(project, cpts, on, organisation_snapshot(cpts, on)),
            _budget_section(cpts, budget),
            _quality_section(project),
        ],
        plan_page=plan_page,
        budget=budget,
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
    territory = territory_for_cpts(cpts)
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
            **diagnostic_snapshot(cpts),
            # The typical indicators (seed 000), each with its definition and source, at every compared level.
            "indicators": indicator_snapshot(diagnostic_report(territory_summary(territory))) if territory else [],
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
            **organisation_snapshot(cpts, on),
        },
        "budget": budget_data(budget) if budget else None,
        "quality_evaluation": project.quality_evaluation,
    }


def recognised_cpts(region_id: int) -> list[HealthProject]:
    """The regional register: the CPTS whose health project the region validated (express or tacit), with the date
    and the kind of validation, the earliest recognised first (one query)."""
    return list(
        HealthProject.objects.filter(
            instructing_region_id=region_id,
            status__in=[HealthProjectStatus.VALIDATED, HealthProjectStatus.VALIDATED_TACITLY],
        )
        .select_related("cpts__departement")
        .order_by("recognised_on", "cpts__name")
    )


def project_visibility_q(user) -> Q | None:
    """The health projects a person may see (None: all of them), as ``permissions.can_view_project`` decides for one:
    the CPTS's people always; the reviewing parts, the bodies of the circuit and the Assurance Maladie of the area once
    the project was deposited."""
    if is_administrator(user):
        return None
    deposited = Q(current_version_number__gt=0)
    reviewing = REVIEWING_ACTORS | {Actor.HEALTH_INSURANCE}
    return dossier_parts_q(user, CPTS_ACTORS, stage=Stage.HEALTH_PROJECT) | deposited & dossier_parts_q(
        user, reviewing, stage=Stage.HEALTH_PROJECT
    )


def project_list_for_user(user) -> QuerySet[HealthProject]:
    """Every health project the person may see, with what the list reads prefetched (the settings and their circuits,
    the opinions awaited, the open clock rows): a fixed number of queries whatever the number of projects."""
    qs = HealthProject.objects.select_related("cpts__region", "cpts__departement", "regional_settings")
    q = project_visibility_q(user)
    if q is not None:
        qs = qs.filter(pk__in=HealthProject.objects.filter(q).values("pk"))
    return qs.prefetch_related(
        circuits_prefetch("regional_settings__"),
        Prefetch("expected_opinions", queryset=ExpectedOpinion.objects.select_related("organisation")),
        Prefetch(
            "deadlines",
            queryset=Deadline.objects.filter(closed_at__isnull=True, kind=DeadlineKind.TACIT_VALIDATION),
        ),
    ).order_by("-updated_at", "pk")
