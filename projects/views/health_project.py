"""The health project: its page (status, the 2-month clock, sections in the region's order and what is missing,
signatures, actions, versions, expected opinions, decision), opening it, and editing its own sections."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from accounts.views import CptsPermissionMixin

from ..forms import HealthProjectForm
from ..permissions import (
    can_edit_health_project,
    can_start_health_project,
    can_view_health_project,
    can_view_project,
)
from ..selectors import health_project_for_cpts
from ..services import health_project_start, health_project_update
from ..workflows.engine import Actor
from ..workflows.health_project import STATE_RULES
from .health_project_review import health_project_dossier_context, project_queryset


class HealthProjectDetailView(CptsPermissionMixin, View):
    """Before the project exists, the CPTS's people (and administrators) read why it may (not) be opened; once it
    exists, whoever ``can_view_project`` (the reviewing parts from its first deposit on)."""

    permission = None  # type: ignore[assignment]  # checked in cpts_loaded: on the CPTS, or on its project once opened
    http_method_names = ["get", "head", "options"]

    def cpts_queryset(self):
        return super().cpts_queryset().select_related("departement")

    def cpts_loaded(self) -> None:
        self.project = project_queryset().filter(cpts=self.cpts).first()
        user = self.request.user
        decision = can_view_project(user, self.project) if self.project else can_view_health_project(user, self.cpts)
        if not decision:
            raise PermissionDenied(decision.reason)

    def get(self, request, cpts_pk):
        project = self.project
        context = {
            "cpts": self.cpts,
            "project": project,
            "edit": can_edit_health_project(request.user, self.cpts),  # a Decision: its reason where links lack
            "start": can_start_health_project(request.user, self.cpts),
        }
        if project is not None:
            context.update(health_project_dossier_context(request.user, project))
        return render(request, "projects/healthproject_detail.html", context)


class HealthProjectStartView(CptsPermissionMixin, View):
    permission = can_start_health_project
    http_method_names = ["post"]

    def post(self, request, cpts_pk):
        health_project_start(cpts=self.cpts, user=request.user)
        messages.success(request, _("Le projet de santé est ouvert : complétez chacune de ses sections."))
        return redirect("projects:health_project_detail", cpts_pk=self.cpts.pk)


class HealthProjectEditView(CptsPermissionMixin, View):
    permission = can_edit_health_project
    http_method_names = ["get", "post"]
    template_name = "projects/healthproject_form.html"

    def _project(self):
        project = health_project_for_cpts(self.cpts)
        if project is None:
            raise PermissionDenied(_("Le projet de santé n'est pas encore ouvert."))
        if Actor.COORDINATOR not in STATE_RULES[project.status].edit:  # deposited or decided: read in its versions
            raise PermissionDenied(
                _("Le projet de santé « %(status)s » ne se modifie plus.") % {"status": project.get_status_display()}
            )
        return project

    def get(self, request, cpts_pk):
        project = self._project()
        return render(request, self.template_name, {"cpts": self.cpts, "form": HealthProjectForm(instance=project)})

    def post(self, request, cpts_pk):
        project = self._project()
        form = HealthProjectForm(request.POST, instance=project)
        if form.is_valid():
            try:
                health_project_update(project=project, data=form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Projet de santé enregistré."))
                return redirect("projects:health_project_detail", cpts_pk=self.cpts.pk)
        return render(request, self.template_name, {"cpts": self.cpts, "form": form}, status=200)
