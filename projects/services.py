"""Writes on dossiers that are not status changes: drafts, versions, opinions, messages, notes, deadlines, PDFs.

Status changes are in ``workflows/`` (the engine, one definition per
dossier). Everything here runs in a transaction and checks permission itself.
"""

import datetime as dt
import hashlib
import logging

from django.conf import settings as django_settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .calculations import LETTER_SCHEMA_VERSION, data_sha256
from .choices import (
    DOCUMENT_FILE_NAMES,
    CarryingStage,
    DeadlineKind,
    DeliveryStatus,
    DocumentKind,
    EventType,
    LetterStatus,
    RenderStatus,
)
from .documents import render_document_pdf
from .models import (
    CarryingStructure,
    Deadline,
    DossierMessage,
    DossierVersion,
    ExpectedOpinion,
    HealthProject,
    IdentitySheet,
    IntentionLetter,
    Notification,
    Opinion,
    OpinionAnswer,
    PrivateNote,
    RenderedDocument,
)
from .notifications import event_record
from .permissions import (
    can_create_letter,
    can_edit_letter,
    can_fill_identity_sheet,
    can_give_opinion,
    can_post_message,
    can_start_health_project,
    can_write_note,
    opinion_organisation_for,
)
from .selectors import letter_grid
from .workflows.engine import EVERYONE, REVIEWING_ACTORS, definition_for, lock, submitted_version

logger = logging.getLogger(__name__)


def _require(decision) -> None:
    if not decision:
        raise PermissionDenied(decision.reason)


# --- Generic machinery ----------------------------------------------------------------------------------------


def version_create(*, dossier, data: dict, by, schema_version: int = LETTER_SCHEMA_VERSION) -> DossierVersion:
    """Insert the next numbered version of a dossier; the caller holds the dossier's row lock."""
    content_type = ContentType.objects.get_for_model(dossier)
    last = DossierVersion.objects.filter(content_type=content_type, object_id=dossier.pk).aggregate(n=Max("number"))
    data = {**data, "schema_version": schema_version}
    return DossierVersion.objects.create(
        content_type=content_type,
        object_id=dossier.pk,
        number=(last["n"] or 0) + 1,
        schema_version=schema_version,
        data=data,
        sha256=data_sha256(data),
        submitted_by=by,
        submitted_at=timezone.now(),
    )


def opinion_round_open(*, version: DossierVersion, organisations, due_at: dt.datetime) -> list[ExpectedOpinion]:
    """One expected opinion per organisation on this version of its dossier; a new round (after complements)
    reopens the same rows (one per dossier and organisation)."""
    now = timezone.now()
    rows = []
    for organisation in organisations:
        row, _created = ExpectedOpinion.objects.update_or_create(
            content_type=version.content_type,
            object_id=version.object_id,
            organisation=organisation,
            defaults={
                "version": version,
                "requested_at": now,
                "due_at": due_at,
                "received_at": None,
                "reminded_at": None,
            },
        )
        rows.append(row)
    return rows


def deadline_create(
    *, dossier, kind: str, due_at: dt.datetime, label: str = "", alert_days: int | None = None
) -> Deadline:
    """A deadline row with its alert ``alert_days`` before (setting PROJECTS_DEADLINE_ALERT_DAYS, 30 by default;
    never before now, so a short deadline alerts at once)."""
    if alert_days is None:
        alert_days = getattr(django_settings, "PROJECTS_DEADLINE_ALERT_DAYS", 30)
    now = timezone.now()
    alert_at = min(due_at, max(now, due_at - dt.timedelta(days=alert_days)))
    deadline = Deadline(dossier=dossier, kind=kind, label=label, due_at=due_at, alert_at=alert_at)
    deadline.full_clean(exclude=["content_type", "object_id"])
    deadline.save()
    return deadline


def document_request(*, version: DossierVersion, kind: str) -> RenderedDocument:
    """Ask for the PDF of a version; a task renders it once the transaction commits."""
    from .tasks import document_render

    document, _created = RenderedDocument.objects.get_or_create(
        version=version, kind=kind, defaults={"requested_at": timezone.now()}
    )
    if document.status != RenderStatus.READY:
        # robust: a broker outage must not turn the committed submission into an error page; the row stays
        # PENDING and ``pending_work_resend`` (beat) sends it again.
        transaction.on_commit(lambda: document_render.delay(document.pk), robust=True)
    return document


