"""The PDFs of the fiches action, rendered by a task (never in a request) and stored.

A plan of 120 fiches is about 300 pages and takes a minute to lay out: the request records what is asked, a Celery
task renders it and tells how far it got (``pages_done``), and the page shows the state until the file is ready.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cpts_portal.rendering import RequestedDocument

from .plans import ActionPlan, ActionSheet


def plan_document_upload_to(instance: "PlanDocument", filename: str) -> str:
    """Where migration 0004 stored the files (kept for it: the field now asks the model, ``storage_folder``)."""
    return f"fiches-action/{instance.plan_id}/{filename}"


class PlanDocument(RequestedDocument):
    """The PDF of every active fiche of a plan (``sheet`` empty) or of one fiche, in one variant: with the members'
    contacts (read by the CPTS's coordinators) or without. One row per plan, fiche and variant, updated by each
    request; its state, progress and stored file are ``RequestedDocument``'s, rendered by the shared task."""

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

    def storage_folder(self) -> str:
        return f"fiches-action/{self.plan_id}"
