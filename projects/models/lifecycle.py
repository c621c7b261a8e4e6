"""The lifecycle machinery shared by every dossier (intention letter, health project, contract).

A dossier is any model of this app with a status; the rows below point to it through a generic relation
(content type + id, as django-fsm-log does), so the health project and the contract reuse them unchanged.
Each dossier model declares the matching ``GenericRelation`` fields to prefetch them.
"""

from typing import cast

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.choices import ProjectSection
from cpts_portal.history import HistoricalRecords

from ..choices import Assessment, Channel, ComplementReason, DeadlineKind, DeliveryStatus, DocumentKind, RenderStatus


class DossierRelated(models.Model):
    """Abstract: a row attached to one dossier."""

    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("type d'objet")
    )
    object_id = models.PositiveBigIntegerField(verbose_name=_("identifiant de l'objet"))
    dossier = GenericForeignKey("content_type", "object_id")

    class Meta:
        abstract = True


class DossierVersion(DossierRelated):
    """A submitted, frozen version of a dossier: insert-only, its content as JSON with a schema version."""

    number = models.PositiveIntegerField(_("numéro de version"))
    schema_version = models.PositiveSmallIntegerField(_("version du schéma"))
    data = models.JSONField(_("contenu déposé"))
    sha256 = models.CharField(_("empreinte SHA-256 du contenu"), max_length=64)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("déposée par")
    )
    submitted_at = models.DateTimeField(_("déposée le"))

    class Meta:
        verbose_name = _("version déposée")
        verbose_name_plural = _("versions déposées")
        ordering = ["content_type", "object_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "number"],
                name="dossier_version_unique_number",
                violation_error_message=_("Cette version existe déjà."),
            ),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="dossier_version_target")]

    def __str__(self):
        return f"Version {self.number}"


class StatusTransition(DossierRelated):
    """One move of a dossier between two statuses: who, when, from, to, and why. Never edited."""

    transition = models.CharField(_("transition"), max_length=50)
    source = models.CharField(_("statut de départ"), max_length=30)
    target = models.CharField(_("statut d'arrivée"), max_length=30)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
        help_text=_("Vide pour une transition automatique."),
    )
    at = models.DateTimeField(_("le"))
    comment = models.TextField(_("commentaire"), blank=True)
    version = models.ForeignKey(
        DossierVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("version")
    )
    # What the move carried besides its comment, e.g. a transmission to the ARS with opinions missing
    # ({"missing_opinions": [...], "delay_passed": bool}) or a prepared decision ({"outcome": ...}).
    details = models.JSONField(_("précisions"), default=dict, blank=True)

    class Meta:
        verbose_name = _("changement de statut")
        verbose_name_plural = _("changements de statut")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="status_transition_target")]

    def __str__(self):
        return f"{self.source} → {self.target}"

    @property
    def target_label(self) -> str:
        """The status reached, in French (the dossier's status choices, looked up through its model)."""
        model = ContentType.objects.get_for_id(self.content_type_id).model_class()
        choices = cast(models.Field, model._meta.get_field("status")).choices if model else None
        return dict(choices or ()).get(self.target, self.target)


