"""The health project's deposited versions as documents (issue 16): a version as the ARS received it, the grid
with its opinions as a page, the differences between two versions, and the PDFs rendered by the document task."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from ..calculations import health_project_diff
from ..choices import DocumentKind
from ..documents import (
    HEALTH_PROJECT_REVIEW_TEMPLATE,
    HEALTH_PROJECT_TEMPLATE,
    health_project_review_context,
)
from ..models import RenderedDocument
from ..permissions import (
    can_read_project_review,
    can_view_project,
    can_view_project_document,
)
from ..workflows.engine import rows_of
from ..workflows.health_project import (
    project_actor_roles,
)
from .documents import stored_document_response
from .health_project_review import ARS_SIDE, HealthProjectMixin


class HealthProjectVersionView(HealthProjectMixin, View):
    """A deposited version in the PDF's own template, its sections in the region's order (anchors the grid links
    to)."""

    permission = can_view_project
    http_method_names = ["get", "head"]

    def get(self, request, *args, **kwargs):
        version = self.get_version(kwargs["number"])
        context = {
            "version": version,
            "data": version.data,
            "sections": self.sections,
            "for_pdf": False,
            "back_url": reverse("projects:health_project_detail", args=[self.cpts.pk]),
        }
        return render(request, HEALTH_PROJECT_TEMPLATE, context)


class HealthProjectGridPreviewView(HealthProjectMixin, View):
    """The grid and its opinions on a version, on screen, in the PDF's template (printable while the review runs;
    the PDF is stored once the version's review is closed)."""

    permission = can_read_project_review
    http_method_names = ["get", "head"]

    def get(self, request, *args, **kwargs):
        version = self.get_version(kwargs["number"])
        context = {
            **health_project_review_context(version),
            "for_pdf": False,
            "back_url": reverse("projects:health_project_review", args=[self.cpts.pk]),
        }
        decision = context["decision"]
        if (
            decision is not None
            and decision.signed_at is None
            and not project_actor_roles(request.user, self.project) & ARS_SIDE
        ):
            context["decision"] = None  # a preparation is the ARS's until a decider signs it
        return render(request, HEALTH_PROJECT_REVIEW_TEMPLATE, context)


class HealthProjectVersionDiffView(HealthProjectMixin, TemplateView):
    """What changed between version n-1 (or ``?depuis=k``) and version n, field by field, by section."""

    permission = can_view_project
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
        ctx.update(
            title=_("Projet de santé – %(cpts)s") % {"cpts": self.cpts.name},
            back_url=reverse("projects:health_project_detail", args=[self.cpts.pk]),
            before=before,
            after=after,
            changes=health_project_diff(before.data, after.data),
        )
        return ctx


class HealthProjectDocumentDownloadView(HealthProjectMixin, View):
    """A stored PDF of a version (the deposited project, the grid with its opinions), byte for byte."""

    permission = can_view_project
    http_method_names = ["get", "head"]

    def get(self, request, *args, **kwargs):
        document = get_object_or_404(
            RenderedDocument.objects.select_related("version").filter(
                rows_of(self.project, via="version__"),
                kind__in=[DocumentKind.HEALTH_PROJECT, DocumentKind.HEALTH_PROJECT_REVIEW],
            ),
            pk=kwargs["document_pk"],
        )
        decision = can_view_project_document(request.user, document)
        if not decision:
            raise PermissionDenied(decision.reason)
        back = reverse("projects:health_project_detail", args=[self.cpts.pk])
        return stored_document_response(request, document, cpts_name=self.cpts.name, back=back)


# --- The project's page (``HealthProjectDetailView``) once the project exists ----------------------------------------

# The completeness panel's sections (``selectors.health_project``, numbered 1-6) and the template's section each is.
