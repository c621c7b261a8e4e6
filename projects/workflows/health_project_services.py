"""The steps of the health project (issue 16): each one authorises, locks, fires and logs through the engine in one
transaction, with what the step opens (signature round, version, expected opinions, deadlines, PDF, events).

The 2-month clock is rows: the open ``Deadline`` of kind TACIT_VALIDATION holds the date on which silence means
validation. ``tacit_validation_at`` reads it (the page shows it) and ``health_projects_scan`` fires the tacit
validation once that very date has passed: the dossier never shows a date the scan would not honour.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.choices import ComplementsClock, ProjectSection
from accounts.models import ReviewerDelay
from cpts_portal.dates import add_months
from cpts_portal.related import prefetched
from governance.models import SignatureRound
from governance.selectors import signature_round_current, signature_round_status
from governance.signatures import signature_round_open

from ..choices import (
    Assessment,
    ComplementReason,
    DeadlineKind,
    DocumentKind,
    EventType,
    HealthProjectStatus,
    OppositionGround,
    ProjectDecisionOutcome,
    ValidationKind,
)
from ..models import (
    ComplementFieldComment,
    ComplementRequest,
    Deadline,
    DossierVersion,
    HealthProject,
    Opinion,
    ProjectDecision,
    StatusTransition,
)
from ..notifications import event_record
from ..selectors.health_project import HEALTH_PROJECT_SCHEMA_VERSION
from ..selectors.review import project_grid, template_sections
from ..services import (
    deadline_create,
    document_request,
    expected_opinion_remind_late,
    opinion_record,
    opinion_round_open,
    version_create,
)
from .engine import Actor, current_version, deadline_at, fire, lock, submitted_version, transition
from .health_project import (
    ARS_AGENTS,
    OPINION_GIVERS,
    STATE_RULES,
    actor_organisation,
    deposit_missing,
    project_actor_roles,
    project_circuit,
    project_fingerprint,
    project_region_id,
    project_settings,
    round_day,
)

__all__ = [
    "ProjectClock",
    "deposit_missing",
    "health_projects_scan",
    "project_approve",
    "project_clock",
    "project_deposit",
    "project_fingerprint",
    "project_give_opinion",
    "project_prepare_decision",
    "project_reopen",
    "project_request_complements",
    "project_revise",
    "project_settings",
    "project_sign_decision",
    "tacit_validation_at",
]

S = HealthProjectStatus
DEFAULT_DECISION_MONTHS = 2
CLOCK_KINDS = (DeadlineKind.TACIT_VALIDATION, DeadlineKind.DECISION_ALERT)


# --- The 2-month clock ------------------------------------------------------------------------------------------


def _open_deadlines(project: HealthProject) -> list[Deadline]:
    rows = prefetched(project, "deadlines")
    if rows is None:
        rows = list(project.deadlines.filter(closed_at__isnull=True))
    return [d for d in rows if d.closed_at is None]


def tacit_validation_at(project: HealthProject) -> dt.datetime | None:
    """THE date on which silence means validation: the open TACIT_VALIDATION row (None while none is running:
    a draft, complements awaited, a decision signed). The scan fires the tacit validation once it has passed."""
    rows = [d for d in _open_deadlines(project) if d.kind == DeadlineKind.TACIT_VALIDATION]
    return min((d.due_at for d in rows), default=None)


def _decision_months(circuit) -> int:
    return (circuit.decision_delay_months if circuit is not None else None) or DEFAULT_DECISION_MONTHS


def paused_days_left(project: HealthProject) -> int | None:
    """While complements are awaited under the "pause" rule: the days the clock had left when they were asked
    (the last TACIT_VALIDATION row, closed by the request). None when nothing is paused."""
    if project.complements_requested_at is None:
        return None
    settings = project_settings(project)
    if settings is None or settings.complements_clock != ComplementsClock.PAUSE:
        return None
    row = (
        project.deadlines.filter(kind=DeadlineKind.TACIT_VALIDATION, closed_at__isnull=False)
        .order_by("-closed_at", "-pk")
        .first()
    )
    if row is None:
        return None
    left = (timezone.localdate(row.due_at) - timezone.localdate(project.complements_requested_at)).days
    return max(left, 0)


@dataclass(frozen=True)
class ProjectClock:
    """What the dossier shows of the 2-month delay."""

    deposited_at: dt.datetime | None
    tacit_at: dt.datetime | None  # None when no clock runs (draft, complements awaited, decided)
    days_left: int | None  # until tacit_at; while paused, the days left when the complements were asked
    paused: bool
    rule: str  # the region's complements-clock rule, in French
    recognised_on: dt.date | None = None
    validation_kind: str = ""

    @property
    def validated_tacitly(self) -> bool:
        return self.validation_kind == ValidationKind.TACIT


def project_clock(project: HealthProject, now: dt.datetime | None = None) -> ProjectClock:
    now = now or timezone.now()
    settings = project_settings(project)
    rule = settings.complements_clock if settings is not None else ComplementsClock.PAUSE
    tacit_at = tacit_validation_at(project)
    paused_left = paused_days_left(project) if project.status == S.COMPLEMENTS_REQUESTED else None
    days_left = (timezone.localdate(tacit_at) - timezone.localdate(now)).days if tacit_at is not None else paused_left
    return ProjectClock(
        deposited_at=project.deposited_at,
        tacit_at=tacit_at,
        days_left=days_left,
        paused=paused_left is not None,
        rule=str(ComplementsClock(rule).label),
        recognised_on=project.recognised_on,
        validation_kind=project.validation_kind,
    )


def _tacit_due(project: HealthProject, circuit, now: dt.datetime) -> dt.datetime:
    """When silence will mean validation for a deposit made ``now``: the whole delay from the deposit date, or,
    after complements under the "pause" rule, the days that were left (the deadline ends at 23:59)."""
    today = timezone.localdate(now)
    left = paused_days_left(project)
    if left is not None:
        return deadline_at(today + dt.timedelta(days=left))
    return deadline_at(add_months(today, _decision_months(circuit)))


def _close_clock(project: HealthProject, now: dt.datetime) -> None:
    project.deadlines.filter(kind__in=CLOCK_KINDS, closed_at__isnull=True).update(closed_at=now)


def _date_text(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), "j F Y")


# --- What is signed and deposited ---------------------------------------------------------------------------------


def _document_html(project: HealthProject, data: dict) -> str:
    """What the signers read: the sections of the deposited project's PDF, from the same frozen data, in the order of
    the region's template (``pdf/_health_project_body.html``; every value escaped by the template)."""
    return render_to_string(
        "pdf/_health_project_body.html", {"data": data, "sections": template_sections(project_settings(project))}
    )


