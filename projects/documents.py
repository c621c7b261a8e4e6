"""The letter's documents: one context builder used by the HTML preview and by the PDF, from frozen data."""

from cpts_portal.pdf import render_pdf

from .choices import DocumentKind
from .models import DossierVersion, LetterDecision, Opinion, RenderedDocument

LETTER_TEMPLATE = "pdf/letter.html"


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


def render_document_pdf(document: RenderedDocument) -> bytes:
    context = letter_document_context(document.version, with_decision=document.kind == DocumentKind.LETTER_DECISION)
    return render_pdf(LETTER_TEMPLATE, context)
