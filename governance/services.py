"""Writes on a CPTS's organisation: members, invitations, mandates, referents, partners, documents.

The members import lives in ``imports.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import Membership, Organisation, User
from accounts.services import membership_grant, membership_revoke
from cpts_portal.uploads import scan_upload

from .choices import BUREAU_REQUIRED_ROLES, BodyKind
from .models import Body, GovernanceDocument, Mandate, Member, MemberInvitation, Partner, Referent
from .validators import validate_pdf

INVITATION_VALIDITY = dt.timedelta(days=14)


def normalise_label(value: str) -> str:
    """Lower case, no accents, single spaces: "Masseur-Kinésithérapeute " -> "masseur kinesitherapeute"."""
    text = unicodedata.normalize("NFKD", str(value or "")).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


# Members


@transaction.atomic
def member_save(*, member: Member) -> Member:
    """Create or change a member after checking every rule of the model (identifiers, dates, nature)."""
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def member_leave(*, member: Member, on: dt.date) -> Member:
    """A member leaves on a date: never deleted, so the count at any earlier date is kept.

    Their running mandates and referent roles end the same day, and their portal role "member" in the CPTS is
    revoked unless another (present) member row links the same account.
    """
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.left_on is not None:
        raise ValidationError(
            _("Ce membre a déjà quitté la CPTS le %(date)s.") % {"date": f"{member.left_on:%d/%m/%Y}"}
        )
    if on < member.joined_on:
        raise ValidationError(_("La date de départ ne peut précéder la date d'adhésion."))
    member.left_on = on
    member.full_clean()
    member.save()
    for mandate in Mandate.objects.filter(member=member, ended_on__isnull=True):
        mandate.ended_on = max(on, mandate.started_on)
        mandate.save()
    for referent in Referent.objects.filter(member=member, ended_on__isnull=True):
        referent.ended_on = max(on, referent.started_on)
        referent.save()
    if member.user_id:
        still_member = Member.objects.filter(cpts=member.cpts, user=member.user, left_on__isnull=True).exists()
        if not still_member:
            for role in Membership.objects.filter(
                user=member.user, organisation=member.cpts, role=Role.MEMBER, is_active=True
            ):
                membership_revoke(membership=role)
    return member


# Invitations


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def member_invite(*, member: Member, invited_by: User, now: dt.datetime | None = None) -> tuple[MemberInvitation, str]:
    """Send a member a single-use link to a portal account (French e-mail, sent once the transaction commits).

    Returns the invitation and the clear token (kept nowhere else: only its SHA-256 is stored). Earlier
    unused invitations of the member stop working.
    """
    now = now or timezone.now()
    if member.left_on is not None:
        raise ValidationError(_("Ce membre a quitté la CPTS : il ne peut plus être invité."))
    if not member.email:
        raise ValidationError(_("Indiquez d'abord l'adresse e-mail de ce membre."))
    if (
        member.user_id
        and Membership.objects.filter(
            user_id=member.user_id, organisation=member.cpts, role=Role.MEMBER, is_active=True
        ).exists()
    ):
        raise ValidationError(_("Ce membre a déjà un compte sur le portail."))
    MemberInvitation.objects.filter(member=member, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    token = secrets.token_urlsafe(32)
    invitation = MemberInvitation.objects.create(
        member=member,
        email=member.email,
        token_hash=_token_hash(token),
        invited_by=invited_by,
        expires_at=now + INVITATION_VALIDITY,
    )
    link = settings.SITE_URL.rstrip("/") + reverse("governance:invitation_accept", args=[token])
    context = {"member": member, "cpts": member.cpts, "link": link, "invited_by": invited_by, "invitation": invitation}
    subject = _("Invitation au Portail CPTS – %(cpts)s") % {"cpts": member.cpts.name}
    body = render_to_string("governance/email/invitation.txt", context)
    recipient = member.email
    transaction.on_commit(lambda: send_mail(subject, body, None, [recipient]))
    return invitation, token


def invitation_problem(invitation: MemberInvitation | None, *, now: dt.datetime | None = None) -> str:
    """Why a link cannot be used (French), or "" when it can."""
    now = now or timezone.now()
    if invitation is None:
        return _("Ce lien d'invitation n'existe pas.")
    if invitation.used_at is not None:
        return _("Ce lien d'invitation a déjà été utilisé.")
    if invitation.expires_at <= now:
        return _("Ce lien d'invitation a expiré : demandez-en un nouveau au coordinateur de la CPTS.")
    if invitation.member.left_on is not None:
        return _("Ce membre a quitté la CPTS.")
    return ""


@transaction.atomic
def invitation_accept(
    *,
    invitation: MemberInvitation,
    user: User | None = None,
    password: str = "",
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Use an invitation once: create the account (or take the signed-in one), give it the role "member".

    ``user`` is the signed-in person whose e-mail matches the invitation; without it a new account is created
    with ``password``, unless an account already holds the e-mail (the person must then sign in first).
    """
    invitation = MemberInvitation.objects.select_for_update().select_related("member__cpts").get(pk=invitation.pk)
    if problem := invitation_problem(invitation):
        raise ValidationError(problem)
    if user is not None:
        if user.email.lower() != invitation.email.lower():
            raise ValidationError(_("Cette invitation a été envoyée à une autre adresse e-mail."))
    else:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ValidationError(_("Un compte existe déjà pour cette adresse : connectez-vous puis rouvrez le lien."))
        user = User(
            email=invitation.email,
            first_name=first_name or invitation.member.first_name,
            last_name=last_name or invitation.member.last_name,
            phone=invitation.member.phone,
        )
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
    membership_grant(user=user, organisation=invitation.member.cpts, role=Role.MEMBER)
    member = Member.objects.select_for_update().get(pk=invitation.member_id)
    member.user = user
    member.save(update_fields=["user", "updated_at"])
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    return user


