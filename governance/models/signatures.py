"""Members' signatures of a version of the health project (issue 16, point 2).

A ``SignatureRound`` is one version put to the members' signature; what is signed is named through a generic
relation (the health project's version lives in ``projects``, a layer above governance, which the caller passes as
the target), and its ``sha256`` is the fingerprint of the data the caller froze. Each member taking part has one
``Signature`` row in the round: signed through a single-use link sent by e-mail (only the SHA-256 of the token is
stored), or on paper, recorded by a coordinator with its scan.

When the project changes after signatures, the caller opens a new round: the previous one is *superseded*; its
signatures stay attached to it (they signed that version), but they never count for the new one.
"""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from cpts_portal.uploads import ScanStatus

from ..choices import SignatureMethod
from .members import Member

SHA256_REGEX = r"^[0-9a-f]{64}$"


def _scan_path(instance, filename) -> str:
    # The stored name never comes from the sender: a random name under the CPTS's folder.
    return f"governance/{instance.round.cpts_id}/signatures/{uuid.uuid4().hex}.pdf"


class SignatureRound(models.Model):
    """One version of a document put to the signature of the CPTS's members (insert-only but for ``superseded_at``).

    ``document_html`` is what the signers read. It is produced by the caller from the portal's own templates (which
    escape every value a person typed), never from HTML a person wrote: that is why the signing page may show it
    with ``|safe``. Never store HTML received from a form here.
    """

    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("type d'objet signé")
    )
    object_id = models.PositiveBigIntegerField(_("identifiant de l'objet signé"))
    target = GenericForeignKey("content_type", "object_id")
    cpts = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="signature_rounds",
        verbose_name=_("CPTS"),
        limit_choices_to={"kind": "cpts"},
    )
    number = models.PositiveIntegerField(_("numéro de la version à signer"))
    sha256 = models.CharField(_("empreinte SHA-256 de la version"), max_length=64)
    title = models.CharField(_("intitulé"), max_length=200)
    document_html = models.TextField(_("contenu présenté aux signataires"))
    link_validity_days = models.PositiveSmallIntegerField(_("validité des liens (jours)"), default=30)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("ouverte par")
    )
    opened_at = models.DateTimeField(_("ouverte le"))
    superseded_at = models.DateTimeField(_("remplacée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("version à signer")
        verbose_name_plural = _("versions à signer")
        ordering = ["content_type", "object_id", "-number"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="gov_siground_target")]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "number"],
                name="gov_siground_unique_number",
                violation_error_message=_("Cette version à signer existe déjà."),
            ),
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=Q(superseded_at__isnull=True),
                name="gov_siground_one_open_per_target",
                violation_error_message=_("Une seule version peut être à la signature à la fois."),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="gov_siground_number_positive",
                violation_error_message=_("Le numéro de version commence à 1."),
            ),
            models.CheckConstraint(
                condition=Q(sha256__regex=SHA256_REGEX),
                name="gov_siground_sha256_hex",
                violation_error_message=_("L'empreinte SHA-256 doit compter 64 caractères hexadécimaux."),
            ),
            models.CheckConstraint(
                condition=Q(link_validity_days__gte=1, link_validity_days__lte=365),
                name="gov_siground_validity_range",
                violation_error_message=_("La validité des liens va de 1 à 365 jours."),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.superseded_at is None


class Signature(models.Model):
    """One member's signature of one round: expected when created, signed once (by link or on paper).

    A link signature records when, from which address and browser, and the SHA-256 the signer saw and confirmed;
    a paper one its scan, its date and who recorded it.
    """

    round = models.ForeignKey(
        SignatureRound, on_delete=models.PROTECT, related_name="signatures", verbose_name=_("version à signer")
    )
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="signatures", verbose_name=_("membre"))
    method = models.CharField(_("mode de signature"), max_length=10, choices=SignatureMethod.choices)
    token_hash = models.CharField(_("empreinte du jeton"), max_length=64, blank=True, editable=False)
    link_requested_at = models.DateTimeField(
        _("lien à envoyer depuis le"),
        null=True,
        blank=True,
        help_text=_("Renseigné tant qu'un lien (premier envoi ou relance) attend d'être envoyé."),
    )
    sent_at = models.DateTimeField(_("lien envoyé le"), null=True, blank=True)
    expires_at = models.DateTimeField(_("lien valable jusqu'au"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("relancé le"), null=True, blank=True)
    reminders = models.PositiveSmallIntegerField(_("relances"), default=0)
    signed_at = models.DateTimeField(_("signature enregistrée le"), null=True, blank=True)
    signed_on = models.DateField(_("signé le"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("adresse IP du signataire"), null=True, blank=True)
    user_agent = models.CharField(_("navigateur du signataire"), max_length=400, blank=True)
    signed_sha256 = models.CharField(_("empreinte SHA-256 signée"), max_length=64, blank=True)
    scan = models.FileField(_("scan de la signature papier (PDF)"), upload_to=_scan_path, blank=True)
    scan_status = models.CharField(
        _("analyse antivirus du scan"), max_length=20, choices=ScanStatus.choices, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signature papier enregistrée par"),
    )

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["round", "member__last_name", "member__first_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "member"],
                name="gov_signature_unique_member",
                violation_error_message=_("Ce membre a déjà une signature attendue pour cette version."),
            ),
            models.UniqueConstraint(
                fields=["token_hash"],
                condition=~Q(token_hash=""),
                name="gov_signature_unique_token",
                violation_error_message=_("Ce jeton de signature existe déjà."),
            ),
            models.CheckConstraint(
                condition=Q(signed_at__isnull=True)
                | (Q(signed_on__isnull=False) & Q(signed_sha256__regex=SHA256_REGEX)),
                name="gov_signature_signed_complete",
                violation_error_message=_("Une signature porte sa date et l'empreinte de la version signée."),
            ),
            models.CheckConstraint(
                condition=Q(signed_at__isnull=True) | ~Q(method=SignatureMethod.PAPER) | ~Q(scan=""),
                name="gov_signature_paper_has_scan",
                violation_error_message=_("Une signature papier s'enregistre avec son scan."),
            ),
            models.CheckConstraint(
                condition=Q(method=SignatureMethod.PAPER) | Q(scan=""),
                name="gov_signature_scan_only_paper",
                violation_error_message=_("Seule une signature papier a un scan."),
            ),
        ]

    def __str__(self):
        return f"{self.member} – {self.round}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    @property
    def is_paper(self) -> bool:
        """Signed (or to be signed, for a member without e-mail) on paper."""
        return self.method == SignatureMethod.PAPER
