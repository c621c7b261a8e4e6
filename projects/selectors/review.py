"""Reads of the health project's review (issue 16): the region's template of sections, its grid (seed 000 Annexe 9),
and the grid as a table of every organisation's answers, criteria grouped by the section they judge.

The regional settings are the caller's (``workflows.health_project_services.project_settings``: frozen at the first
deposit, else those in force), so these reads never guess which settings apply."""

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from accounts.choices import ProjectSection, Stage

from ..calculations import order_by_template
from ..models import (
    DossierVersion,
    ExpectedOpinion,
    GridCriterion,
    Opinion,
    OpinionAnswer,
    OpinionGrid,
    ProjectDecision,
)

__all__ = [
    "GridGroup",
    "GridRow",
    "expected_opinions",
    "grid_groups",
    "project_grid",
    "review_opinions",
    "template_sections",
    "version_decision",
]

NATIONAL_SECTIONS = [code for code, _label in ProjectSection.choices]
SECTION_LABELS = dict(ProjectSection.choices)


def template_sections(settings) -> list[tuple[str, str]]:
    """Every section of the health project as ``(code, title)``, in the order and with the titles of the region's
    ARS template (``TemplateSection`` rows, seed 003); the sections it leaves out follow in the national order; a
    region without rows reads the national order. Reads the prefetched rows when the caller loaded them."""
    rows = list(settings.template_sections.all()) if settings is not None else []
    titles = {row.code: row.title for row in rows}
    ordered = order_by_template(NATIONAL_SECTIONS, lambda code: code, [row.code for row in rows], NATIONAL_SECTIONS)
    return [(code, titles.get(code) or str(SECTION_LABELS[code])) for code in ordered]


def project_grid(settings) -> OpinionGrid | None:
    """The grid the region's health project circuit names (``grid_code``), with its criteria; None without one."""
    circuit = settings.circuit(Stage.HEALTH_PROJECT) if settings is not None else None
    if circuit is None or not circuit.grid_code:
        return None
    criteria = GridCriterion.objects.order_by("order", "pk")
    return (
        OpinionGrid.objects.prefetch_related(Prefetch("criteria", queryset=criteria))
        .filter(code=circuit.grid_code)
        .first()
    )


def review_opinions(version: DossierVersion) -> list[Opinion]:
    """The opinions given on one version, the ARS's consolidated grid first, with their answers (3 queries)."""
    return list(
        Opinion.objects.filter(version=version)
        .select_related("organisation", "author")
        .prefetch_related(Prefetch("answers", queryset=_answers()))
        .order_by("-is_consolidated", "organisation__name", "pk")
    )


def _answers():
    return OpinionAnswer.objects.select_related("criterion")


def expected_opinions(version: DossierVersion) -> list[ExpectedOpinion]:
    return list(
        ExpectedOpinion.objects.filter(content_type_id=version.content_type_id, object_id=version.object_id)
        .select_related("organisation", "version")
        .order_by("due_at", "organisation__name")
    )


def version_decision(version: DossierVersion) -> ProjectDecision | None:
    """The decision on this version: the signed one, else the one prepared."""
    return (
        ProjectDecision.objects.filter(version=version)
        .select_related("prepared_by", "signed_by", "organisation")
        .order_by("signed_at", "-prepared_at")
        .last()
    )


@dataclass
class GridRow:
    criterion: GridCriterion
    answers: list = field(default_factory=list)  # (organisation label, OpinionAnswer | None), one per opinion


@dataclass
class GridGroup:
    code: str
    title: str
    rows: list[GridRow]


def grid_groups(criteria, opinions, sections: list[tuple[str, str]]) -> list[GridGroup]:
    """The grid as the page and the PDF read it: one group per section the criteria judge (in the template's order,
    criteria tied to no section last), each criterion with every opinion's answer (prefetched: no query)."""
    titles = dict(sections)
    by_opinion = [
        (
            f"{'Grille consolidée – ' if o.is_consolidated else ''}{o.organisation.name}",
            {a.criterion_id: a for a in o.answers.all()},
        )
        for o in opinions
    ]
    groups: dict[str, GridGroup] = {}
    for criterion in criteria:
        code = criterion.section or ""
        group = groups.get(code)
        if group is None:
            title = titles.get(code) or (str(SECTION_LABELS.get(code, code)) if code else _("Appréciation générale"))
            group = groups[code] = GridGroup(code, title, [])
        group.rows.append(GridRow(criterion, [(label, answers.get(criterion.pk)) for label, answers in by_opinion]))
    order = [code for code, _title in sections]
    return sorted(groups.values(), key=lambda g: order.index(g.code) if g.code in order else len(order))
