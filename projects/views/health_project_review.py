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
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from django_fsm import TransitionNotAllowed

from accounts.choices import ProjectSection, SignatureRule
from accounts.models import circuits_prefetch
from cpts_portal.views import PermissionDispatchMixin
from governance.permissions import can_view_signatures
from governance.selectors import signature_round_current, signature_round_status

from ..calculations import grid_facts, health_project_diff, order_by_template
from ..choices import DOCUMENT_FILE_NAMES, DocumentKind, ProjectDecisionOutcome, RenderStatus
from ..choices import HealthProjectStatus as S
from ..documents import (
    HEALTH_PROJECT_REVIEW_TEMPLATE,
    HEALTH_PROJECT_TEMPLATE,
    health_project_review_context,
)
from ..forms import CommentForm
from ..forms_review import (
    ProjectComplementsForm,
    ProjectDecisionForm,
    ProjectOpinionForm,
    ProjectSignDecisionForm,
)
from ..models import DossierVersion, ExpectedOpinion, HealthProject, Opinion, ProjectDecision, RenderedDocument
from ..permissions import (
    can_give_project_opinion,
    can_prepare_project_decision,
    can_read_project_review,
    can_request_project_complements,
    can_sign_project_decision,
    can_view_project,
    can_view_project_document,
    project_opinion_organisation,
)
from ..selectors.letters import opinion_counter
from ..selectors.review import (
    NATIONAL_SECTIONS,
    expected_opinions,
    grid_groups,
    project_grid,
    review_opinions,
    template_sections,
    version_decision,
)
from ..selectors.validations import validation_history
from ..services import document_render_again
from ..workflows.engine import CPTS_ACTORS, Actor, available_actions, definition_for, rows_of, submitted_version
from ..workflows.health_project import (
    STATE_RULES,
    TRANSITION_RULES,
    project_actor_roles,
    project_page,
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
        if document.status != RenderStatus.READY:
            raise Http404
        name = DOCUMENT_FILE_NAMES[DocumentKind(document.kind)]
        filename = f"{name}-{slugify(self.cpts.name)}-v{document.version.number}.pdf"
        try:
            handle = document.file.open("rb")
        except (FileNotFoundError, ValueError):
            document_render_again(document_id=document.pk)
            messages.warning(
                request,
                _(
                    "Le fichier « %(document)s » de la version %(number)s est introuvable sur le serveur. Il est en "
                    "cours de régénération à partir de la version déposée : réessayez dans quelques minutes."
                )
                % {"document": document.get_kind_display(), "number": document.version.number},
            )
            return redirect("projects:health_project_detail", cpts_pk=self.cpts.pk)
        response = FileResponse(handle, content_type="application/pdf", as_attachment=True, filename=filename)
        response["X-Content-SHA256"] = document.sha256
        return response


# --- The project's page (``HealthProjectDetailView``) once the project exists ----------------------------------------

# The completeness panel's sections (``selectors.health_project``, numbered 1-6) and the template's section each is.
PAGE_SECTION_CODES = {
    1: ProjectSection.IDENTITY,
    2: ProjectSection.DIAGNOSTIC,
    3: ProjectSection.ACTIONS,
    4: ProjectSection.ORGANISATION,
    5: ProjectSection.BUDGET,
    6: ProjectSection.QUALITY,
}
# Transitions that have their own form (the others are posted from the page with a comment).
FORM_TRANSITIONS = {
    "request_complements": "projects:health_project_complements",
    "prepare_decision": "projects:health_project_prepare_decision",
    "validate": "projects:health_project_sign_decision",
    "oppose": "projects:health_project_sign_decision",
}
ARS_SIDE = frozenset({Actor.ARS, Actor.ARS_DECIDER, Actor.ADMINISTRATOR})


def _ordered_sections(page, sections: list[tuple[str, str]]) -> list[dict]:
    """The completeness panel's sections in the order and with the titles of the region's template."""
    titles = dict(sections)
    ordered = order_by_template(
        page.sections, lambda s: PAGE_SECTION_CODES.get(s.number, ""), [c for c, _t in sections], NATIONAL_SECTIONS
    )
    result = []
    for position, section in enumerate(ordered, start=1):
        code = PAGE_SECTION_CODES.get(section.number, "")
        result.append({"position": position, "code": code, "title": titles.get(code) or section.title, "s": section})
    return result


def _actions(user, project) -> list[dict]:
    """The engine's offered transitions, each with where it is done: a comment form posted from the page, or the
    page of its own form."""
    result, seen = [], set()
    for action in available_actions(user, project):
        url_name = FORM_TRANSITIONS.get(action.name)
        if url_name in seen:
            continue  # validate and oppose: one "sign the decision" page
        if url_name:
            seen.add(url_name)
        result.append(
            {
                "action": action,
                "form_url": reverse(url_name, args=[project.cpts_id]) if url_name else "",
                "post_url": reverse("projects:health_project_transition", args=[project.cpts_id, action.name])
                if not url_name
                else "",
                "label": _("Signer la décision") if url_name == FORM_TRANSITIONS["validate"] else action.label,
            }
        )
    return result


def _signature_rule_text(settings) -> str:
    if settings is None:
        return ""
    if settings.signature_rule == SignatureRule.QUORUM:
        return _("quorum de %(percent)d %% des membres participants") % {"percent": settings.signature_quorum_percent}
    return str(settings.get_signature_rule_display()).lower()


def health_project_dossier_context(user, project: HealthProject) -> dict:
    """What the project's page shows once the project exists, in a fixed number of queries whatever the number of
    fiches, versions or opinions."""
    roles = project_actor_roles(user, project)
    settings = project_settings(project)
    sections = template_sections(settings)
    cpts_side = bool(roles & (CPTS_ACTORS | {Actor.ADMINISTRATOR}))
    # The completeness panel while the CPTS writes (draft, signatures, complements); a deposited or decided project
    # is read in its versions.
    writing = bool(STATE_RULES[project.status].edit)
    versions = list(
        DossierVersion.objects.filter(rows_of(project))
        .select_related("submitted_by")
        .prefetch_related("documents")
        .order_by("number")
    )
    current = next((v for v in versions if v.number == project.current_version_number), None)
    reads_review = bool(can_read_project_review(user, project))
    rows = []
    for version in versions:
        # The deposited project for whoever reads the project; the grid with its opinions for its readers only.
        readable = [d for d in version.documents.all() if reads_review or d.kind == DocumentKind.HEALTH_PROJECT]
        ready = [d for d in readable if d.status == RenderStatus.READY]
        rows.append({"v": version, "ready": ready, "other": [d for d in readable if d not in ready]})
    expected = sorted(project.expected_opinions.all(), key=lambda e: (e.due_at, e.organisation.name))
    # "avis rendu sur la version n": the last version each organisation answered (one query, no answers read).
    answered: dict[int, int] = {}
    for organisation_id, number in Opinion.objects.filter(rows_of(project, via="version__")).values_list(
        "organisation_id", "version__number"
    ):
        answered[organisation_id] = max(number, answered.get(organisation_id, 0))
    for row in expected:
        row.answered_version = answered.get(row.organisation_id)
    signature_round = signature_round_current(project)
    decision = version_decision(current) if current else None
    if decision is not None and decision.signed_at is None and not roles & ARS_SIDE:
        decision = None  # a preparation is the ARS's until a decider signs it
    requests = list(
        project.complement_requests.filter(answered_by_version__isnull=True)
        .select_related("organisation", "version")
        .prefetch_related("field_comments")
    )
    titles = dict(sections)
    for request in requests:
        request.sections = [(titles.get(c.field_path, c.field_path), c.comment) for c in request.field_comments.all()]
    transitions = list(project.transitions.select_related("by", "version").order_by("at", "pk"))
    if not roles & ARS_SIDE:  # the motive of a preparation too (the signed decision carries its own)
        for t in transitions:
            t.comment = "" if t.transition == "prepare_decision" else t.comment
    return {
        "roles": roles,
        "status_label": definition_for(project).label_of(project, roles),
        "clock": project_clock(project),
        "settings": settings,
        "page": (page := project_page(project) if cpts_side and writing else None),
        "sections": _ordered_sections(page, sections) if page else [],
        "cpts_side": cpts_side,
        "is_draft": project.status == S.DRAFT,
        "decision_validates": decision is not None and decision.outcome == ProjectDecisionOutcome.NON_OPPOSITION,
        "signature_rule": _signature_rule_text(settings),
        "signature_round": signature_round,
        "signature_status": signature_round_status(signature_round) if signature_round else None,
        "signatures_link": bool(can_view_signatures(user, project.cpts)),
        "actions": _actions(user, project),
        "versions": rows,
        "current": current,
        "expected": expected,
        # The counter reads the prefetched expected opinions of any dossier (typed for the letter, its first user).
        "counter": opinion_counter(cast(Any, project)) if current else None,
        "reads_review": reads_review,
        "decision": decision,
        "complement_requests": requests,
        "timeline": [(t, TRANSITION_RULES[t.transition].log_label, S(t.target).label) for t in transitions],
        "validations": validation_history(project.cpts) if cpts_side else [],
    }