def document_render_again(*, document_id: int) -> RenderedDocument:
    """A document marked READY whose file is missing from storage (a lost volume, a partial restore) goes back to
    PENDING, forgets the fingerprint of a file that no longer exists, and is rendered again from the frozen version
    once the transaction commits. A document whose file is there is left alone."""
    from .tasks import document_render

    with transaction.atomic():
        document = RenderedDocument.objects.select_for_update().get(pk=document_id)
        if document.status == RenderStatus.READY:
            name = document.file.name
            if name and document.file.storage.exists(name):
                return document
            logger.warning("Fichier du document %s introuvable (%r) : nouveau rendu demandé", document.pk, name)
            document.status = RenderStatus.PENDING
            document.file.name = ""
            document.sha256 = ""
            document.size = None
            document.rendered_at = None
            document.save(update_fields=["status", "file", "sha256", "size", "rendered_at"])
    if document.status != RenderStatus.READY:
        transaction.on_commit(lambda: document_render.delay(document.pk), robust=True)
    return document


def document_render_now(*, document_id: int) -> RenderedDocument:
    """Render and store a PDF with its SHA-256 (called by the task). A stored file is never re-rendered."""

    with transaction.atomic():
        document = RenderedDocument.objects.select_for_update().select_related("version").get(pk=document_id)
        if document.status == RenderStatus.READY:
            return document
        pdf = render_document_pdf(document)
        digest = hashlib.sha256(pdf).hexdigest()
        prefix = f"v{document.version.number}-{DOCUMENT_FILE_NAMES[DocumentKind(document.kind)]}-"
        document.file.save(f"{prefix}{digest[:12]}.pdf", ContentFile(pdf), save=False)
        _remove_abandoned_renders(document, prefix)
        document.sha256 = digest
        document.size = len(pdf)
        document.status = RenderStatus.READY
        document.rendered_at = timezone.now()
        document.error = ""
        document.save()
    return document


def _remove_abandoned_renders(document: RenderedDocument, prefix: str) -> None:
    """A worker killed between writing the file and committing leaves a file no row points to; the retry that
    succeeds removes it, so one document is one stored PDF."""
    storage = document.file.storage
    name = document.file.name
    if not name:  # nothing was stored
        return
    folder, kept = name.rsplit("/", 1)
    try:
        _dirs, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        if name.startswith(prefix) and name.endswith(".pdf") and name != kept:
            storage.delete(f"{folder}/{name}")