class OpinionGrid(models.Model):
    """A set of criteria an opinion answers (reference data: fixtures/opinion_grids.json)."""

    code = models.SlugField(_("code"), unique=True)
    label = models.CharField(_("intitulé"), max_length=200)
    letter_circuit = models.CharField(
        _("circuit de lettre d'intention"), max_length=20, blank=True, help_text=_("Grille des avis de ce circuit.")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("grille d'avis")
        verbose_name_plural = _("grilles d'avis")
        ordering = ["code"]

    def __str__(self):
        return self.label


class GridCriterion(models.Model):
    grid = models.ForeignKey(OpinionGrid, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("grille"))
    code = models.SlugField(_("code"))
    label = models.CharField(_("critère"), max_length=200)
    help_text = models.TextField(_("précisions"), blank=True)
    # The section of the health project this criterion judges (seed 000 Annexe 9): the grid links to it.
    section = models.CharField(_("section jugée"), max_length=30, choices=ProjectSection.choices, blank=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("critère d'avis")
        verbose_name_plural = _("critères d'avis")
        ordering = ["grid", "order"]
        constraints = [models.UniqueConstraint(fields=["grid", "code"], name="grid_criterion_unique_code")]

    def __str__(self):
        return self.label


class ExpectedOpinion(DossierRelated):
    """An opinion a reviewing organisation owes on a dossier, created when the review phase opens.

    One row per dossier and organisation: a new round (after complements) reopens the same row.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="expected_opinions",
        verbose_name=_("organisation"),
    )
    version = models.ForeignKey(
        DossierVersion, on_delete=models.PROTECT, related_name="expected_opinions", verbose_name=_("version à examiner")
    )
    requested_at = models.DateTimeField(_("demandé le"))
    due_at = models.DateTimeField(_("attendu avant le"))
    received_at = models.DateTimeField(_("reçu le"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("relance envoyée le"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("avis attendu")
        verbose_name_plural = _("avis attendus")
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "organisation"], name="expected_opinion_unique_organisation"
            ),
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="expected_opinion_target"),
            models.Index(fields=["due_at"], name="expected_opinion_due", condition=Q(received_at__isnull=True)),
        ]

    def __str__(self):
        return f"Avis attendu de {self.organisation}"

    @property
    def is_pending(self) -> bool:
        return self.received_at is None


class Opinion(models.Model):
    """The opinion of one organisation on one version; insert-only. The desk's is the consolidated one."""

    version = models.ForeignKey(
        DossierVersion, on_delete=models.PROTECT, related_name="opinions", verbose_name=_("version")
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="opinions", verbose_name=_("organisation")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("auteur")
    )
    grid = models.ForeignKey(
        OpinionGrid, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("grille")
    )
    is_consolidated = models.BooleanField(_("avis consolidé du guichet"), default=False)
    overall = models.CharField(_("avis global"), max_length=20, choices=Assessment.choices)
    comment = models.TextField(_("commentaire"), blank=True)
    created_at = models.DateTimeField(_("rendu le"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("avis")
        verbose_name_plural = _("avis")
        ordering = ["version", "-is_consolidated", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "organisation"],
                name="opinion_unique_per_version",
                violation_error_message=_("Votre organisation a déjà rendu son avis sur cette version."),
            ),
        ]

    def __str__(self):
        return f"Avis de {self.organisation} ({self.get_overall_display()})"


class OpinionAnswer(models.Model):
    opinion = models.ForeignKey(Opinion, on_delete=models.CASCADE, related_name="answers", verbose_name=_("avis"))
    criterion = models.ForeignKey(GridCriterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("critère"))
    assessment = models.CharField(_("appréciation"), max_length=20, choices=Assessment.choices)
    comment = models.TextField(_("commentaire"), blank=True)

    class Meta:
        verbose_name = _("réponse à un critère")
        verbose_name_plural = _("réponses aux critères")
        ordering = ["criterion__order"]
        constraints = [models.UniqueConstraint(fields=["opinion", "criterion"], name="opinion_answer_unique")]

    def __str__(self):
        return f"{self.criterion}: {self.get_assessment_display()}"


class ComplementRequest(DossierRelated):
    """A request for complements: a reason, a message, and comments attached to the fields concerned."""

    version = models.ForeignKey(
        DossierVersion, on_delete=models.PROTECT, related_name="complement_requests", verbose_name=_("version")
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("demandé par")
    )
    reason = models.CharField(_("motif"), max_length=20, choices=ComplementReason.choices)
    message = models.TextField(_("message"))
    created_at = models.DateTimeField(_("demandé le"))
    answered_by_version = models.ForeignKey(
        DossierVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("version qui répond"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("demande de compléments")
        verbose_name_plural = _("demandes de compléments")
        ordering = ["created_at"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="complement_request_target")]

    def __str__(self):
        return f"Compléments demandés ({self.get_reason_display()})"


class ComplementFieldComment(models.Model):
    request = models.ForeignKey(
        ComplementRequest,
        on_delete=models.CASCADE,
        related_name="field_comments",
        verbose_name=_("demande de compléments"),
    )
    field_path = models.CharField(_("champ"), max_length=100)
    comment = models.TextField(_("commentaire"))

    class Meta:
        verbose_name = _("commentaire sur un champ")
        verbose_name_plural = _("commentaires sur les champs")
        ordering = ["pk"]

    def __str__(self):
        return self.field_path


class DossierMessage(DossierRelated):
    """The thread between the CPTS and its reviewers, visible to everyone who may see the dossier."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("auteur")
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("envoyé le"))

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="dossier_message_target")]

    def __str__(self):
        return f"Message de {self.author}"


class PrivateNote(DossierRelated):
    """A note visible only inside the reviewing organisation that wrote it."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("auteur")
    )
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(_("écrite le"))

    class Meta:
        verbose_name = _("note interne")
        verbose_name_plural = _("notes internes")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "organisation"], name="private_note_target")]

    def __str__(self):
        return f"Note de {self.author}"


