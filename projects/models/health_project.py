"""The health project (projet de santé): the second stage, written by a CPTS once its letter is validated.

Its sections live where their data lives — the diagnostic in ``diagnostics``, the actions in ``missions``
(ActionPlan), the organisation in ``governance``, the budget in ``funding`` — and this model holds the
sections that belong to the dossier itself: identity (documents.md §4.1) and quality and evaluation. A
submitted version freezes every section whole (``projects.selectors.health_project_snapshot``) into a
``DossierVersion`` row, as the letter does.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition

from accounts.models import Organisation
from cpts_portal.history import HistoricalRecords

from ..choices import HealthProjectStatus, OppositionGround, ProjectDecisionOutcome, ValidationKind
from .letters import validate_siret
from .lifecycle import (
    ComplementRequest,
    Deadline,
    DossierMessage,
    DossierVersion,
    Event,
    ExpectedOpinion,
    PrivateNote,
    StatusTransition,
)

S = HealthProjectStatus


class HealthProject(FSMModelMixin, models.Model):
    cpts = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="health_project", verbose_name=_("CPTS")
    )
    status = FSMField(_("statut"), default=S.DRAFT, choices=S.choices, protected=True)
    # Frozen at the first deposit: the project is judged under the rules in force when it was sent.
    instructing_region = models.ForeignKey(
        "accounts.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("région")
    )
    regional_settings = models.ForeignKey(
        "accounts.RegionalSettings",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("paramètres régionaux"),
    )
    current_version_number = models.PositiveIntegerField(_("dernière version déposée"), default=0)
    deposited_at = models.DateTimeField(_("déposé le"), null=True, blank=True)
    # Set while complements are awaited: where the regional setting pauses the 2-month clock, the time between this
    # and the next deposit is added to the date on which silence means validation.
    complements_requested_at = models.DateTimeField(_("compléments demandés le"), null=True, blank=True)
    # The regional register of recognised CPTS: set by the validation, express or tacit.
    recognised_on = models.DateField(_("CPTS reconnue le"), null=True, blank=True)
    validation_kind = models.CharField(
        _("type de validation"), max_length=10, choices=ValidationKind.choices, blank=True
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
    versions = GenericRelation(DossierVersion, related_query_name="health_project")
    transitions = GenericRelation(StatusTransition, related_query_name="health_project")
    expected_opinions = GenericRelation(ExpectedOpinion, related_query_name="health_project")
    complement_requests = GenericRelation(ComplementRequest, related_query_name="health_project")
    messages = GenericRelation(DossierMessage, related_query_name="health_project")
    notes = GenericRelation(PrivateNote, related_query_name="health_project")
    deadlines = GenericRelation(Deadline, related_query_name="health_project")
    events = GenericRelation(Event, related_query_name="health_project")
    history = HistoricalRecords(excluded_fields=["status"])

    class Meta:
        verbose_name = _("projet de santé")
        verbose_name_plural = _("projets de santé")

    def __str__(self):
        return f"Projet de santé – {self.cpts}"

    # Transitions. Who may fire each one, its guards and every side effect (version, log row, signatures, opinions,
    # deadlines, notifications) are in projects/workflows/health_project*.py; these bodies stay empty.

    @transition(field=status, source=[S.DRAFT, S.COMPLEMENTS_REQUESTED], target=S.SIGNING)
    def approve(self):
        """The coordinators validate the whole project internally and put this version up for the members' signature."""

    @transition(field=status, source=S.SIGNING, target=RETURN_VALUE(S.DRAFT, S.COMPLEMENTS_REQUESTED))
    def reopen(self):
        """Back to writing (the signatures collected stay attached to the version they signed)."""
        return S.COMPLEMENTS_REQUESTED if self.complements_requested_at else S.DRAFT

    @transition(field=status, source=S.SIGNING, target=S.DEPOSITED)
    def deposit(self):
        """The coordinator deposits the signed version at the ARS: the 2-month clock starts (or resumes)."""

    @transition(field=status, source=S.DEPOSITED, target=S.COMPLEMENTS_REQUESTED)
    def request_complements(self):
        """The ARS asks for complements (reason, per-section comments)."""

    @transition(field=status, source=S.DEPOSITED, target=S.DEPOSITED)
    def prepare_decision(self):
        """An ARS agent prepares the decision for a decider to sign: the status stays."""

    @transition(field=status, source=S.DEPOSITED, target=S.VALIDATED)
    def validate(self):
        """A decider signs the non-opposition (express validation)."""

    @transition(field=status, source=S.DEPOSITED, target=S.OPPOSED)
    def oppose(self):
        """A decider signs an opposition on one of the two legal grounds."""

    @transition(field=status, source=S.DEPOSITED, target=S.VALIDATED_TACITLY)
    def validate_tacitly(self):
        """Two months of silence: the periodic scan validates the project (no person acts)."""

    @transition(field=status, source=S.OPPOSED, target=S.DRAFT)
    def revise(self):
        """After an opposition the CPTS revises its project to deposit it again."""

    @property
    def is_validated(self) -> bool:
        return self.status in (S.VALIDATED, S.VALIDATED_TACITLY)


class ProjectDecision(models.Model):
    """The ARS's decision on one deposited version: prepared by an agent, signed by a decider (as for the letter).
    Preparing again replaces the unsigned preparation; a signed decision is never edited."""

    project = models.ForeignKey(
        HealthProject, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("projet de santé")
    )
    version = models.ForeignKey(DossierVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("version"))
    outcome = models.CharField(_("décision"), max_length=20, choices=ProjectDecisionOutcome.choices)
    ground = models.CharField(
        _("motif légal d'opposition"), max_length=20, choices=OppositionGround.choices, blank=True
    )
    motive = models.TextField(_("motivation"), blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("préparée par")
    )
    prepared_at = models.DateTimeField(_("préparée le"))
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signée par"),
    )
    signed_at = models.DateTimeField(_("signée le"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("décision sur le projet de santé")
        verbose_name_plural = _("décisions sur les projets de santé")
        ordering = ["prepared_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome=ProjectDecisionOutcome.NON_OPPOSITION, ground="")
                | Q(outcome=ProjectDecisionOutcome.OPPOSITION, ground__in=OppositionGround.values),
                name="project_decision_legal_ground",
                violation_error_message=_(
                    "Une opposition se fonde sur l'un des deux motifs légaux (objectifs du PRS non respectés, "
                    "territoire non pertinent) ; une non-opposition n'en a pas."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(outcome=ProjectDecisionOutcome.OPPOSITION) | ~Q(motive=""),
                name="project_decision_opposition_motive",
                violation_error_message=_("Une opposition doit être motivée."),
            ),
            models.UniqueConstraint(
                fields=["version"],
                condition=Q(signed_at__isnull=True),
                name="project_decision_one_prepared_per_version",
                violation_error_message=_("Une décision est déjà préparée sur cette version."),
            ),
        ]

    def __str__(self):
        return f"{self.get_outcome_display()} – {self.project}"