# --- The steps --------------------------------------------------------------------------------------------------


def project_approve(*, project: HealthProject, by, comment: str = "") -> SignatureRound:
    """The coordinators validate the whole project internally (the completeness panel, every fiche, the plan and
    the budget: the guard) and put this version to the members' signature: a round with its SHA-256."""
    with transition(project, "approve", by=by) as project:
        data, sha = project_fingerprint(project, on=timezone.localdate())
        signature_round = signature_round_open(
            target=project,
            cpts=project.cpts,
            sha256=sha,
            title=_("Projet de santé de %(cpts)s") % {"cpts": project.cpts.name},
            document_html=_document_html(project, data),
            by=by,
        )
        fire(project, "approve", by=by, comment=comment, details={"round": signature_round.number, "sha256": sha})
        event_record(
            dossier=project,
            type=EventType.PROJECT_SIGNATURES_OPENED,
            actor=by,
            payload={"round": signature_round.number},
        )
    return signature_round


def project_reopen(*, project: HealthProject, by, comment: str = "") -> StatusTransition:
    """Back to writing; the signatures collected stay attached to the version they signed."""
    with transition(project, "reopen", by=by) as project:
        log = fire(project, "reopen", by=by, comment=comment, version=current_version(project))
    return log


def _opinion_due(circuit, organisation, now: dt.datetime, tacit_at: dt.datetime, delays: dict) -> dt.datetime:
    days = delays.get(organisation.pk) or circuit.opinion_delay_days
    return min(deadline_at(timezone.localdate(now) + dt.timedelta(days=days)), tacit_at)


