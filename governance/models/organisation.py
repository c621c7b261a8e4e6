"""Partners, bodies and mandates, referents, documents, actions of the inclusion dynamic, invitations."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from cpts_portal.history import HistoricalRecords
from cpts_portal.uploads import ScanStatus
from diagnostics.models import Commune

from ..choices import BodyKind, DocumentKind, InclusionActionKind, MandateRole, ReferentKind
from .members import Member


def _pdf_path(instance, filename) -> str:
    # The stored name never comes from the sender: a random name under the CPTS's folder.
    return f"governance/{instance.cpts_id}/{uuid.uuid4().hex}.pdf"


class Partner(models.Model):
    """A service or establishment working with the CPTS (seed 003 "liste des services / établissements partenaires").

    Its location may lie outside the territory (seed 000 FAQ 1).
    """

    cpts = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="governance_partners", verbose_name=_("CPTS")
    )
    name = models.CharField(_("service / établissement"), max_length=200)
    representative = models.CharField(_("nom du représentant"), max_length=200, blank=True)
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="governance_partners",
        verbose_name=_("commune"),
    )
    location = models.CharField(_("localisation (précision)"), max_length=200, blank=True)
    is_formalised = models.BooleanField(_("partenariat formalisé"), default=False)
    agreement = models.FileField(_("convention signée (PDF)"), upload_to=_pdf_path, blank=True)
    agreement_scan_status = models.CharField(
        _("analyse antivirus de la convention"), max_length=20, choices=ScanStatus.choices, blank=True
    )
    agreement_signed_on = models.DateField(_("convention signée le"), null=True, blank=True)
    review_due_on = models.DateField(_("prochaine revue annuelle"), null=True, blank=True)
    in_governance = models.BooleanField(_("participe à la gouvernance"), default=False)
    ended_on = models.DateField(_("fin du partenariat"), null=True, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("partenaire")
        verbose_name_plural = _("partenaires")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.agreement and not self.is_formalised:
            raise ValidationError({"is_formalised": _("Une convention signée implique un partenariat formalisé.")})


class Body(models.Model):
    """A body of the association: assemblée générale, conseil d'administration, bureau, a college..."""

    cpts = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="governance_bodies", verbose_name=_("CPTS")
    )
    kind = models.CharField(_("instance"), max_length=20, choices=BodyKind.choices)
    name = models.CharField(_("nom"), max_length=200, blank=True, help_text=_("Ex. « Collège des médecins »."))
    voting_rights = models.TextField(
        _("droits de vote"), blank=True, help_text=_("Ex. « une voix par membre actif, deux pouvoirs au plus ».")
    )
    notes = models.TextField(_("composition et fonctionnement"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("instance")
        verbose_name_plural = _("instances")
        ordering = ["kind", "name", "pk"]

    def __str__(self):
        return self.name or self.get_kind_display()


class Mandate(models.Model):
    """A member's seat in a body, with its role and dates."""

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="mandates", verbose_name=_("instance"))
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="mandates", verbose_name=_("membre"))
    role = models.CharField(_("fonction"), max_length=20, choices=MandateRole.choices, default=MandateRole.MEMBER)
    has_vote = models.BooleanField(_("voix délibérative"), default=True)
    started_on = models.DateField(_("début du mandat"))
    ended_on = models.DateField(_("fin du mandat"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mandat")
        verbose_name_plural = _("mandats")
        ordering = ["body", "role", "started_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="gov_mandate_end_after_start",
                violation_error_message=_("La fin du mandat ne peut précéder son début."),
            ),
        ]

    def __str__(self):
        return f"{self.member} – {self.get_role_display()} ({self.body})"


class Referent(models.Model):
    """A member with a mission: a mission pilot, the crisis referent and deputy, the quality referent."""

    cpts = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="governance_referents", verbose_name=_("CPTS")
    )
    kind = models.CharField(_("rôle"), max_length=20, choices=ReferentKind.choices)
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="referent_roles", verbose_name=_("membre")
    )
    mission = models.CharField(_("mission ou action"), max_length=200, blank=True)
    started_on = models.DateField(_("depuis le"))
    ended_on = models.DateField(_("jusqu'au"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("référent")
        verbose_name_plural = _("référents")
        ordering = ["kind", "mission", "started_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="gov_referent_end_after_start",
                violation_error_message=_("La fin ne peut précéder le début."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.member}"

    def clean(self):
        if self.kind == ReferentKind.MISSION_PILOT and not self.mission:
            raise ValidationError({"mission": _("Indiquez la mission pilotée.")})


class GovernanceDocument(models.Model):
    """Statutes, règlement intérieur, minutes: PDF files stored outside the web root."""

    cpts = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="governance_documents", verbose_name=_("CPTS")
    )
    kind = models.CharField(_("type de document"), max_length=20, choices=DocumentKind.choices)
    title = models.CharField(_("titre"), max_length=200)
    document_date = models.DateField(_("date du document"), null=True, blank=True)
    file = models.FileField(_("fichier PDF"), upload_to=_pdf_path)
    size = models.PositiveIntegerField(_("taille (octets)"), default=0)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, blank=True)
    scan_status = models.CharField(
        _("analyse antivirus"), max_length=20, choices=ScanStatus.choices, default=ScanStatus.NOT_SCANNED
    )
    scan_detail = models.CharField(_("détail de l'analyse"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("déposé par"),
    )
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("document de gouvernance")
        verbose_name_plural = _("documents de gouvernance")
        ordering = ["kind", "-document_date", "-uploaded_at"]

    def __str__(self):
        return self.title


class InclusionAction(models.Model):
    """An action informing the territory's professionals about the CPTS (seed 003 "dynamique d'inclusion")."""

    cpts = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="governance_inclusion_actions", verbose_name=_("CPTS")
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("type d'action"), max_length=20, choices=InclusionActionKind.choices)
    title = models.CharField(_("intitulé"), max_length=200)
    audience_reached = models.PositiveIntegerField(
        _("professionnels touchés"), default=0, validators=[MinValueValidator(0)]
    )
    notes = models.TextField(_("remarques"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("action d'information")
        verbose_name_plural = _("actions d'information")
        ordering = ["-date", "pk"]

    def __str__(self):
        return f"{self.title} ({self.date:%d/%m/%Y})"


class MemberInvitation(models.Model):
    """A single-use link inviting a member to a portal account; only the token's SHA-256 is stored."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("membre"))
    email = models.EmailField(_("e-mail"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False, verbose_name=_("empreinte du jeton"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("invité par")
    )
    created_at = models.DateTimeField(_("envoyée le"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expire le"))
    used_at = models.DateTimeField(_("utilisée le"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["token_hash"])

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation de {self.member} ({self.email})"
