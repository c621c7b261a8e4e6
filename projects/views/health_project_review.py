"""The health project once it exists as a dossier (issue 16): its transitions, its review by the ARS and the
organisations consulted (the grid of seed 000 Annexe 9, opinions, complements, the decision prepared then signed),
its deposited versions, their differences and their PDFs.

Every page is named by the CPTS (``cpts/<cpts_pk>/projet-de-sante/…``) and checked with a ``can_*`` of
``projects.permissions`` on the project; a CPTS without a health project is a 404. No page computes a date of the
2-month clock: ``project_clock`` does (the one function the scan honours)."""

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from django_fsm import TransitionNotAllowed

from accounts.models import circuits_prefetch
from cpts_portal.views import PermissionDispatchMixin

from ..calculations import grid_facts
from ..choices import ProjectDecisionOutcome, RenderStatus
from ..forms import CommentForm
from ..forms_review import (
    ProjectComplementsForm,
    ProjectDecisionForm,
    ProjectOpinionForm,
    ProjectSignDecisionForm,
)
from ..models import DossierVersion, ExpectedOpinion, HealthProject, ProjectDecision, RenderedDocument
from ..permissions import (
    can_give_project_opinion,
    can_prepare_project_decision,
    can_read_project_review,
    can_request_project_complements,
    can_sign_project_decision,
    can_view_project,
    project_opinion_organisation,
)
from ..selectors.letters import opinion_counter
from ..selectors.review import (
    expected_opinions,
    grid_groups,
    project_grid,
    review_opinions,
    template_sections,
    version_decision,
)
from ..workflows.engine import Actor, rows_of, submitted_version
from ..workflows.health_project import (
    project_actor_roles,
    project_settings,
)
from ..workflows.health_project_services import (
    project_approve,
    project_clock,
    project_deposit,
    project_give_opinion,
    project_prepare_decision,
    project_reopen,
    project_request_complements,
    project_revise,
    project_sign_decision,
)
from .base import error_messages

# Who reads a decision while it is only prepared (the ARS's until a decider signs it).
ARS_SIDE = frozenset({Actor.ARS, Actor.ARS_DECIDER, Actor.ADMINISTRATOR})
# The transitions fired from the project's page with an optional comment; the others have their own form.
COMMENT_TRANSITIONS = {
    "approve": (project_approve, _("Projet validé en interne : les membres sont invités à le signer.")),
    "reopen": (project_reopen, _("Le projet est repris en rédaction.")),
    "deposit": (project_deposit, _("Projet de santé déposé à l'ARS : le délai de 2 mois commence.")),
    "revise": (project_revise, _("Le projet est repris en rédaction pour être déposé à nouveau.")),
}


def project_queryset():
    """The project with what every page reads: its CPTS, the settings it is judged under (frozen at its first
    deposit), their circuits and the template's sections."""
    return HealthProject.objects.select_related(
        "cpts__region", "cpts__departement", "regional_settings", "instructing_region"
    ).prefetch_related(
        circuits_prefetch("regional_settings__"),
        "regional_settings__template_sections",
        Prefetch("expected_opinions", queryset=ExpectedOpinion.objects.select_related("organisation", "version")),
    )


class HealthProjectMixin(PermissionDispatchMixin):
    """``self.project`` (and ``self.cpts``) from the URL's ``cpts_pk``, checked with ``permission(user, project)``."""

    def load_permission_object(self) -> HealthProject:
        try:
            self.project = project_queryset().get(cpts_id=self.kwargs["cpts_pk"])
        except HealthProject.DoesNotExist as exc:
            raise Http404(_("Cette CPTS n'a pas de projet de santé.")) from exc
        self.cpts = self.project.cpts
        return self.project

    @cached_property
    def settings(self):
        return project_settings(self.project)

    @cached_property
    def sections(self) -> list[tuple[str, str]]:
        return template_sections(self.settings)

    def get_version(self, number: int) -> DossierVersion:
        return get_object_or_404(
            DossierVersion.objects.select_related("submitted_by").filter(rows_of(self.project)), number=number
        )