def project_deposit(*, project: HealthProject, by, comment: str = "") -> DossierVersion:
    """Deposit the signed version at the ARS of the instructing region: an immutable version (the snapshot, its
    signatories), the region and its settings frozen at the first deposit, the 2-month clock (TACIT_VALIDATION and
    the alerts before it), an expected opinion per organisation of the circuit with its own due date, the PDF."""
    with transition(project, "deposit", by=by) as project:
        now = timezone.now()
        signature_round = signature_round_current(project)
        assert signature_round is not None  # the guard refuses a deposit without one
        data, sha = project_fingerprint(project, on=round_day(signature_round))
        status = signature_round_status(signature_round)
        if project.regional_settings_id is None:
            # The rules in force at the first deposit stay the project's rules until its decision.
            project.regional_settings = project_settings(project)
            project.instructing_region_id = project_region_id(project)
        settings = project.regional_settings
        if settings is None:
            raise ValidationError(_("Aucun circuit du projet de santé n'est paramétré pour votre région."))
        circuit = project_circuit(project)
        version_data = {
            **data,
            "signatures": {
                "round": signature_round.number,
                "sha256": sha,
                "rule": settings.signature_rule,
                "quorum_percent": settings.signature_quorum_percent,
                "signed": status.signed_count,
                "expected": status.total,
            },
            "signatories": [
                {
                    "member_id": s.member_id,
                    "name": str(s.member),
                    "method": s.method,
                    "signed_on": s.signed_on.isoformat() if s.signed_on else None,
                }
                for s in status.signed
            ],
        }
        version = version_create(
            dossier=project, data=version_data, by=by, schema_version=HEALTH_PROJECT_SCHEMA_VERSION
        )
        tacit_at = _tacit_due(project, circuit, now)
        project.current_version_number = version.number
        project.deposited_at = now
        project.complements_requested_at = None
        fire(
            project,
            "deposit",
            by=by,
            comment=comment,
            version=version,
            details={"tacit_at": tacit_at.isoformat(), "round": signature_round.number},
        )
        ComplementRequest.objects.filter(
            content_type=version.content_type, object_id=project.pk, answered_by_version__isnull=True
        ).update(answered_by_version=version)
        _close_clock(project, now)
        deadline_create(dossier=project, kind=DeadlineKind.TACIT_VALIDATION, due_at=tacit_at, alert_days=0)
        for days in settings.tacit_alert_day_list:
            alert_at = tacit_at - dt.timedelta(days=days)
            if alert_at > now:
                deadline_create(
                    dossier=project,
                    kind=DeadlineKind.DECISION_ALERT,
                    due_at=alert_at,
                    label=_("Validation tacite dans %(days)d jours") % {"days": days},
                    alert_days=0,
                )
        if circuit is not None:
            delays = dict(ReviewerDelay.objects.filter(circuit=circuit).values_list("organisation_id", "delay_days"))
            for organisation in circuit.reviewers.all():
                opinion_round_open(
                    version=version,
                    organisations=[organisation],
                    due_at=_opinion_due(circuit, organisation, now, tacit_at, delays),
                )
        document_request(version=version, kind=DocumentKind.HEALTH_PROJECT)
        event_record(
            dossier=project,
            type=EventType.PROJECT_DEPOSITED,
            actor=by,
            payload={"version": version.number, "tacit_on": _date_text(tacit_at)},
        )
    return version


def _answer(value) -> tuple[str, str]:
    if isinstance(value, (tuple, list)):
        return (value[0] or "", (value[1] if len(value) > 1 else "") or "")
    return (value or "", "")


