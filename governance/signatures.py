"""Members' signatures of a version of the health project (issue 16, point 2): the writes.

The caller (the health project's workflow, in ``projects``) freezes a version, renders it to HTML from the portal's
templates and opens a round with its SHA-256: ``signature_round_open``. Every member present in the CPTS then has
one ``Signature`` to give: members with an e-mail receive a single-use link, the others sign on paper and a
coordinator records the scan (``signature_record_paper``). A signer confirms the SHA-256 of what they read; a
signature is never counted for a version its signer did not see (``signature_sign``).

Links are an outbox: opening a round or reminding sets ``link_requested_at``; the task sent on commit
(``tasks.signature_links_send``) locks each such row, draws a new token, stores only its SHA-256 and sends the
e-mail in the same transaction (the token exists nowhere else). A lost task is sent again by the beat
(``signature_rounds_remind_due``); a row is sent by whoever locks it first, so a rerun sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Organisation, User
from cpts_portal.pdf_uploads import validate_pdf
from cpts_portal.uploads import scan_upload

from .choices import SignatureMethod
from .models import Member, Signature, SignatureRound

# The beat reminds the members who have not signed every REMINDER_INTERVAL, REMINDERS_MAX times at most (the
# coordinators' "Relancer" has no limit); a link still unsent after OUTBOX_GRACE was lost and is sent again.
REMINDER_INTERVAL = dt.timedelta(days=7)
REMINDERS_MAX = 3
OUTBOX_GRACE = dt.timedelta(minutes=10)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _present_members(cpts: Organisation, on: dt.date):
    return Member.objects.filter(cpts=cpts).present_on(on)


# Opening a round


@transaction.atomic
def signature_round_open(
    *,
    target: models.Model,
    cpts: Organisation,
    sha256: str,
    title: str,
    document_html: str,
    by: User,
    members: list[Member] | None = None,
    valid_days: int = 30,
    now: dt.datetime | None = None,
) -> SignatureRound:
    """Put a version of ``target`` to the signature of the CPTS's members and return its round.

    ``document_html`` must come from the portal's own templates (it is shown as is). The open round of the same
    target, if any, is superseded: its signatures stay attached to it and no longer count. Opening again the
    version already at signature (same ``sha256``) changes nothing and returns that round. ``members`` defaults
    to every member present today; each gets one expected signature: a single-use link by e-mail (sent once the
    transaction commits) when they have an address, a paper signature otherwise.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not _SHA256.match(sha256 or ""):
        raise ValidationError(_("L'empreinte SHA-256 de la version est invalide."))
    # Locking the target serialises two openings of the same target (numbers 1 and 2, never twice the same).
    type(target)._default_manager.select_for_update().filter(pk=target.pk).first()
    content_type = ContentType.objects.get_for_model(target)
    rounds = SignatureRound.objects.select_for_update().filter(content_type=content_type, object_id=target.pk)
    current = rounds.filter(superseded_at__isnull=True).first()
    if current is not None and current.sha256 == sha256:
        return current
    if members is None:
        members = list(_present_members(cpts, today))
    else:
        for member in members:
            if member.cpts_id != cpts.pk or not member.is_present_on(today):
                raise ValidationError(
                    _("%(member)s n'est pas membre de la CPTS aujourd'hui : il ne peut pas signer.")
                    % {"member": member}
                )
    if not members:
        raise ValidationError(_("La CPTS n'a aucun membre pour signer cette version."))
    if current is not None:
        current.superseded_at = now
        current.save(update_fields=["superseded_at"])
    last = rounds.order_by("-number").values_list("number", flat=True).first() or 0
    signature_round = SignatureRound(
        content_type=content_type,
        object_id=target.pk,
        cpts=cpts,
        number=last + 1,
        sha256=sha256,
        title=title,
        document_html=document_html,
        link_validity_days=valid_days,
        opened_by=by,
        opened_at=now,
    )
    signature_round.full_clean()
    signature_round.save()
    Signature.objects.bulk_create(
        Signature(
            round=signature_round,
            member=member,
            method=SignatureMethod.LINK if member.email else SignatureMethod.PAPER,
            link_requested_at=now if member.email else None,
        )
        for member in {m.pk: m for m in members}.values()
    )
    _send_links_on_commit(signature_round.pk)
    return signature_round


def _send_links_on_commit(round_id: int) -> None:
    from .tasks import signature_links_send

    # robust: with the broker down the rows stay requested and the beat sends them later.
    transaction.on_commit(lambda: signature_links_send.delay(round_id), robust=True)


# Links