class HealthProjectTransitionView(HealthProjectMixin, View):
    """POST: validate internally and put to signature, reopen, deposit, revise (an optional comment). The engine
    refuses who may not (403) and reports a status or a guard in French; a view never assigns a status."""

    permission = can_view_project
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        name = kwargs["transition"]
        if name not in COMMENT_TRANSITIONS:
            raise Http404
        service, success = COMMENT_TRANSITIONS[name]
        form = CommentForm(request.POST)
        form.is_valid()
        try:
            service(project=self.project, by=request.user, comment=form.cleaned_data.get("comment", ""))
        except PermissionDenied:
            raise
        except (TransitionNotAllowed, ValidationError) as exc:
            for text in error_messages(exc):
                messages.error(request, text)
        else:
            messages.success(request, success)
        return redirect("projects:health_project_detail", cpts_pk=self.cpts.pk)


class HealthProjectFormView(HealthProjectMixin, TemplateView):
    """GET shows the form; POST validates it and calls ``save(form)`` (a service); the service's refusals are shown
    on the form, in French, keeping what was typed."""

    success_message = ""

    def get_form(self, data=None):  # pragma: no cover - abstract
        raise NotImplementedError

    def save(self, form) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        return self.render_form(self.get_form())

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if form.is_valid():
            try:
                self.save(form)
            except PermissionDenied:
                raise
            except (TransitionNotAllowed, ValidationError) as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, self.success_message)
                return redirect(self.success_url())
        return self.render_form(form)

    def success_url(self) -> str:
        return reverse("projects:health_project_review", args=[self.cpts.pk])

    def render_form(self, form):
        context = {"project": self.project, "cpts": self.cpts, "form": form, **self.extra_context_data()}
        return render(self.request, self.get_template_names(), context)

    def extra_context_data(self) -> dict:
        return {}


def _add_errors(form: forms.Form, exc: Exception) -> None:
    """A service's ValidationError next to the field it names, else on top of the form."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return
    for text in error_messages(exc):
        form.add_error(None, text)


class HealthProjectReviewView(HealthProjectMixin, TemplateView):
    """The review of the current version: the counts prefilled from it, the grid's criteria grouped by the section
    each judges (each linking to that section of the deposited project), every organisation's answers and the ARS's
    consolidated grid, the opinions awaited with their due dates, the decision; the links to the forms."""

    permission = can_read_project_review
    template_name = "projects/healthproject_review.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, project = self.request.user, self.project
        version = submitted_version(project)
        grid = project_grid(self.settings)
        opinions = review_opinions(version)
        decision = version_decision(version)
        if decision is not None and decision.signed_at is None and not project_actor_roles(user, project) & ARS_SIDE:
            decision = None  # a preparation is the ARS's until a decider signs it (as on the project's page)
        prepared = decision if decision is not None and decision.signed_at is None else None
        ctx.update(
            project=project,
            cpts=self.cpts,
            version=version,
            grid=grid,
            facts=grid_facts(version.data),
            groups=grid_groups(grid.criteria.all() if grid else [], opinions, self.sections),
            opinions=opinions,
            consolidated=next((o for o in opinions if o.is_consolidated), None),
            expected=expected_opinions(version),
            decision=decision,
            prepared=prepared,
            clock=project_clock(project),
            documents=_documents(version),
            can_give_opinion=can_give_project_opinion(user, project),
            can_request_complements=bool(can_request_project_complements(user, project)),
            can_prepare_decision=bool(can_prepare_project_decision(user, project)),
            can_sign_decision=bool(can_sign_project_decision(user, project)),
            opinion_as=project_opinion_organisation(user, project),
        )
        return ctx


def _documents(version: DossierVersion) -> list[tuple[RenderedDocument, bool]]:
    """The version's PDFs, each with whether it is stored (ready to download)."""
    documents = RenderedDocument.objects.filter(version=version).order_by("kind")
    return [(document, document.status == RenderStatus.READY) for document in documents]