def project_give_opinion(*, project: HealthProject, by, overall: str, comment: str, answers: dict) -> Opinion:
    """An organisation's opinion on the deposited version (``answers``: criterion id -> assessment, or
    (assessment, comment)); an ARS agent's is the consolidated grid. Once per organisation and version."""
    with transaction.atomic():
        project = lock(project)
        roles = project_actor_roles(by, project)
        if not roles & OPINION_GIVERS:
            raise PermissionDenied(_("Seules les organisations consultées et l'ARS donnent un avis sur le projet."))
        if not roles & STATE_RULES[project.status].opinion:
            raise ValidationError(_("Les avis se donnent pendant l'examen du projet déposé."))
        consolidated = Actor.REVIEWER not in roles
        organisation = actor_organisation(by, project, ARS_AGENTS if consolidated else frozenset({Actor.REVIEWER}))
        if organisation is None:
            raise PermissionDenied(_("Votre organisation n'est pas consultée sur ce projet."))
        version = submitted_version(project)
        if Opinion.objects.filter(version=version, organisation=organisation).exists():
            raise ValidationError(_("Votre organisation a déjà rendu son avis sur cette version."))
        grid = project_grid(project_settings(project))
        criteria = list(grid.criteria.all()) if grid else []
        given = {int(key): _answer(value) for key, value in (answers or {}).items()}
        missing = [c.label for c in criteria if given.get(c.pk, ("", ""))[0] not in Assessment.values]
        if missing or overall not in Assessment.values:
            raise ValidationError(_("Donnez une appréciation sur chaque critère et un avis global."))
        opinion = opinion_record(
            dossier=project,
            version=version,
            organisation=organisation,
            by=by,
            grid=grid,
            consolidated=consolidated,
            overall=overall,
            comment=comment,
            answers=[(c, *given[c.pk]) for c in criteria],
        )
        event_record(
            dossier=project,
            type=EventType.PROJECT_OPINION_GIVEN,
            actor=by,
            payload={
                "organisation": organisation.name,
                "overall": opinion.get_overall_display(),
                "version": version.number,
            },
        )
    return opinion


def project_request_complements(
    *, project: HealthProject, by, reason: str, message: str, section_comments: dict[str, str] | None = None
) -> ComplementRequest:
    """The ARS sends the project back to the CPTS with a reason, a message and comments per section; the clock is
    paused (it resumes with the days left) or will restart in full, as the region's setting says."""
    if not (message or "").strip():
        raise ValidationError({"message": _("Expliquez ce qui est attendu.")})
    if reason not in ComplementReason.values:
        raise ValidationError({"reason": _("Choisissez le motif de la demande.")})
    comments = {code: text.strip() for code, text in (section_comments or {}).items() if (text or "").strip()}
    if unknown := sorted(set(comments) - set(ProjectSection.values)):
        raise ValidationError({"section_comments": _("Section inconnue : %(codes)s.") % {"codes": ", ".join(unknown)}})
    with transition(project, "request_complements", by=by) as project:
        now = timezone.now()
        version = submitted_version(project)
        request = ComplementRequest(
            dossier=project,
            version=version,
            organisation=actor_organisation(by, project, ARS_AGENTS),
            requested_by=by,
            reason=reason,
            message=message.strip(),
            created_at=now,
        )
        request.full_clean(exclude=["content_type", "object_id"])
        request.save()
        ComplementFieldComment.objects.bulk_create(
            ComplementFieldComment(request=request, field_path=code, comment=text) for code, text in comments.items()
        )
        project.complements_requested_at = now
        _close_clock(project, now)
        fire(project, "request_complements", by=by, comment=message.strip(), version=version)
        left = paused_days_left(project)
        clock = (
            _("Le délai de 2 mois est suspendu : il reprendra au nouveau dépôt avec %(days)d jours restants.")
            % {"days": left}
            if left is not None
            else _("Le délai de 2 mois repartira en entier au nouveau dépôt.")
        )
        event_record(
            dossier=project,
            type=EventType.PROJECT_COMPLEMENTS_REQUESTED,
            actor=by,
            payload={"reason": request.get_reason_display(), "organisation": request.organisation.name, "clock": clock},
        )
        # The review of this version ends here: its grid and opinions are frozen into their PDF.
        document_request(version=version, kind=DocumentKind.HEALTH_PROJECT_REVIEW)
    return request


def _check_decision(outcome: str, ground: str, motive: str) -> None:
    """The decision's rules, in French next to each field: an opposition only on one of the two legal grounds,
    with a motive; a non-opposition has no ground (the database refuses the rest too)."""
    if outcome not in ProjectDecisionOutcome.values:
        raise ValidationError({"outcome": _("Choisissez « non-opposition » ou « opposition ».")})
    if outcome == ProjectDecisionOutcome.OPPOSITION:
        errors = {}
        if ground not in OppositionGround.values:
            errors["ground"] = _(
                "Une opposition se fonde uniquement sur l'un des deux motifs légaux : les objectifs du projet "
                "régional de santé ne sont pas respectés, ou le territoire d'action n'est pas pertinent."
            )
        if not motive.strip():
            errors["motive"] = _("Une opposition doit être motivée.")
        if errors:
            raise ValidationError(errors)
    elif ground:
        raise ValidationError({"ground": _("Une non-opposition n'a pas de motif d'opposition.")})


