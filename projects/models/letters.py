"""The intention letter (stage 1) and what its decision records."""

from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition

from accounts.choices import LetterCircuit
from cpts_portal.history import HistoricalRecords

if TYPE_CHECKING:
    from accounts.models import RegionalSettings

from ..choices import CarryingStage, DecisionOutcome, LegalForm, LetterStatus
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


def validate_siret(value: str) -> None:
    """A SIRET is 14 digits with a valid Luhn checksum (python-stdnum knows La Poste's exception)."""
    from stdnum.exceptions import ValidationError as StdnumError
    from stdnum.fr import siret

    try:
        siret.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _("Ce numéro SIRET n'est pas valide : il doit compter 14 chiffres et sa clé de contrôle doit être juste."),
            code="invalid_siret",
        ) from exc


class CarryingStructure(models.Model):
    """The legal entity that carries the CPTS at one stage: often a first association de préfiguration,
    later replaced by the final association, so one row per CPTS and stage, never one forever."""

    cpts = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="carrying_structures",
        verbose_name=_("CPTS"),
        limit_choices_to={"kind": "cpts"},
    )
    stage = models.CharField(_("étape"), max_length=20, choices=CarryingStage.choices)
    legal_form = models.CharField(
        _("forme juridique"), max_length=20, choices=LegalForm.choices, default=LegalForm.PREFIGURATION
    )
    name = models.CharField(_("nom de la structure porteuse"), max_length=200, blank=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])
    address = models.TextField(_("adresse"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("structure porteuse")
        verbose_name_plural = _("structures porteuses")
        constraints = [
            models.UniqueConstraint(fields=["cpts", "stage"], name="carrying_structure_one_per_stage"),
        ]

    def __str__(self):
        return self.name or str(_("Structure porteuse à préciser"))


class IntentionLetter(FSMModelMixin, models.Model):
    """The intention letter of a CPTS (documents.md §1). The live draft; what was sent lives in versions."""

    cpts = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="intention_letters",
        verbose_name=_("CPTS"),
        limit_choices_to={"kind": "cpts"},
    )
    status = FSMField(_("statut"), default=LetterStatus.DRAFT, choices=LetterStatus.choices, protected=True)
    # Frozen at the first submission: the rules a letter is judged under are those in force when it was sent.
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
    circuit = models.CharField(_("circuit"), max_length=20, blank=True)
    current_version_number = models.PositiveIntegerField(_("dernière version déposée"), default=0)

    pilot_name = models.CharField(_("pilote du projet (nom et prénom)"), max_length=200, blank=True)
    pilot_profession = models.CharField(_("profession du pilote"), max_length=100, blank=True)
    contact_email = models.EmailField(_("e-mail de contact"), blank=True)
    contact_phone = models.CharField(_("téléphone de contact"), max_length=30, blank=True)
    needs = models.TextField(_("besoins identifiés sur le territoire"), blank=True)
    information_actions = models.TextField(_("information des professionnels du territoire"), blank=True)
    project_description = models.TextField(_("description succincte du projet"), blank=True)
    commits_access = models.BooleanField(
        _("engagement : accès aux soins (médecin traitant, soins non programmés)"), default=False
    )
    commits_pathways = models.BooleanField(_("engagement : parcours pluriprofessionnels"), default=False)
    commits_prevention = models.BooleanField(_("engagement : prévention"), default=False)
    commits_crisis = models.BooleanField(_("engagement : réponse aux crises sanitaires graves"), default=False)
    missions_comment = models.TextField(_("précisions sur les missions"), blank=True)
    objectives = models.TextField(_("objectifs et actions envisagées"), blank=True)
    means = models.TextField(_("moyens proposés"), blank=True)
    partners_associated = models.TextField(_("partenaires déjà associés"), blank=True)
    partners_planned = models.TextField(_("partenaires envisagés"), blank=True)
    carrying_structure = models.ForeignKey(
        CarryingStructure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="letters",
        verbose_name=_("structure porteuse"),
    )
    subsidy_amount = models.DecimalField(
        _("montant de subvention demandé (€)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    engineering_budget = models.DecimalField(
        _("budget de la phase d'ingénierie (€)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    subsidy_comment = models.TextField(_("précisions sur la demande de subvention"), blank=True)
    # The priority themes the team retains, among those its region's settings propose (La Réunion, seed 004).
    themes = models.JSONField(_("thématiques retenues"), default=list, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    versions = GenericRelation(DossierVersion, related_query_name="intention_letter")
    transitions = GenericRelation(StatusTransition, related_query_name="intention_letter")
    expected_opinions = GenericRelation(ExpectedOpinion, related_query_name="intention_letter")
    complement_requests = GenericRelation(ComplementRequest, related_query_name="intention_letter")
    messages = GenericRelation(DossierMessage, related_query_name="intention_letter")
    notes = GenericRelation(PrivateNote, related_query_name="intention_letter")
    deadlines = GenericRelation(Deadline, related_query_name="intention_letter")
    events = GenericRelation(Event, related_query_name="intention_letter")
    history = HistoricalRecords(excluded_fields=["status"])

    # Per-instance cache of projects.workflows.letter.letter_settings.
    _settings_cache: "RegionalSettings | None"

    class Meta:
        verbose_name = _("lettre d'intention")
        verbose_name_plural = _("lettres d'intention")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cpts"],
                condition=~Q(status__in=[LetterStatus.REFUSED, LetterStatus.ABANDONED]),
                name="intention_letter_one_open_per_cpts",
                violation_error_message=_("Cette CPTS a déjà une lettre d'intention en cours."),
            ),
        ]

    def __str__(self):
        return f"Lettre d'intention – {self.cpts}"

    # Transitions. Who may fire each one, and their guards, are in projects/workflows.py; these bodies stay
    # empty so that every side effect (version, log row, notifications, deadlines) lives in the services.

    @transition(
        field=status, source=[LetterStatus.DRAFT, LetterStatus.COMPLEMENTS_REQUESTED], target=LetterStatus.SUBMITTED
    )
    def submit(self):
        """The coordinator sends the letter (a new frozen version)."""

    @transition(field=status, source=LetterStatus.SUBMITTED, target=LetterStatus.UNDER_REVIEW)
    def open_review(self):
        """The desk (Guichet, COPIL) takes the letter and asks its reviewing organisations for their opinion."""

    @transition(
        field=status,
        source=[LetterStatus.UNDER_REVIEW, LetterStatus.TRANSMITTED],
        target=LetterStatus.COMPLEMENTS_REQUESTED,
    )
    def request_complements(self):
        """Back to the CPTS with a reason and comments on fields."""

    @transition(
        field=status,
        source=LetterStatus.UNDER_REVIEW,
        target=LetterStatus.TRANSMITTED,
        conditions=[lambda letter: cast("IntentionLetter", letter).circuit_has_transmission],
    )
    def transmit(self):
        """The Guichet sends the letter, its opinions and its consolidated opinion to the ARS."""

    @transition(
        field=status,
        source=[LetterStatus.TRANSMITTED, LetterStatus.UNDER_REVIEW],
        target=LetterStatus.VALIDATED,
        conditions=[lambda letter: cast("IntentionLetter", letter).is_at_decision_stage],
    )
    def validate(self):
        """Decision: validated (ARS, or the COPIL where it decides)."""

    @transition(
        field=status,
        source=[LetterStatus.TRANSMITTED, LetterStatus.UNDER_REVIEW],
        target=LetterStatus.REFUSED,
        conditions=[lambda letter: cast("IntentionLetter", letter).is_at_decision_stage],
    )
    def refuse(self):
        """Decision: refused, with a motive."""

    @transition(
        field=status,
        source=[LetterStatus.TRANSMITTED, LetterStatus.UNDER_REVIEW],
        target=RETURN_VALUE(LetterStatus.TRANSMITTED, LetterStatus.UNDER_REVIEW),
        conditions=[lambda letter: cast("IntentionLetter", letter).is_at_decision_stage],
    )
    def prepare_decision(self):
        """An ARS agent prepares the decision (outcome, motive, amounts) for a decider to sign: the status stays."""
        return self.status

    @transition(
        field=status,
        source=[
            LetterStatus.DRAFT,
            LetterStatus.SUBMITTED,
            LetterStatus.UNDER_REVIEW,
            LetterStatus.COMPLEMENTS_REQUESTED,
            LetterStatus.TRANSMITTED,
        ],
        target=LetterStatus.ABANDONED,
    )
    def withdraw(self):
        """The coordinator abandons the project."""

    @property
    def circuit_has_transmission(self) -> bool:
        """Only the Guichet/URPS circuit has a desk that transmits to the ARS; elsewhere the desk's
        review leads straight to the decision (the COPIL decides, or the ARS reviews directly)."""
        return self.circuit == LetterCircuit.GUICHET_URPS

    @property
    def is_at_decision_stage(self) -> bool:
        if self.circuit_has_transmission:
            return self.status == LetterStatus.TRANSMITTED
        return self.status == LetterStatus.UNDER_REVIEW

    @property
    def is_closed(self) -> bool:
        return self.status in (LetterStatus.VALIDATED, LetterStatus.REFUSED, LetterStatus.ABANDONED)


class LetterTeamMember(models.Model):
    """A person of the project team (seed 004: "la composition de l'équipe projet")."""

    letter = models.ForeignKey(
        IntentionLetter, on_delete=models.CASCADE, related_name="team", verbose_name=_("lettre d'intention")
    )
    name = models.CharField(_("nom et prénom"), max_length=200)
    profession = models.CharField(_("profession"), max_length=100, blank=True)
    place = models.CharField(_("lieu d'exercice"), max_length=200, blank=True)
    team_role = models.CharField(_("rôle dans l'équipe projet"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membre de l'équipe projet")
        verbose_name_plural = _("équipe projet")
        ordering = ["pk"]

    def __str__(self):
        return self.name


class LetterProfession(models.Model):
    """How many professionals of one profession are engaged in the project."""

    letter = models.ForeignKey(
        IntentionLetter, on_delete=models.CASCADE, related_name="professions", verbose_name=_("lettre d'intention")
    )
    profession = models.CharField(_("profession"), max_length=100)
    count = models.PositiveIntegerField(_("nombre de professionnels engagés"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("professionnels mobilisés")
        verbose_name_plural = _("professionnels mobilisés")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.profession} ({self.count})"


class LetterDecision(models.Model):
    """The decision on a letter (validated or refused) with its motive, and on validation the FIR grant and
    the accompaniment commitment."""

    letter = models.OneToOneField(
        IntentionLetter, on_delete=models.PROTECT, related_name="decision", verbose_name=_("lettre d'intention")
    )
    version = models.ForeignKey(DossierVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("version"))
    outcome = models.CharField(_("décision"), max_length=20, choices=DecisionOutcome.choices)
    motive = models.TextField(_("motif"))
    decided_on = models.DateField(_("date de la décision"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("décidé par")
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    fir_amount = models.DecimalField(
        _("subvention FIR d'ingénierie (€)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    accompaniment_size = models.PositiveSmallIntegerField(_("taille de la CPTS"), null=True, blank=True)
    accompaniment_amount = models.DecimalField(
        _("aide à l'accompagnement (€)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    accompaniment_deadline = models.DateField(_("échéance de l'engagement d'accompagnement"), null=True, blank=True)
    support_days = models.PositiveSmallIntegerField(
        _("journées d'appui accordées (structure d'appui)"), null=True, blank=True
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("préparée par"),
    )
    created_at = models.DateTimeField(_("enregistrée le"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("décision sur la lettre d'intention")
        verbose_name_plural = _("décisions sur les lettres d'intention")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=[DecisionOutcome.VALIDATED, DecisionOutcome.REFUSED]),
                name="letter_decision_final_outcome",
                violation_error_message=_("Une décision enregistrée valide ou refuse la lettre."),
            ),
            models.CheckConstraint(
                condition=Q(outcome=DecisionOutcome.VALIDATED) | Q(fir_amount__isnull=True),
                name="letter_decision_fir_only_when_validated",
                violation_error_message=_("Une subvention FIR n'accompagne qu'une lettre validée."),
            ),
        ]

    def __str__(self):
        return f"{self.get_outcome_display()} le {self.decided_on:%d/%m/%Y}"


class PreparedDecision(models.Model):
    """The decision an ARS agent prepares on the version under decision; a decider of that ARS signs it as is
    or amended (``LetterDecision``). Preparing again replaces it; every preparation is in the transition log."""

    letter = models.OneToOneField(
        IntentionLetter,
        on_delete=models.CASCADE,
        related_name="prepared_decision",
        verbose_name=_("lettre d'intention"),
    )
    version = models.ForeignKey(DossierVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("version"))
    outcome = models.CharField(
        _("décision proposée"),
        max_length=20,
        choices=[(DecisionOutcome.VALIDATED, _("Validée")), (DecisionOutcome.REFUSED, _("Refusée"))],
    )
    motive = models.TextField(_("motif"))
    fir_amount = models.DecimalField(
        _("subvention FIR d'ingénierie (€)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    fir_instalments = models.PositiveSmallIntegerField(_("nombre de versements FIR"), null=True, blank=True)
    fir_period_months = models.PositiveSmallIntegerField(_("période des versements FIR (mois)"), null=True, blank=True)
    accompaniment_amount = models.DecimalField(
        _("aide à l'accompagnement (€)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    commitment_months = models.PositiveSmallIntegerField(_("délai d'engagement (mois)"), null=True, blank=True)
    support_days = models.PositiveSmallIntegerField(_("journées d'appui"), null=True, blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("préparée par")
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    prepared_at = models.DateTimeField(_("préparée le"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("décision préparée")
        verbose_name_plural = _("décisions préparées")

    def __str__(self):
        return f"{self.get_outcome_display()} (préparée le {self.prepared_at:%d/%m/%Y})"


class FirInstalment(models.Model):
    decision = models.ForeignKey(
        LetterDecision, on_delete=models.CASCADE, related_name="instalments", verbose_name=_("décision")
    )
    number = models.PositiveSmallIntegerField(_("versement n°"))
    amount = models.DecimalField(_("montant (€)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    due_on = models.DateField(_("date prévue"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("versement FIR")
        verbose_name_plural = _("versements FIR")
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["decision", "number"], name="fir_instalment_unique_number")]

    def __str__(self):
        return f"Versement {self.number}"


class OrientationOption(models.Model):
    """A check-list item of La Réunion's fiche signalétique (reference data: fixtures/letter_orientations.json)."""

    code = models.SlugField(_("code"), unique=True)
    group = models.CharField(_("rubrique"), max_length=100)
    label = models.CharField(_("orientation"), max_length=200)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("orientation de la fiche signalétique")
        verbose_name_plural = _("orientations de la fiche signalétique")
        ordering = ["order"]

    def __str__(self):
        return self.label


class IdentitySheet(models.Model):
    """La Réunion's fiche signalétique (seed 004 Annexe 3), filled once the letter is validated."""

    letter = models.OneToOneField(
        IntentionLetter, on_delete=models.CASCADE, related_name="identity_sheet", verbose_name=_("lettre d'intention")
    )
    cpts_name = models.CharField(_("nom de la CPTS"), max_length=200)
    contact_email = models.EmailField(_("leader ou personne contact (e-mail)"))
    main_town = models.CharField(_("ville principale du territoire"), max_length=200)
    population = models.PositiveIntegerField(_("population concernée"), null=True, blank=True)
    orientations = models.ManyToManyField(OrientationOption, blank=True, verbose_name=_("orientations retenues"))
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    history = HistoricalRecords(m2m_fields=[orientations])

    class Meta:
        verbose_name = _("fiche signalétique")
        verbose_name_plural = _("fiches signalétiques")

    def __str__(self):
        return f"Fiche signalétique – {self.cpts_name}"
