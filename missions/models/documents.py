"""The PDFs of the fiches action, rendered by a task (never in a request) and stored.

A plan of 120 fiches is about 300 pages and takes a minute to lay out: the request records what is asked, a Celery
task renders it and tells how far it got (``pages_done``), and the page shows the state until the file is ready.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import DocumentStatus
from .plans import ActionPlan, ActionSheet


def plan_document_upload_to(instance: "PlanDocument", filename: str) -> str:
    return f"fiches-action/{instance.plan_id}/{filename}"


class PlanDocument(models.Model):
    """The PDF of every active fiche of a plan (``sheet`` empty) or of one fiche, in one variant: with the members'
    contacts (read by the CPTS's coordinators) or without. One row per plan, fiche and variant, updated by each
    request; ``content_sha256`` is the fingerprint of the HTML the file was made from, so a request whose content
    has not changed reuses the stored file instead of laying it out again."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="documents", verbose_name=_("plan"))
    sheet = models.ForeignKey(
        ActionSheet,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("fiche"),
    )
    with_contacts = models.BooleanField(_("avec les coordonnées des membres"), default=False)
    status = models.CharField(_("état"), max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.PENDING)
    requested_at = models.DateTimeField(_("demandé le"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("demandé par"),
    )
    started_at = models.DateTimeField(_("rendu commencé le"), null=True, blank=True)
    pages_done = models.PositiveIntegerField(_("pages mises en page"), default=0)
    content_sha256 = models.CharField(_("empreinte du contenu"), max_length=64, blank=True)
    file = models.FileField(_("fichier"), upload_to=plan_document_upload_to, blank=True)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("taille (octets)"), null=True, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    rendered_at = models.DateTimeField(_("produit le"), null=True, blank=True)
    error = models.TextField(_("erreur"), blank=True)

    class Meta:
        verbose_name = _("PDF des fiches action")
        verbose_name_plural = _("PDF des fiches action")
        ordering = ["plan", "sheet", "with_contacts"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "with_contacts"],
                condition=Q(sheet__isnull=True),
                name="plan_document_unique_plan",
                violation_error_message=_("Ce PDF du plan existe déjà."),
            ),
            models.UniqueConstraint(
                fields=["plan", "sheet", "with_contacts"],
                condition=Q(sheet__isnull=False),
                name="plan_document_unique_sheet",
                violation_error_message=_("Ce PDF de la fiche existe déjà."),
            ),
        ]

    def __str__(self):
        target = self.sheet.title if self.sheet_id and self.sheet else _("toutes les fiches")
        return f"PDF – {target} ({self.get_status_display()})"

    # Templates read the state through these (never ``document.status == "ready"``: the choices stay the one source).
    @property
    def is_pending(self) -> bool:
        return self.status == DocumentStatus.PENDING

    @property
    def is_rendering(self) -> bool:
        return self.status == DocumentStatus.RENDERING

    @property
    def is_ready(self) -> bool:
        return self.status == DocumentStatus.READY