def project_prepare_decision(
    *, project: HealthProject, by, outcome: str, ground: str = "", motive: str = ""
) -> ProjectDecision:
    """An ARS agent prepares the decision for a decider to sign; preparing again replaces the unsigned one."""
    ground, motive = ground or "", (motive or "").strip()
    _check_decision(outcome, ground, motive)
    with transition(project, "prepare_decision", by=by) as project:
        version = submitted_version(project)
        decision = (
            ProjectDecision.objects.select_for_update()
            .filter(project=project, version=version, signed_at__isnull=True)
            .first()
        ) or ProjectDecision(project=project, version=version)
        decision.outcome, decision.ground, decision.motive = outcome, ground, motive
        decision.organisation = actor_organisation(by, project, ARS_AGENTS)
        decision.prepared_by = by
        decision.prepared_at = timezone.now()
        decision.full_clean()
        decision.save()
        outcome_label = str(ProjectDecisionOutcome(outcome).label)
        fire(
            project,
            "prepare_decision",
            by=by,
            comment=motive,
            version=version,
            details={"outcome": outcome, "outcome_label": outcome_label, "ground": ground},
        )
        event_record(
            dossier=project, type=EventType.PROJECT_DECISION_PREPARED, actor=by, payload={"outcome": outcome_label}
        )
    return decision


def _prepared(project: HealthProject) -> ProjectDecision | None:
    return (
        ProjectDecision.objects.filter(
            project=project, signed_at__isnull=True, version__number=project.current_version_number
        )
        .select_related("prepared_by")
        .first()
    )


def project_sign_decision(
    *, project: HealthProject, by, outcome: str | None = None, ground: str | None = None, motive: str | None = None
) -> ProjectDecision:
    """A decider signs the decision as prepared, or amended (``outcome``, ``ground``, ``motive``): a
    non-opposition validates the project (the CPTS is recognised), an opposition on a legal ground opposes it."""
    prepared = _prepared(project)
    if outcome is None:
        if prepared is None:
            raise ValidationError({"outcome": _("Aucune décision n'est préparée : indiquez la décision à signer.")})
        outcome = prepared.outcome
    same = prepared if prepared is not None and prepared.outcome == outcome else None
    ground = (ground if ground is not None else (same.ground if same else "")) or ""
    motive = ((motive if motive is not None else (same.motive if same else "")) or "").strip()
    _check_decision(outcome, ground, motive)
    name = "validate" if outcome == ProjectDecisionOutcome.NON_OPPOSITION else "oppose"
    with transition(project, name, by=by) as project:
        now = timezone.now()
        version = submitted_version(project)
        prepared = (
            ProjectDecision.objects.select_for_update()
            .select_related("prepared_by")
            .filter(project=project, version=version, signed_at__isnull=True)
            .first()
        )
        details: dict = {"outcome": outcome, "ground": ground}
        if prepared is not None:
            details["prepared_by"] = prepared.prepared_by.get_full_name() or prepared.prepared_by.email
            details["amended"] = (prepared.outcome, prepared.ground, prepared.motive) != (outcome, ground, motive)
        decision = prepared or ProjectDecision(project=project, version=version, prepared_by=by, prepared_at=now)
        decision.outcome, decision.ground, decision.motive = outcome, ground, motive
        decision.organisation = actor_organisation(by, project, ARS_AGENTS)
        decision.signed_by = by
        decision.signed_at = now
        decision.full_clean()
        decision.save()
        _close_clock(project, now)
        if name == "validate":
            project.recognised_on = timezone.localdate(now)
            project.validation_kind = ValidationKind.EXPRESS
        fire(project, name, by=by, comment=motive, version=version, details=details)
        event_record(
            dossier=project,
            type=EventType.PROJECT_VALIDATED if name == "validate" else EventType.PROJECT_OPPOSED,
            actor=by,
            payload={"ground": str(OppositionGround(ground).label) if ground else "", "motive": motive},
        )
        document_request(version=version, kind=DocumentKind.HEALTH_PROJECT_REVIEW)
    return decision