def signature_link_issue(*, signature: Signature, now: dt.datetime | None = None) -> str:
    """Draw a new single-use token for a signature (the previous one stops working) and return it; only its
    SHA-256 is stored. Called inside the sender's transaction, on a locked row."""
    now = now or timezone.now()
    token = secrets.token_urlsafe(32)
    signature.token_hash = token_hash(token)
    signature.sent_at = signature.sent_at or now
    signature.expires_at = now + dt.timedelta(days=signature.round.link_validity_days)
    signature.link_requested_at = None
    signature.save(update_fields=["token_hash", "sent_at", "expires_at", "link_requested_at"])
    return token


def signature_link_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("governance:signature_sign", args=[token])


def _link_email(signature: Signature, token: str) -> EmailMessage:
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "member": signature.member,
            "round": signature.round,
            "cpts": signature.round.cpts,
            "signature": signature,
            "link": signature_link_url(token),
            "reminder": signature.reminded_at is not None,
        }
        body = render_to_string("governance/email/signature_link.txt", context)
        subject = _("%(cpts)s – signature du projet de santé (version %(number)s)") % {
            "cpts": signature.round.cpts.name,
            "number": signature.round.number,
        }
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [signature.member.email])


def signature_link_send_once(*, signature_id: int, now: dt.datetime | None = None) -> bool:
    """Send the requested link of one signature, exactly once even if two workers try at the same time (the row is
    locked with SKIP LOCKED and re-read as requested). A failed send rolls back: the row stays requested."""
    now = now or timezone.now()
    with transaction.atomic():
        signature = (
            Signature.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("round__cpts", "member")
            .filter(
                pk=signature_id,
                link_requested_at__isnull=False,
                signed_at__isnull=True,
                round__superseded_at__isnull=True,
            )
            .first()
        )
        if signature is None:
            return False
        if not signature.member.email or not signature.member.is_present_on(timezone.localdate(now)):
            signature.link_requested_at = None
            signature.save(update_fields=["link_requested_at"])
            return False
        token = signature_link_issue(signature=signature, now=now)
        _link_email(signature, token).send()
    return True


def signature_links_send(*, round_id: int) -> int:
    """Send every requested link of a round (the task sent on commit); returns how many left."""
    pending = Signature.objects.filter(round_id=round_id, link_requested_at__isnull=False).values_list("pk", flat=True)
    return sum(signature_link_send_once(signature_id=pk) for pk in list(pending))


# Signing


def signature_link_problem(signature: Signature | None, *, now: dt.datetime | None = None) -> str:
    """Why a link cannot be used (French), or "" when it can. An unknown token only ever reads "lien invalide"."""
    now = now or timezone.now()
    if signature is None:
        return _("Ce lien de signature n'est pas valide.")
    if signature.signed_at is not None:
        return _("Ce lien de signature a déjà été utilisé.")
    if signature.round.superseded_at is not None:
        return _("Cette version n'est plus celle à signer : un nouveau lien vous a été envoyé.")
    if signature.expires_at is None or signature.expires_at <= now:
        return _("Ce lien de signature a expiré : demandez-en un nouveau au coordinateur de la CPTS.")
    if not signature.member.is_present_on(timezone.localdate(now)):
        return _("Vous ne faites plus partie de la CPTS : vous ne pouvez plus signer.")
    return ""


@transaction.atomic
def signature_sign(
    *, token: str, seen_sha256: str, ip_address: str | None, user_agent: str, now: dt.datetime | None = None
) -> Signature:
    """Sign through a single-use link: the row is locked, so a double submit signs once and the second is refused.

    ``seen_sha256`` is the fingerprint shown to the signer and sent back with their confirmation: a signature is
    recorded only for the version its signer saw.
    """
    now = now or timezone.now()
    signature = (
        Signature.objects.select_for_update(of=("self",))
        .select_related("round__cpts", "member")
        .filter(token_hash=token_hash(token or ""))
        .first()
    )
    if problem := signature_link_problem(signature, now=now):
        raise ValidationError(problem)
    assert signature is not None  # signature_link_problem refuses a missing one
    if seen_sha256 != signature.round.sha256:
        raise ValidationError(
            _(
                "La version que vous avez lue n'est pas celle à signer : rouvrez le lien pour lire la version "
                "actuelle avant de signer."
            )
        )
    signature.method = SignatureMethod.LINK
    signature.signed_at = now
    signature.signed_on = timezone.localdate(now)
    signature.signed_sha256 = seen_sha256
    signature.ip_address = ip_address or None
    signature.user_agent = (user_agent or "")[:400]
    signature.link_requested_at = None
    signature.full_clean()
    signature.save()
    return signature


