"""The dossiers' documents: one context builder per document, used by the HTML preview and by the PDF, from frozen
data (the letter; the deposited health project and the ARS's grid with its opinions, issue 16)."""

from accounts.models import circuits_prefetch
from cpts_portal.pdf import render_pdf

from .calculations import grid_facts
from .choices import DeadlineKind, DocumentKind
from .models import DossierVersion, HealthProject, LetterDecision, Opinion, RenderedDocument
from .selectors.review import (
    expected_opinions,
    grid_groups,
    project_grid,
    review_opinions,
    template_sections,
    version_decision,
)

LETTER_TEMPLATE = "pdf/letter.html"
HEALTH_PROJECT_TEMPLATE = "pdf/health_project.html"
HEALTH_PROJECT_REVIEW_TEMPLATE = "pdf/health_project_review.html"


def letter_document_context(version: DossierVersion, *, with_decision: bool) -> dict:
    """What the letter template needs: the frozen data of ``version``, and with ``with_decision`` the opinions
    given on it and the decision (both are records of that version, never the live draft)."""
    context = {"version": version, "data": version.data, "with_decision": with_decision}
    if with_decision:
        context["opinions"] = list(
            Opinion.objects.filter(version=version)
            .select_related("organisation", "author")
            .prefetch_related("answers__criterion")
            .order_by("-is_consolidated", "organisation__name")
        )
        context["decision"] = (
            LetterDecision.objects.filter(letter_id=version.object_id, version=version)
            .select_related("decided_by", "organisation")
            .prefetch_related("instalments")
            .first()
        )
    return context


def _project_of(version: DossierVersion) -> HealthProject:
    """The project of a version with what its documents read: its CPTS's département, the settings it is judged
    under (frozen at its first deposit) with their circuits and template sections."""
    return (
        HealthProject.objects.select_related("cpts__departement", "regional_settings")
        .prefetch_related(circuits_prefetch("regional_settings__"), "regional_settings__template_sections")
        .get(pk=version.object_id)
    )


def health_project_document_context(version: DossierVersion) -> dict:
    """The deposited health project: its frozen data, its sections in the order of the region's template (the
    settings the project was judged under, frozen at its first deposit)."""
    project = _project_of(version)
    return {"version": version, "data": version.data, "sections": template_sections(project.regional_settings)}


def health_project_review_context(version: DossierVersion) -> dict:
    """The ARS's grid (seed 000 Annexe 9) on one version: the counts prefilled from the version's data, every
    criterion grouped by the section it judges with each organisation's answer, the opinions, those still awaited,
    and the decision. A fixed number of queries whatever the number of opinions."""
    project = _project_of(version)
    settings = project.regional_settings
    sections = template_sections(settings)
    grid = project_grid(settings)
    opinions = review_opinions(version)
    deadline = project.deadlines.filter(kind=DeadlineKind.TACIT_VALIDATION, closed_at__isnull=True).first()
    return {
        "version": version,
        "data": version.data,
        "departement": project.cpts.departement,
        "facts": grid_facts(version.data),
        "groups": grid_groups(grid.criteria.all() if grid else [], opinions, sections),
        "opinions": opinions,
        "awaited": [e for e in expected_opinions(version) if e.is_pending],
        "decision": version_decision(version),
        "tacit_at": deadline.due_at if deadline else None,
    }


def render_document_pdf(document: RenderedDocument) -> bytes:
    if document.kind == DocumentKind.HEALTH_PROJECT:
        return render_pdf(HEALTH_PROJECT_TEMPLATE, health_project_document_context(document.version))
    if document.kind == DocumentKind.HEALTH_PROJECT_REVIEW:
        return render_pdf(HEALTH_PROJECT_REVIEW_TEMPLATE, health_project_review_context(document.version))
    context = letter_document_context(document.version, with_decision=document.kind == DocumentKind.LETTER_DECISION)
    return render_pdf(LETTER_TEMPLATE, context)
