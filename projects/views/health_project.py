"""The health project: its page (status, the 2-month clock, sections in the region's order and what is missing,
signatures, actions, versions, expected opinions, decision), opening it, and editing its own sections."""

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from accounts.choices import ProjectSection, SignatureRule
from accounts.views import CptsPermissionMixin
from governance.permissions import can_view_signatures
from governance.selectors import signature_round_current, signature_round_status

from ..calculations import order_by_template
from ..choices import DocumentKind, ProjectDecisionOutcome, RenderStatus
from ..choices import HealthProjectStatus as S
from ..forms import HealthProjectForm
from ..models import DossierVersion, HealthProject, Opinion
from ..permissions import (
    can_edit_health_project,
    can_read_project_review,
    can_start_health_project,
    can_view_health_project,
    can_view_project,
)
from ..selectors import health_project_for_cpts
from ..selectors.letters import opinion_counter
from ..selectors.review import (
    NATIONAL_SECTIONS,
    template_sections,
    version_decision,
)
from ..selectors.validations import validation_history
from ..services import health_project_start, health_project_update
from ..workflows.engine import CPTS_ACTORS, Actor, available_actions, definition_for, readable_log, rows_of
from ..workflows.health_project import (
    STATE_RULES,
    TRANSITION_RULES,
    project_actor_roles,
    project_page,
    project_settings,
)
from ..workflows.health_project_services import (
    project_clock,
)
from .health_project_review import ARS_SIDE, project_queryset

# The completeness panel's sections (numbered by ``selectors.health_project``) by their template code.
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
    transitions = readable_log(
        list(project.transitions.select_related("by", "version").order_by("at", "pk")), roles, private_readers=ARS_SIDE
    )
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