@transaction.atomic
def signature_record_paper(
    *, signature: Signature, scan, signed_on: dt.date, by: User, now: dt.datetime | None = None
) -> Signature:
    """A coordinator records a member's paper signature of the round's version with its scan (a real PDF, within
    the size limit, without active content, not infected). The member's link stops being usable."""
    now = now or timezone.now()
    signature = (
        Signature.objects.select_for_update(of=("self",)).select_related("round__cpts", "member").get(pk=signature.pk)
    )
    if signature.signed_at is not None:
        raise ValidationError(_("%(member)s a déjà signé cette version.") % {"member": signature.member})
    if signature.round.superseded_at is not None:
        raise ValidationError(_("Cette version n'est plus celle à signer : enregistrez la signature sur la nouvelle."))
    errors: dict[str, list[str]] = {}
    if signed_on > timezone.localdate(now):
        errors["signed_on"] = [_("La date de signature ne peut pas être dans le futur.")]
    elif signed_on < timezone.localdate(signature.round.opened_at):
        errors["signed_on"] = [
            _("La signature précède la mise à la signature de cette version (%(date)s) : elle porte sur une autre.")
            % {"date": f"{timezone.localdate(signature.round.opened_at):%d/%m/%Y}"}
        ]
    elif not signature.member.is_present_on(signed_on):
        errors["signed_on"] = [
            _("%(member)s n'était pas membre de la CPTS à cette date.") % {"member": signature.member}
        ]
    scan_status = ""
    if scan is None:
        errors["scan"] = [_("Joignez le scan de la signature (PDF).")]
    else:
        try:
            validate_pdf(scan)
            scan_status = scan_upload(scan).status
        except ValidationError as exc:
            errors["scan"] = exc.messages
    if errors:
        raise ValidationError(errors)
    signature.method = SignatureMethod.PAPER
    signature.scan_status = scan_status
    signature.scan.save("signature.pdf", scan, save=False)
    signature.signed_at = now
    signature.signed_on = signed_on
    signature.signed_sha256 = signature.round.sha256
    signature.recorded_by = by
    signature.link_requested_at = None
    signature.full_clean()
    signature.save()
    return signature


# Reminders


def _unsigned_reachable(now: dt.datetime):
    today = timezone.localdate(now)
    return (
        Signature.objects.filter(
            signed_at__isnull=True, round__superseded_at__isnull=True, member__joined_on__lte=today
        )
        .filter(Q(member__left_on__isnull=True) | Q(member__left_on__gt=today))
        .exclude(member__email="")
    )


def _request_new_link(signatures, now: dt.datetime) -> list[Signature]:
    """Mark locked signatures for a new link: the old token stops working at once."""
    rows = list(signatures)
    for signature in rows:
        signature.token_hash = ""
        signature.method = SignatureMethod.LINK
        signature.link_requested_at = now
        signature.reminded_at = now
        signature.reminders += 1
    Signature.objects.bulk_update(
        rows, ["token_hash", "method", "link_requested_at", "reminded_at", "reminders"], batch_size=500
    )
    return rows


@transaction.atomic
def signature_round_remind(*, round: SignatureRound, by: User, now: dt.datetime | None = None) -> int:  # noqa: A002
    """Send a new single-use link to every member of the round who has not signed and has an e-mail (their
    previous link stops working); returns how many. ``by`` is the coordinator (the view checked the permission)."""
    now = now or timezone.now()
    signature_round = SignatureRound.objects.select_for_update().get(pk=round.pk)
    if signature_round.superseded_at is not None:
        raise ValidationError(_("Cette version n'est plus celle à signer : relancez la signature de la nouvelle."))
    signatures = _unsigned_reachable(now).filter(round=signature_round).select_for_update(of=("self",))
    reminded = _request_new_link(signatures, now)
    if not reminded:
        raise ValidationError(
            _("Aucun membre à relancer par e-mail : tous ont signé, ou il reste seulement des signatures papier.")
        )
    _send_links_on_commit(signature_round.pk)
    return len(reminded)


@transaction.atomic
def signature_rounds_remind_due(*, now: dt.datetime | None = None) -> dict:
    """Beat: remind the members who have not signed, REMINDER_INTERVAL after their last link (REMINDERS_MAX times
    at most), and send again the links whose task was lost. Rows are locked with SKIP LOCKED: a second worker
    running at the same time skips them, and a rerun finds nothing due."""
    now = now or timezone.now()
    due = (
        _unsigned_reachable(now)
        .filter(link_requested_at__isnull=True, reminders__lt=REMINDERS_MAX)
        .alias(last_contact=Coalesce(F("reminded_at"), F("sent_at")))
        .filter(last_contact__lte=now - REMINDER_INTERVAL)
        .select_for_update(skip_locked=True, of=("self",))
    )
    reminded_rounds = {s.round_id for s in _request_new_link(due, now)}
    lost_rounds = list(
        Signature.objects.filter(link_requested_at__lte=now - OUTBOX_GRACE, round__superseded_at__isnull=True)
        .values_list("round_id", flat=True)
        .distinct()
    )
    rounds = sorted(reminded_rounds | set(lost_rounds))
    for round_id in rounds:
        _send_links_on_commit(round_id)
    return {"reminded_rounds": len(reminded_rounds), "rounds_sent": len(rounds)}