class HealthProjectOpinionView(HealthProjectFormView):
    """The opinion of the person's organisation on the current version, criterion by criterion grouped by section;
    an ARS agent's is the consolidated grid."""

    permission = can_give_project_opinion
    template_name = "projects/healthproject_opinion_form.html"
    success_message = _("Votre avis est enregistré.")

    @cached_property
    def grid(self):
        return project_grid(self.settings)

    def get_form(self, data=None):
        criteria = self.grid.criteria.all() if self.grid else ()
        return ProjectOpinionForm(data, criteria=criteria, section_titles=dict(self.sections))

    def save(self, form):
        project_give_opinion(
            project=self.project,
            by=self.request.user,
            overall=form.cleaned_data["overall"],
            comment=form.cleaned_data["comment"],
            answers=form.answers_by_id(),
        )

    def extra_context_data(self):
        organisation, consolidated = project_opinion_organisation(self.request.user, self.project)
        version = submitted_version(self.project)
        return {
            "organisation": organisation,
            "consolidated": consolidated,
            "version": version,
            "facts": grid_facts(version.data),
        }


class HealthProjectComplementsView(HealthProjectFormView):
    """The ARS asks for complements: a reason, what is expected, a comment per section concerned; the page says
    what the region's setting does to the 2-month delay."""

    permission = can_request_project_complements
    template_name = "projects/healthproject_complements.html"
    success_message = _("Compléments demandés : la CPTS est prévenue.")

    def get_form(self, data=None):
        return ProjectComplementsForm(data, sections=self.sections)

    def save(self, form):
        project_request_complements(
            project=self.project,
            by=self.request.user,
            reason=form.cleaned_data["reason"],
            message=form.cleaned_data["message"],
            section_comments=form.section_comments(),
        )

    def extra_context_data(self):
        return {"version": submitted_version(self.project), "clock": project_clock(self.project)}


def _prepared(project: HealthProject) -> ProjectDecision | None:
    """The decision prepared on the current version and not signed yet."""
    decision = version_decision(submitted_version(project))
    return decision if decision is not None and decision.signed_at is None else None


class HealthProjectPrepareDecisionView(HealthProjectFormView):
    """An ARS agent prepares the decision (non-opposition, or opposition on one of the two legal grounds with a
    motive) for a decider to sign."""

    permission = can_prepare_project_decision
    template_name = "projects/healthproject_decision_form.html"
    form_class: type[ProjectDecisionForm] = ProjectDecisionForm
    mode = "prepare"
    success_message = _("Décision préparée : un décideur de l'ARS peut maintenant la signer.")

    @cached_property
    def prepared(self):
        return _prepared(self.project)

    def get_form(self, data=None):
        initial = {}
        if self.prepared is not None:
            initial = {n: getattr(self.prepared, n) for n in ("outcome", "ground", "motive")}
        return self.form_class(data, initial=initial)

    def save(self, form):
        data = form.cleaned_data
        project_prepare_decision(
            project=self.project, by=self.request.user, outcome=data["outcome"], ground=data["ground"],
            motive=data["motive"],
        )  # fmt: skip

    def extra_context_data(self):
        version = submitted_version(self.project)
        return {
            "mode": self.mode,
            "version": version,
            "prepared": self.prepared,
            "opinions": review_opinions(version),
            "counter": opinion_counter(cast(Any, self.project)),
            "clock": project_clock(self.project),
            "non_opposition": ProjectDecisionOutcome.NON_OPPOSITION,
        }


class HealthProjectSignDecisionView(HealthProjectPrepareDecisionView):
    """A decider signs the decision, as prepared or amended: the non-opposition validates the project (the CPTS is
    recognised), an opposition on a legal ground opposes it."""

    permission = can_sign_project_decision
    form_class = ProjectSignDecisionForm
    mode = "sign"

    @property
    def success_message(self):  # type: ignore[override]
        return _("La décision est signée : la CPTS et les organisations consultées sont prévenues.")

    def save(self, form):
        data = form.cleaned_data
        project_sign_decision(
            project=self.project, by=self.request.user, outcome=data["outcome"], ground=data["ground"],
            motive=data["motive"],
        )  # fmt: skip

    def success_url(self) -> str:
        return reverse("projects:health_project_detail", args=[self.cpts.pk])