class Deadline(DossierRelated):
    """A date a dossier must meet, scanned by a beat task: an alert before, a notice once passed."""

    kind = models.CharField(_("échéance"), max_length=30, choices=DeadlineKind.choices)
    label = models.CharField(_("libellé"), max_length=200, blank=True)
    due_at = models.DateTimeField(_("échéance le"))
    alert_at = models.DateTimeField(_("alerte le"))
    sent_at = models.DateTimeField(_("alerte envoyée le"), null=True, blank=True)
    overdue_sent_at = models.DateTimeField(_("dépassement signalé le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("tenue le"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("échéance")
        verbose_name_plural = _("échéances")
        ordering = ["due_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(alert_at__lte=models.F("due_at")),
                name="deadline_alert_before_due",
                violation_error_message=_("L'alerte doit précéder l'échéance."),
            ),
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="deadline_target"),
            models.Index(fields=["alert_at"], name="deadline_alert_open", condition=Q(closed_at__isnull=True)),
        ]

    def __str__(self):
        return self.label or self.get_kind_display()


class Event(DossierRelated):
    """Something happened on a dossier: the source of notifications."""

    type = models.CharField(_("type"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("auteur de l'action"),
    )
    payload = models.JSONField(_("détails"), default=dict, blank=True)
    created_at = models.DateTimeField(_("le"))

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="event_target")]

    def __str__(self):
        return self.type


class Notification(models.Model):
    """One event for one person on one channel, with its delivery status."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("événement")
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("destinataire")
    )
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("envoi"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    read_at = models.DateTimeField(_("lue le"), null=True, blank=True)
    error = models.TextField(_("erreur"), blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-event__created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "recipient", "channel"], name="notification_unique"),
        ]
        indexes = [models.Index(fields=["recipient", "channel", "read_at"], name="notification_inbox")]

    def __str__(self):
        return f"{self.event} → {self.recipient}"


def document_upload_to(instance, filename):
    return f"dossiers/{instance.version.content_type_id}/{instance.version.object_id}/{filename}"


class RenderedDocument(models.Model):
    """A PDF of one version, rendered once by a task and stored with its SHA-256; downloads serve these bytes."""

    version = models.ForeignKey(
        DossierVersion, on_delete=models.PROTECT, related_name="documents", verbose_name=_("version")
    )
    kind = models.CharField(_("document"), max_length=30, choices=DocumentKind.choices)
    status = models.CharField(_("état"), max_length=10, choices=RenderStatus.choices, default=RenderStatus.PENDING)
    file = models.FileField(_("fichier"), upload_to=document_upload_to, blank=True)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("taille (octets)"), null=True, blank=True)
    requested_at = models.DateTimeField(_("demandé le"))
    rendered_at = models.DateTimeField(_("produit le"), null=True, blank=True)
    error = models.TextField(_("erreur"), blank=True)

    class Meta:
        verbose_name = _("document PDF")
        verbose_name_plural = _("documents PDF")
        ordering = ["version", "kind"]
        constraints = [models.UniqueConstraint(fields=["version", "kind"], name="rendered_document_unique_kind")]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.version}"
