"""Reading versions: the HTML preview (the PDF's own template), the diff between versions, the stored PDF."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from ..choices import DOCUMENT_FILE_NAMES, DocumentKind, RenderStatus
from ..documents import LETTER_TEMPLATE, letter_document_context
from ..models import DossierVersion, RenderedDocument
from ..permissions import can_read_opinions, can_view_document, can_view_letter
from ..selectors import letter_diff
from ..services import document_render_again
from ..workflows.engine import rows_of
from .base import LetterMixin


class VersionMixin(LetterMixin):
    permission = can_view_letter

    def get_version(self, number) -> DossierVersion:
        return get_object_or_404(
            DossierVersion.objects.select_related("submitted_by").filter(rows_of(self.letter)),
            number=number,
        )


class VersionPreviewView(VersionMixin, TemplateView):
    """The frozen version in the PDF's own template (what the PDF holds, on screen)."""

    def get(self, request, *args, **kwargs):
        version = self.get_version(kwargs["number"])
        with_decision = request.GET.get("avec") == "decision"
        context = letter_document_context(version, with_decision=with_decision)
        if with_decision and not can_read_opinions(request.user, self.letter):
            context["opinions"] = []  # not yet for the CPTS (its region's setting), never for the Assurance Maladie
        return render(request, LETTER_TEMPLATE, {**context, "for_pdf": False, "letter": self.letter})


class VersionDiffView(VersionMixin, TemplateView):
    """What changed between version n-1 (or ``?depuis=k``) and version n, field by field."""

    template_name = "projects/version_diff.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        after = self.get_version(kwargs["number"])
        try:
            since = int(self.request.GET.get("depuis", after.number - 1))
        except ValueError as exc:
            raise Http404 from exc
        if since < 1 or since >= after.number:
            raise Http404
        before = self.get_version(since)
        ctx.update(letter=self.letter, before=before, after=after, changes=letter_diff(before, after))
        return ctx


def stored_document_response(request, document: RenderedDocument, *, cpts_name: str, back: str):
    """A ready document's stored bytes under its French name, with their SHA-256 in a header; a stored file that has
    gone missing is rendered again from its version, and the person is sent back to the URL ``back`` with a message.
    Permission is the caller's."""
    if document.status != RenderStatus.READY:
        raise Http404
    name = DOCUMENT_FILE_NAMES[DocumentKind(document.kind)]
    filename = f"{name}-{slugify(cpts_name)}-v{document.version.number}.pdf"
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, ValueError):  # ValueError: no file name at all
        document_render_again(document_id=document.pk)
        messages.warning(
            request,
            _(
                "Le fichier « %(document)s » de la version %(number)s est introuvable sur le serveur. Il est en "
                "cours de régénération à partir de la version déposée : réessayez dans quelques minutes."
            )
            % {"document": document.get_kind_display(), "number": document.version.number},
        )
        return redirect(back)
    response = FileResponse(handle, content_type="application/pdf", as_attachment=True, filename=filename)
    response["X-Content-SHA256"] = document.sha256
    return response


class DocumentDownloadView(LetterMixin, TemplateView):
    """The stored PDF of a version, byte for byte (its SHA-256 is on the dossier page)."""

    permission = can_view_letter

    def get(self, request, *args, **kwargs):
        document = get_object_or_404(
            RenderedDocument.objects.select_related("version").filter(rows_of(self.letter, via="version__")),
            pk=kwargs["document_pk"],
        )
        decision = can_view_document(request.user, document)
        if not decision:
            raise PermissionDenied(decision.reason)
        back = reverse("projects:letter_detail", args=[self.letter.pk])
        return stored_document_response(request, document, cpts_name=self.letter.cpts.name, back=back)