# Bodies, mandates, referents


def _check_member_of(member: Member, cpts: Organisation, on: dt.date) -> None:
    if member.cpts_id != cpts.pk:
        raise ValidationError(_("Ce membre n'appartient pas à cette CPTS."))
    if not member.is_present_on(on):
        raise ValidationError(_("%(member)s n'est pas membre de la CPTS à cette date.") % {"member": member})


@transaction.atomic
def mandate_create(
    *, body: Body, member: Member, role: str, started_on: dt.date, has_vote: bool = True, ended_on=None
) -> Mandate:
    """Seat a member of the CPTS in a body; the bureau's président, trésorier and secrétaire are one each."""
    body = Body.objects.select_for_update().get(pk=body.pk)
    _check_member_of(member, body.cpts, started_on)
    if body.kind == BodyKind.BUREAU and role in BUREAU_REQUIRED_ROLES:
        taken = (
            Mandate.objects.filter(body=body, role=role, started_on__lte=started_on)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=started_on))
            .exclude(member=member)
        )
        if taken.exists():
            raise ValidationError(_("Ce poste est déjà occupé à cette date : terminez d'abord le mandat en cours."))
    mandate = Mandate(body=body, member=member, role=role, started_on=started_on, ended_on=ended_on, has_vote=has_vote)
    mandate.full_clean()
    mandate.save()
    if not member.in_governance and body.kind in (BodyKind.BUREAU, BodyKind.BOARD):
        member.in_governance = True
        member.save(update_fields=["in_governance", "updated_at"])
    return mandate


@transaction.atomic
def mandate_end(*, mandate: Mandate, on: dt.date) -> Mandate:
    if mandate.ended_on is not None:
        raise ValidationError(_("Ce mandat est déjà terminé."))
    mandate.ended_on = on
    mandate.full_clean()
    mandate.save()
    return mandate


@transaction.atomic
def referent_create(
    *, cpts: Organisation, kind: str, member: Member, started_on: dt.date, mission: str = ""
) -> Referent:
    """Name a referent among the CPTS's members (mission pilot, crisis referent or deputy, quality referent)."""
    _check_member_of(member, cpts, started_on)
    referent = Referent(cpts=cpts, kind=kind, member=member, mission=mission, started_on=started_on)
    referent.full_clean()
    referent.save()
    return referent


@transaction.atomic
def referent_end(*, referent: Referent, on: dt.date) -> Referent:
    if referent.ended_on is not None:
        raise ValidationError(_("Ce rôle est déjà terminé."))
    referent.ended_on = on
    referent.full_clean()
    referent.save()
    return referent


# Documents and partners


def _pdf_fingerprint(uploaded) -> tuple[int, str]:
    digest = hashlib.sha256()
    uploaded.seek(0)
    size = 0
    for chunk in uploaded.chunks() if hasattr(uploaded, "chunks") else [uploaded.read()]:
        digest.update(chunk)
        size += len(chunk)
    uploaded.seek(0)
    return size, digest.hexdigest()


@transaction.atomic
def document_upload(
    *, cpts: Organisation, kind: str, title: str, uploaded, uploaded_by: User, document_date=None
) -> GovernanceDocument:
    """Store a governance document after checking it is really a PDF within the size limit, without active
    content, and not infected (the scanner hook of ``cpts_portal.uploads``)."""
    try:
        validate_pdf(uploaded)
        scan = scan_upload(uploaded)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    size, sha256 = _pdf_fingerprint(uploaded)
    document = GovernanceDocument(
        cpts=cpts,
        kind=kind,
        title=title,
        document_date=document_date,
        size=size,
        sha256=sha256,
        scan_status=scan.status,
        scan_detail=scan.detail[:300],
        uploaded_by=uploaded_by,
    )
    document.file.save("document.pdf", uploaded, save=False)
    document.full_clean()
    document.save()
    return document


@transaction.atomic
def partner_save(*, partner: Partner, agreement=None) -> Partner:
    """Create or change a partner; a new signed agreement must be a real PDF and formalises the partnership."""
    if agreement is not None:
        try:
            validate_pdf(agreement)
            scan = scan_upload(agreement)
        except ValidationError as exc:
            raise ValidationError({"agreement": exc.messages}) from exc
        partner.agreement_scan_status = scan.status
        partner.is_formalised = True
        partner.agreement.save("convention.pdf", agreement, save=False)
    partner.full_clean()
    partner.save()
    return partner