def notification_send_once(*, notification_id: int, build_message) -> bool:
    """Send one pending e-mail notification, exactly once even if two workers (or a rerun) try at the same time:
    the row is locked (SKIP LOCKED) and re-read as PENDING before sending. Returns whether this call sent it."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("event", "recipient")
            .filter(pk=notification_id, status=DeliveryStatus.PENDING)
            .first()
        )
        if notification is None:
            return False
        notification_deliver(notification=notification, send=build_message(notification).send)
    return True


def pending_work_resend(*, now: dt.datetime | None = None, grace: dt.timedelta = dt.timedelta(minutes=10)) -> dict:
    """Send again the PDF renders and e-mails still pending after ``grace`` (the outbox of the on-commit tasks).

    The rows are the outbox: a submission commits them with the dossier, and the task sent on commit may have been
    lost (broker down, worker killed before acknowledging). Sending twice is harmless: a render of a READY
    document returns at once, a notification is sent by whoever locks it first."""
    from .tasks import document_render, notifications_send

    now = now or timezone.now()
    documents = list(
        RenderedDocument.objects.filter(status=RenderStatus.PENDING, requested_at__lte=now - grace).values_list(
            "pk", flat=True
        )
    )
    events = list(
        Notification.objects.filter(channel="email", status=DeliveryStatus.PENDING, event__created_at__lte=now - grace)
        .values_list("event_id", flat=True)
        .distinct()
    )
    for pk in documents:
        document_render.delay(pk)
    for pk in events:
        notifications_send.delay(pk)
    return {"documents": len(documents), "events": len(events)}


def document_mark_failed(*, document_id: int, error: str) -> None:
    RenderedDocument.objects.filter(pk=document_id).exclude(status=RenderStatus.READY).update(
        status=RenderStatus.FAILED, error=error[:2000]
    )


def deadline_process_due(*, now: dt.datetime | None = None, batch: int = 200) -> int:
    """Send the alerts and overdue notices of due deadlines. Rows are locked with SKIP LOCKED and marked,
    so two beat runs at once, or a rerun, never notify twice."""
    now = now or timezone.now()
    with transaction.atomic():
        alerts = _deadlines_notify(
            {"sent_at__isnull": True, "alert_at__lte": now}, "alert_at", "sent_at", EventType.DEADLINE_APPROACHING,
            now=now, batch=batch,
        )  # fmt: skip
        overdue = _deadlines_notify(
            {"overdue_sent_at__isnull": True, "due_at__lte": now}, "due_at", "overdue_sent_at",
            EventType.DEADLINE_PASSED, now=now, batch=batch,
        )  # fmt: skip
    return alerts + overdue


def _deadlines_notify(pending: dict, order: str, mark: str, event_type: str, *, now, batch: int) -> int:
    """Record one event per open deadline matching ``pending`` (locked, skipping locked rows) and mark it."""

    due = list(
        Deadline.objects.select_for_update(skip_locked=True)
        .filter(closed_at__isnull=True, **pending)
        # The health project's clock has its own scan (workflows.health_project_services.health_projects_scan).
        .exclude(kind__in=[DeadlineKind.TACIT_VALIDATION, DeadlineKind.DECISION_ALERT])
        .order_by(order)[:batch]
    )
    for deadline in due:
        event_record(
            dossier=deadline.dossier,
            type=event_type,
            actor=None,
            payload={"deadline": str(deadline), "due_at": deadline.due_at.isoformat()},
        )
        setattr(deadline, mark, now)
        deadline.save(update_fields=[mark])
    return len(due)


def expected_opinion_remind_late(
    *, now: dt.datetime | None = None, batch: int = 200, open_dossiers: Q | None = None
) -> int:
    """Remind the organisations whose opinion is past its delay (once per round), on the dossiers still awaiting
    opinions: ``open_dossiers`` (a filter over the expected opinions; default: the letters under review; the health
    project's scan passes its deposited projects)."""

    now = now or timezone.now()
    if open_dossiers is None:
        open_dossiers = Q(intention_letter__status=LetterStatus.UNDER_REVIEW)
    with transaction.atomic():
        late = list(
            ExpectedOpinion.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(open_dossiers, received_at__isnull=True, reminded_at__isnull=True, due_at__lte=now)
            .select_related("organisation")
            .order_by("due_at")[:batch]
        )
        for row in late:
            event_record(
                dossier=row.dossier,
                type=EventType.OPINION_LATE,
                actor=None,
                payload={"organisation_ids": [row.organisation_id], "organisation": row.organisation.name},
            )
            row.reminded_at = now
            row.save(update_fields=["reminded_at"])
    return len(late)


def notification_mark_read(*, user, notification_ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, channel="portal", read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())


def notification_deliver(*, notification: Notification, send) -> None:
    """Send one e-mail notification with ``send()`` and record the outcome; a failure is logged, not swallowed
    silently: the row says FAILED with the error, for an administrator to see and retry."""
    try:
        send()
    except Exception as exc:  # noqa: BLE001 - any transport error is recorded on the row
        logger.exception("Échec d'envoi de la notification %s", notification.pk)
        notification.status = DeliveryStatus.FAILED
        notification.error = str(exc)[:2000]
        notification.save(update_fields=["status", "error"])
        return
    notification.status = DeliveryStatus.SENT
    notification.sent_at = timezone.now()
    notification.error = ""
    notification.save(update_fields=["status", "sent_at", "error"])


# --- The intention letter -------------------------------------------------------------------------------------


def letter_create(*, cpts, by) -> IntentionLetter:
    """Start the intention letter of a CPTS, as a draft; its carrying structure for this stage comes with it."""
    _require(can_create_letter(by, cpts))
    with transaction.atomic():
        structure, _created = CarryingStructure.objects.get_or_create(cpts=cpts, stage=CarryingStage.LETTER)
        letter = IntentionLetter(cpts=cpts, carrying_structure=structure, contact_email=by.email)
        letter.pilot_name = by.get_full_name()
        try:
            with transaction.atomic():
                letter.save()
        except IntegrityError as exc:
            raise ValidationError(_("Cette CPTS a déjà une lettre d'intention en cours.")) from exc
        if (record_stage := definition_for(letter).record_stage) is not None:
            record_stage(letter)  # the CPTS's latest dossier is now this draft
    return letter


def letter_save_draft(*, letter: IntentionLetter, by, form, structure_form, team_formset, profession_formset) -> None:
    """Save what was typed, complete or not: a draft has no required field (completeness is checked at
    submission). The forms are already valid (format checks only, e.g. the SIRET's checksum)."""
    with transaction.atomic():
        locked = IntentionLetter.objects.select_for_update().get(pk=letter.pk)
        _require(can_edit_letter(by, locked))
        structure = structure_form.save(commit=False)
        structure.cpts = letter.cpts
        structure.stage = CarryingStage.LETTER
        structure.save()
        form.instance.carrying_structure = structure
        form.save()
        team_formset.instance = form.instance
        team_formset.save()
        profession_formset.instance = form.instance
        profession_formset.save()


def opinion_record(
    *, dossier, version: DossierVersion, organisation, by, grid, consolidated: bool, overall: str, comment: str, answers
) -> Opinion:
    """Write one organisation's opinion on one version with its answers (``(criterion, assessment, comment)``) and
    mark the opinion expected from it on the dossier received; inside the caller's transaction, after its checks."""
    opinion = Opinion(
        version=version,
        organisation=organisation,
        author=by,
        grid=grid,
        is_consolidated=consolidated,
        overall=overall,
        comment=comment or "",
        created_at=timezone.now(),
    )
    opinion.full_clean()
    opinion.save()
    OpinionAnswer.objects.bulk_create(
        OpinionAnswer(opinion=opinion, criterion=criterion, assessment=assessment, comment=text or "")
        for criterion, assessment, text in answers
    )
    ExpectedOpinion.objects.filter(
        content_type=version.content_type, object_id=dossier.pk, organisation=organisation
    ).update(received_at=opinion.created_at)
    return opinion


def opinion_give(*, letter: IntentionLetter, by, overall: str, comment: str, answers: dict) -> Opinion:
    """An organisation's opinion on the current version: one answer per criterion, then an overall opinion.

    ``answers`` maps each criterion to ``(assessment, comment)``. For the desk of a circuit that transmits,
    this is the consolidated opinion."""

    with transaction.atomic():
        letter = lock(letter)
        _require(can_give_opinion(by, letter))
        organisation, consolidated = opinion_organisation_for(by, letter)
        version = submitted_version(letter)
        grid = letter_grid(letter)
        criteria = list(grid.criteria.all()) if grid else []
        missing = [c.label for c in criteria if c not in answers or not answers[c][0]]
        if missing or not overall:
            raise ValidationError(_("Donnez une appréciation sur chaque critère et un avis global."))
        opinion = opinion_record(
            dossier=letter,
            version=version,
            organisation=organisation,
            by=by,
            grid=grid,
            consolidated=consolidated,
            overall=overall,
            comment=comment,
            answers=[(c, answers[c][0], answers[c][1]) for c in criteria],
        )
        event_record(
            dossier=letter,
            type=EventType.LETTER_OPINION_GIVEN,
            actor=by,
            payload={"organisation": organisation.name, "overall": opinion.get_overall_display()},
        )
    return opinion


def message_post(*, letter: IntentionLetter, by, body: str) -> DossierMessage:

    _require(can_post_message(by, letter))
    if not body.strip():
        raise ValidationError({"body": _("Le message est vide.")})

    with transaction.atomic():
        message = DossierMessage.objects.create(
            dossier=letter,
            author=by,
            organisation=definition_for(letter).organisation_of(by, letter, EVERYONE),
            body=body.strip(),
            created_at=timezone.now(),
        )
        event_record(dossier=letter, type=EventType.MESSAGE_POSTED, actor=by, payload={"excerpt": body.strip()[:200]})
    return message


def note_add(*, letter: IntentionLetter, by, body: str) -> PrivateNote:
    """An internal note, visible only inside the author's reviewing organisation."""
    decision = can_write_note(by, letter)
    _require(decision)
    if not body.strip():
        raise ValidationError({"body": _("La note est vide.")})

    return PrivateNote.objects.create(
        dossier=letter,
        organisation=definition_for(letter).organisation_of(by, letter, REVIEWING_ACTORS),
        author=by,
        body=body.strip(),
        created_at=timezone.now(),
    )


def identity_sheet_save(*, letter: IntentionLetter, by, form) -> IdentitySheet:
    """La Réunion's fiche signalétique, filled by the CPTS once its letter is validated."""
    _require(can_fill_identity_sheet(by, letter))
    with transaction.atomic():
        form.instance.letter = letter
        return form.save()


# --- Health project -----------------------------------------------------------------------------------------------


@transaction.atomic
def health_project_start(*, cpts, user) -> HealthProject:
    """Open the health project of a CPTS whose letter is validated, prefilled from that letter; idempotent."""

    existing = HealthProject.objects.select_for_update().filter(cpts=cpts).first()
    if existing is not None:
        return existing
    decision = can_start_health_project(user, cpts)
    if not decision:
        raise PermissionDenied(decision.reason)
    letter = (
        IntentionLetter.objects.filter(cpts=cpts, status=LetterStatus.VALIDATED)
        .select_related("carrying_structure")
        .order_by("-created_at")
        .first()
    )
    structure = letter.carrying_structure if letter else None
    project = HealthProject(
        cpts=cpts,
        created_by=user,
        cpts_name=cpts.name,
        association_name=structure.name if structure else "",
        siret=structure.siret if structure else "",
        postal_address=structure.address if structure else "",
        email=letter.contact_email if letter else "",
        phone=letter.contact_phone if letter else "",
    )
    project.full_clean(exclude=["status"])  # protected FSM field: only transitions set it
    project.save()
    return project


@transaction.atomic
def health_project_update(*, project: HealthProject, data: dict) -> HealthProject:
    """Save the sections the dossier holds itself (identity, ways of working, quality); partial content is fine."""
    project = HealthProject.objects.select_for_update().get(pk=project.pk)
    for name, value in data.items():
        setattr(project, name, value)
    project.full_clean(exclude=["status"])  # protected FSM field: only transitions set it
    project.save()
    return project