def project_revise(*, project: HealthProject, by, comment: str = "") -> StatusTransition:
    """After an opposition the coordinators take the project up again, to deposit it anew (a full new delay)."""
    with transition(project, "revise", by=by) as project:
        log = fire(project, "revise", by=by, comment=comment, version=current_version(project))
    return log


# --- The periodic scan --------------------------------------------------------------------------------------------


def _next_due(content_type, kind: str, now: dt.datetime, skipped: set[int]) -> Deadline | None:
    """One due open row of ``kind``, locked; rows another worker holds are skipped (SKIP LOCKED)."""
    return (
        Deadline.objects.select_for_update(skip_locked=True)
        .filter(content_type=content_type, kind=kind, closed_at__isnull=True, due_at__lte=now)
        .exclude(pk__in=skipped)
        .order_by("due_at", "pk")
        .first()
    )


def _lock_project(project_id: int) -> HealthProject | None:
    """The project locked, or None when a person is acting on it right now (the next scan takes it)."""
    return (
        HealthProject.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("cpts__region", "regional_settings", "instructing_region")
        .filter(pk=project_id)
        .first()
    )


def _validate_tacitly(row: Deadline, now: dt.datetime) -> bool:
    """Inside the caller's transaction, on a locked row: fire the tacit validation of its project."""
    project = _lock_project(row.object_id)
    if project is None:
        return False
    if project.status != S.DEPOSITED or tacit_validation_at(project) != row.due_at:
        row.closed_at = now  # a row left open by a step that has since stopped the clock
        row.save(update_fields=["closed_at"])
        return False
    project.recognised_on = timezone.localdate(row.due_at)
    project.validation_kind = ValidationKind.TACIT
    fire(
        project,
        "validate_tacitly",
        by=None,
        system=True,
        version=current_version(project),
        details={"tacit_at": row.due_at.isoformat()},
    )
    _close_clock(project, now)
    event_record(
        dossier=project,
        type=EventType.PROJECT_VALIDATED_TACITLY,
        actor=None,
        payload={"tacit_on": _date_text(row.due_at)},
    )
    version = current_version(project)
    if version is not None:
        document_request(version=version, kind=DocumentKind.HEALTH_PROJECT_REVIEW)
    return True


def _send_alert(row: Deadline, now: dt.datetime) -> bool:
    project = _lock_project(row.object_id)
    if project is None:
        return False
    row.closed_at = row.sent_at = now
    row.save(update_fields=["closed_at", "sent_at"])
    tacit_at = tacit_validation_at(project)
    if project.status != S.DEPOSITED or tacit_at is None:
        return False
    event_record(
        dossier=project,
        type=EventType.PROJECT_TACIT_APPROACHING,
        actor=None,
        payload={
            "tacit_on": _date_text(tacit_at),
            "days": (timezone.localdate(tacit_at) - timezone.localdate(now)).days,
        },
    )
    return True


def health_projects_scan(*, now: dt.datetime | None = None, batch: int = 200) -> int:
    """The periodic scan (beat): the tacit validation of every project whose date has passed, the alerts to the
    ARS before it, the reminders of late opinions. One transaction per project, rows locked with SKIP LOCKED: two
    workers at once, or a rerun, validate once and notify once; a worker killed midway leaves each project either
    validated with its log row and notifications, or untouched. Returns the number of tacit validations."""
    now = now or timezone.now()
    content_type = ContentType.objects.get_for_model(HealthProject)
    validated = 0
    for kind, step in ((DeadlineKind.TACIT_VALIDATION, _validate_tacitly), (DeadlineKind.DECISION_ALERT, _send_alert)):
        skipped: set[int] = set()
        for _n in range(batch):
            with transaction.atomic():
                row = _next_due(content_type, kind, now, skipped)
                if row is None:
                    break
                done = step(row, now)
                if not done and row.closed_at is None:
                    skipped.add(row.pk)  # its project is busy: the next scan takes it
                if done and kind == DeadlineKind.TACIT_VALIDATION:
                    validated += 1
    expected_opinion_remind_late(now=now, batch=batch, open_dossiers=Q(health_project__status=S.DEPOSITED))
    return validated
