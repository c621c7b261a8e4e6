"""The health project (projet de santé): the second stage, written by a CPTS once its letter is validated.

Its sections live where their data lives — the diagnostic in ``diagnostics``, the actions in ``missions``
(ActionPlan), the organisation in ``governance``, the budget in ``funding`` — and this model holds the
sections that belong to the dossier itself: identity (documents.md §4.1) and quality and evaluation. A
submitted version freezes every section whole (``projects.selectors.health_project_snapshot``) into a
``DossierVersion`` row, as the letter does.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from cpts_portal.history import HistoricalRecords

from .letters import validate_siret


class HealthProject(models.Model):
    cpts = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="health_project", verbose_name=_("CPTS")
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("créé par")
    )
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    # 1. Identité
    project_date = models.DateField(_("date du projet"), null=True, blank=True)
    cpts_name = models.CharField(_("nom de la CPTS"), max_length=200, blank=True)
    association_name = models.CharField(_("nom de l'association"), max_length=200, blank=True)
    siret = models.CharField(_("SIRET de l'association"), max_length=14, blank=True, validators=[validate_siret])
    postal_address = models.TextField(_("adresse postale"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    public_email = models.EmailField(_("e-mail à publier sur le site de l'ARS"), blank=True)
    representative_name = models.CharField(_("représentant légal : nom et prénom"), max_length=200, blank=True)
    representative_profession = models.CharField(_("représentant légal : profession"), max_length=200, blank=True)
    representative_phone = models.CharField(_("représentant légal : téléphone"), max_length=30, blank=True)
    representative_email = models.EmailField(_("représentant légal : e-mail"), blank=True)
    coordinator_name = models.CharField(_("coordinateur : nom et prénom"), max_length=200, blank=True)
    coordinator_profession = models.CharField(_("coordinateur : profession"), max_length=200, blank=True)
    coordinator_phone = models.CharField(_("coordinateur : téléphone"), max_length=30, blank=True)
    coordinator_email = models.EmailField(_("coordinateur : e-mail"), blank=True)
    governance_description = models.TextField(
        _("description de la gouvernance"), blank=True, help_text=_("Bureau, conseil d'administration, collèges…")
    )

    # 5. Organisation : fonctionnement et système d'information
    ways_of_working = models.TextField(
        _("modalités de travail et de communication"),
        blank=True,
        help_text=_("Mon espace santé, système d'information partagé, DMP, messagerie sécurisée, protocoles…"),
    )
    uncovered_needs = models.TextField(_("besoins non couverts"), blank=True)

    # Qualité et évaluation
    quality_evaluation = models.TextField(
        _("démarche qualité et évaluation"),
        blank=True,
        help_text=_("Au moins un indicateur par action ; revue des indicateurs deux fois par an."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("projet de santé")
        verbose_name_plural = _("projets de santé")

    def __str__(self):
        return f"Projet de santé – {self.cpts}"
