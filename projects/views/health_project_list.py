"""The health projects a person may see (the ARS's weekly list: who deposited, whose opinions are awaited, when
silence will mean validation), and the regional register of the CPTS whose project was validated."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import ListView

from accounts.models import Region
from accounts.selectors import membership_list_for_user
from cpts_portal.tabular import table_response
from diagnostics.parts import departement_ids_prime

from ..choices import HealthProjectStatus, ValidationKind
from ..models import HealthProject
from ..selectors.health_project import project_list_for_user, project_visibility_q, recognised_cpts
from ..selectors.letters import opinion_counter
from ..workflows.engine import definition_for
from ..workflows.health_project import project_actor_roles
from ..workflows.health_project_services import tacit_validation_at


class HealthProjectListView(LoginRequiredMixin, ListView):
    """Every health project the person may see, with its status as their part reads it, the opinions received and
    awaited, and the date on which silence means validation (the clock's own function, as the project's page)."""

    template_name = "projects/healthproject_list.html"
    context_object_name = "projects"
    paginate_by = 50

    def get_queryset(self):
        return project_list_for_user(self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, today = self.request.user, timezone.localdate()
        # A departmental body's parts read each CPTS's area: one query for the page, not one per row.
        departement_ids_prime([project.cpts for project in ctx["projects"]], for_user=user)
        rows = []
        for project in ctx["projects"]:
            roles = project_actor_roles(user, project)
            tacit_at = tacit_validation_at(project)  # the prefetched open clock row
            rows.append(
                {
                    "project": project,
                    "label": definition_for(project).label_of(project, roles),
                    "counter": opinion_counter(project) if project.current_version_number else None,
                    "tacit_at": tacit_at,
                    "days_left": (timezone.localdate(tacit_at) - today).days if tacit_at else None,
                    "paused": project.status == HealthProjectStatus.COMPLEMENTS_REQUESTED,
                }
            )
        ctx["rows"] = rows
        return ctx


def _default_region_id(user) -> int | None:
    """The region of the person's first organisation: the register they most likely look for."""
    return next((m.organisation.region_id for m in membership_list_for_user(user)), None)


REGISTER_COLUMNS = ["CPTS", "Département", "Reconnue le", "Type de validation", "Version validée"]


class RecognisedRegisterView(LoginRequiredMixin, ListView):
    """The regional register: every CPTS whose health project the region validated, expressly or tacitly, with the
    date and the kind of validation (public information, as the ARS publish it), for one region at a time; a link to
    the project for those who may read it; CSV or XLSX export."""

    template_name = "projects/recognised_register.html"
    context_object_name = "entries"  # a region has some tens of CPTS: one page
    http_method_names = ["get", "head"]

    def _region(self) -> Region | None:
        code = self.request.GET.get("region", "")
        if code:
            region = Region.objects.filter(code=code).first()
            if region is None:
                raise Http404(_("Région inconnue."))
            return region
        region_id = _default_region_id(self.request.user)
        return Region.objects.filter(pk=region_id).first() if region_id else Region.objects.order_by("name").first()

    def get_queryset(self) -> list[HealthProject]:  # type: ignore[override]
        self.region = self._region()
        return recognised_cpts(self.region.pk) if self.region else []

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("format", "")
        if fmt in ("csv", "xlsx"):
            entries = self.get_queryset()
            kinds = dict(ValidationKind.choices)
            rows = [
                [
                    p.cpts.name,
                    p.cpts.departement.name if p.cpts.departement else "",
                    p.recognised_on.strftime("%d/%m/%Y") if p.recognised_on else "",
                    str(kinds.get(p.validation_kind, "")),
                    p.current_version_number,
                ]
                for p in entries
            ]
            code = self.region.code if self.region else "aucune"
            return table_response(fmt, f"registre-cpts-reconnues-{code}", REGISTER_COLUMNS, rows)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        entries = ctx["entries"]
        q = project_visibility_q(self.request.user)
        ids = [p.pk for p in entries]
        readable = ids if q is None else HealthProject.objects.filter(q, pk__in=ids).values_list("pk", flat=True)
        ctx.update(
            region=self.region,
            regions=Region.objects.order_by("name"),
            readable=set(readable),
        )
        return ctx
