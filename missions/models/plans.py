"""The actions side of a CPTS's health project: the action plan, its fiches action and what they hold.

The plan is the editable draft; a submitted health project freezes it whole through
``missions.selectors.serialise_action_plan`` (a JSON-able dict). Fiches carry a ``version`` integer for optimistic
locking: a save states the version it started from and is refused when someone saved in between.
"""

from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from accounts.models import Organisation
from cpts_portal.history import HistoricalRecords

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from ..choices import CONTRACT_YEARS, Direction, IndicatorKind, PlanStatus, SheetStatus
from .catalogue import ActionExample, IndicatorTemplate, Mission, SubMission


class ActionPlan(FSMModelMixin, models.Model):
    """The actions of one CPTS's health project: fiches action grouped by mission, and the planned signature."""

    cpts = models.OneToOneField(
        Organisation,
        on_delete=models.PROTECT,
        related_name="action_plan",
        verbose_name=_("CPTS"),
        limit_choices_to={"kind": "cpts"},
    )
    planned_signature_date = models.DateField(
        _("date de signature envisagée du contrat ACI"),
        null=True,
        blank=True,
        help_text=_("Année N du macro-planning ; les délais de démarrage des missions se comptent à partir d'elle."),
    )
    status = FSMField(_("validation interne"), default=PlanStatus.DRAFT, choices=PlanStatus.choices, protected=True)
    validated_at = models.DateTimeField(_("validé le"), null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("validé par"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créé par"),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("plan d'actions")
        verbose_name_plural = _("plans d'actions")

    def __str__(self):
        return f"Plan d'actions – {self.cpts}"

    @property
    def is_validated(self) -> bool:
        """Validated by the coordination (templates read this, never the raw status string)."""
        return self.status == PlanStatus.VALIDATED

    @property
    def year_n(self) -> int | None:
        return self.planned_signature_date.year if self.planned_signature_date else None

    # Transitions ------------------------------------------------------------------------------------------------
    # Each is logged by projects (its receiver of django-fsm's ``post_transition`` writes one ``StatusTransition``
    # row in the caller's transaction), with ``by`` and ``comment`` read from the keyword arguments given here.

    @transition(field=status, source=PlanStatus.DRAFT, target=PlanStatus.VALIDATED)
    def validate(self, *, by=None, comment: str = ""):
        """The coordinator validates indicators, budget and the whole plan (guards in services)."""

    @transition(field=status, source=PlanStatus.VALIDATED, target=PlanStatus.DRAFT)
    def reopen(self, *, by=None, comment: str = ""):
        """A fiche changed after the plan was validated: the plan goes back to draft."""


class ActionSheet(FSMModelMixin, models.Model):
    """One fiche action (seed 000 Annexe 7, documents.md §5)."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="sheets", verbose_name=_("plan"))
    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="sheets", verbose_name=_("mission"))
    sub_mission = models.ForeignKey(
        SubMission,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sheets",
        verbose_name=_("sous-mission"),
    )
    sub_theme = models.CharField(_("sous-thème"), max_length=200, blank=True)
    title = models.CharField(_("libellé de l'action"), max_length=300)
    position = models.PositiveIntegerField(_("ordre"), default=0)
    # People (chosen among the CPTS's governance members and partners).
    pilot = models.ForeignKey(
        "governance.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="piloted_sheets",
        verbose_name=_("pilote"),
    )
    working_group = models.ManyToManyField(
        "governance.Member", blank=True, related_name="working_group_sheets", verbose_name=_("groupe de travail")
    )
    involved_members = models.ManyToManyField(
        "governance.Member",
        blank=True,
        related_name="involved_in_sheets",
        verbose_name=_("membres de la CPTS impliqués"),
    )
    partners = models.ManyToManyField(
        "governance.Partner", blank=True, related_name="sheets", verbose_name=_("partenaires")
    )
    other_actors = models.TextField(
        _("autres acteurs et partenaires"), blank=True, help_text=_("Élus, usagers, établissements, associations…")
    )
    # Content.
    problems = models.TextField(_("problématiques constatées"), blank=True)
    objectives = models.TextField(_("objectif(s) opérationnel(s)"), blank=True)
    target_public = models.TextField(_("public cible"), blank=True)
    obstacles = models.TextField(_("freins"), blank=True)
    levers = models.TextField(_("leviers"), blank=True)
    budget_estimate = models.DecimalField(
        _("budget estimé (€)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    budget_details = models.TextField(_("détail du budget"), blank=True)
    existing_resources = models.TextField(_("ressources déjà disponibles"), blank=True)
    means_logistic = models.TextField(_("moyens logistiques nécessaires"), blank=True)
    means_digital = models.TextField(_("moyens numériques nécessaires"), blank=True)
    means_human = models.TextField(_("moyens humains nécessaires"), blank=True)
    # Planning (after the planned signature).
    preparation_start = models.DateField(_("début du travail préparatoire"), null=True, blank=True)
    start_date = models.DateField(_("démarrage de l'action"), null=True, blank=True)
    deployment_date = models.DateField(_("déploiement complet"), null=True, blank=True)
    end_date = models.DateField(_("échéance finale"), null=True, blank=True)
    # State.
    status = FSMField(_("validation"), default=SheetStatus.DRAFT, choices=SheetStatus.choices, protected=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    is_archived = models.BooleanField(_("archivée"), default=False)
    archived_at = models.DateTimeField(_("archivée le"), null=True, blank=True)
    example = models.ForeignKey(
        ActionExample,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("exemple de départ"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créée par"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("modifiée par"),
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    history = HistoricalRecords(m2m_fields=[working_group, involved_members, partners])
    skip_history_when_saving: bool  # set for a moment by services._set_people_quietly (read by simple_history)
    number: str  # the fiche's number in its plan ("1.2"), set by selectors.action_plan_page for the templates

    class Meta:
        verbose_name = _("fiche action")
        verbose_name_plural = _("fiches action")
        ordering = ["mission__order", "position", "pk"]
        indexes = [models.Index(fields=["plan", "is_archived"], name="missions_sheet_plan_archived")]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="missions_sheet_end_after_start",
                violation_error_message=_("L'échéance finale ne peut précéder le démarrage de l'action."),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_draft(self) -> bool:
        """Not yet validated by its pilot (templates read this, never the raw status string)."""
        return self.status == SheetStatus.DRAFT

    def clean(self):
        errors: dict[str, StrOrPromise] = {}
        if self.sub_mission and self.mission_id and self.sub_mission.mission_id != self.mission_id:
            errors["sub_mission"] = _("Cette sous-mission n'appartient pas à la mission choisie.")
        order = [
            ("preparation_start", self.preparation_start),
            ("start_date", self.start_date),
            ("deployment_date", self.deployment_date),
            ("end_date", self.end_date),
        ]
        known = [(name, day) for name, day in order if day]
        for (_before, earlier), (name, later) in zip(known, known[1:], strict=False):
            if later < earlier:
                labels = {
                    "preparation_start": _("le début du travail préparatoire"),
                    "start_date": _("le démarrage"),
                    "deployment_date": _("le déploiement complet"),
                    "end_date": _("l'échéance finale"),
                }
                errors[name] = _("Cette date ne peut précéder %(before)s.") % {"before": labels[_before]}
        if errors:
            raise ValidationError(errors)

    # Transitions (logged by projects, ``by`` and ``comment`` from the keyword arguments: see ``ActionPlan``) -------

    @transition(field=status, source=SheetStatus.DRAFT, target=SheetStatus.PILOT_VALIDATED)
    def validate_by_pilot(self, *, by=None, comment: str = ""):
        """The pilot validates the fiche for the working group."""

    @transition(field=status, source=SheetStatus.DRAFT, target=SheetStatus.PILOT_VALIDATED)
    def validate_for_pilot(self, *, by=None, comment: str = ""):
        """A coordinator validates in place of a pilot who has no portal account: its own name, so that the log
        says so."""

    @transition(field=status, source=SheetStatus.PILOT_VALIDATED, target=SheetStatus.VALIDATED)
    def validate_by_coordinator(self, *, by=None, comment: str = ""):
        """The coordinator validates its indicators and budget."""

    @transition(field=status, source=[SheetStatus.PILOT_VALIDATED, SheetStatus.VALIDATED], target=SheetStatus.DRAFT)
    def reopen(self, *, by=None, comment: str = ""):
        """A validated fiche was edited: back to draft."""


class ProblemFigure(models.Model):
    """A figure backing the problems observed (from the diagnostic where it exists)."""

    sheet = models.ForeignKey(ActionSheet, on_delete=models.CASCADE, related_name="figures", verbose_name=_("fiche"))
    label = models.CharField(_("donnée"), max_length=300)
    value = models.DecimalField(_("valeur"), max_digits=14, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("unité"), max_length=60, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(_("année"), null=True, blank=True)
    diagnostic_indicator = models.CharField(
        _("indicateur du diagnostic"), max_length=50, blank=True, help_text=_("Code de l'indicateur du diagnostic.")
    )
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("donnée chiffrée")
        verbose_name_plural = _("données chiffrées")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.label


class SubAction(models.Model):
    """A sub-action and who does what."""

    sheet = models.ForeignKey(
        ActionSheet, on_delete=models.CASCADE, related_name="sub_actions", verbose_name=_("fiche")
    )
    description = models.TextField(_("sous-action"))
    responsible = models.ForeignKey(
        "governance.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sub_actions",
        verbose_name=_("membre responsable"),
    )
    who = models.CharField(_("qui fait quoi"), max_length=300, blank=True)
    due_date = models.DateField(_("échéance"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sous-action")
        verbose_name_plural = _("sous-actions")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.description[:80]


class PlanningStep(models.Model):
    """A step of the fiche's planning (étape, réunion d'étape avec l'Assurance Maladie...)."""

    sheet = models.ForeignKey(ActionSheet, on_delete=models.CASCADE, related_name="steps", verbose_name=_("fiche"))
    label = models.CharField(_("étape"), max_length=300)
    date = models.DateField(_("date"), null=True, blank=True)
    is_funder_meeting = models.BooleanField(_("réunion d'étape avec l'Assurance Maladie"), default=False)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("étape")
        verbose_name_plural = _("étapes")
        ordering = ["date", "position", "pk"]

    def __str__(self):
        return self.label


def _year_fields(prefix: str, label: "StrOrPromise", help_text: "StrOrPromise" = ""):
    return {
        f"{prefix}_{year}": models.DecimalField(
            label % {"year": year}, max_digits=14, decimal_places=2, null=True, blank=True, help_text=help_text
        )
        for year in CONTRACT_YEARS
    }


class SheetIndicator(models.Model):
    """An indicator of follow-up or result of a fiche; a funding indicator feeds the mission's variable part."""

    sheet = models.ForeignKey(ActionSheet, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("fiche"))
    template = models.ForeignKey(
        IndicatorTemplate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("indicateur du catalogue"),
    )
    kind = models.CharField(_("type"), max_length=10, choices=IndicatorKind.choices, default=IndicatorKind.ACTION)
    label = models.CharField(_("libellé"), max_length=300)
    unit = models.CharField(_("unité"), max_length=60, blank=True)
    direction = models.CharField(_("sens"), max_length=12, choices=Direction.choices, default=Direction.INCREASING)
    source = models.CharField(_("source des données"), max_length=200, blank=True)
    baseline_value = models.DecimalField(
        _("valeur de référence"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    baseline_date = models.DateField(_("date de la valeur de référence"), null=True, blank=True)
    is_funding = models.BooleanField(
        _("indicateur de financement"), default=False, help_text=_("Retenu pour le volet variable de la mission.")
    )
    locals().update(_year_fields("target", _("cible année %(year)s")))
    locals().update(_year_fields("weight", _("poids année %(year)s"), _("Vide : poids 1.")))
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicateur")
        verbose_name_plural = _("indicateurs")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(baseline_date__isnull=True) | Q(baseline_value__isnull=False),
                name="missions_indicator_baseline_date_needs_value",
                violation_error_message=_("Une date de référence accompagne une valeur de référence."),
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def targets(self) -> dict[int, Decimal]:
        return {y: v for y in CONTRACT_YEARS if (v := getattr(self, f"target_{y}")) is not None}

    @property
    def weights(self) -> dict[int, Decimal]:
        return {y: v for y in CONTRACT_YEARS if (v := getattr(self, f"weight_{y}")) is not None}

    @property
    def maintained_years(self) -> list[int]:
        """Contract years whose target equals the baseline: the level is to be maintained, not improved."""
        if self.baseline_value is None:
            return []
        return [year for year, target in self.targets.items() if target == self.baseline_value]

    @property
    def maintenance_warning(self) -> str:
        """The warning shown with a 'maintain the level' target (allowed, but worth a second look)."""
        years = self.maintained_years
        if not years:
            return ""
        return _(
            "Cible égale à la valeur de référence (maintien du niveau) en année %(years)s : vérifiez que c'est "
            "voulu. Pour le volet variable, l'indicateur est alors atteint à 100 %% si le niveau est maintenu, "
            "sinon au prorata de la cible."
        ) % {"years": ", ".join(str(y) for y in years)}

    def clean(self):
        errors = {}
        mission = self.sheet.mission if self.sheet_id else None
        if mission is not None:
            if self.is_funding and not mission.is_aci:
                errors["is_funding"] = _("Une action hors champ ACI n'est jamais financée par l'ACI.")
            elif self.is_funding and not mission.requires_funding_indicator:
                errors["is_funding"] = _(
                    "Cette mission n'a pas de volet variable lié à des indicateurs (versement déclenché par la crise)."
                )
            if self.kind == IndicatorKind.RESULT and not mission.has_result_target and self.targets:
                errors["target_1"] = _("Aucun objectif de résultat n'est défini pour cette mission : pas de cible.")
        for year, value in self.weights.items():
            if value < 0:
                errors[f"weight_{year}"] = _("Un poids ne peut pas être négatif.")
        if self.baseline_value is not None:
            # A target equal to the baseline ("maintenir le niveau") is allowed, with a warning (maintained_years);
            # only a target on the wrong side of the baseline is refused.
            for year, target in self.targets.items():
                if self.direction == Direction.INCREASING and target < self.baseline_value:
                    errors[f"target_{year}"] = _(
                        "Indicateur croissant : la cible ne peut pas être inférieure à la valeur de référence."
                    )
                if self.direction == Direction.DECREASING and target > self.baseline_value:
                    errors[f"target_{year}"] = _(
                        "Indicateur décroissant : la cible ne peut pas être supérieure à la valeur de référence."
                    )
        if errors:
            raise ValidationError(errors)


# How the validation log names each transition of a fiche or of the plan (the rows are projects' StatusTransition).
TRANSITION_LABELS = {
    "validate_by_pilot": _("Validation par le pilote"),
    "validate_for_pilot": _("Validation par la coordination au nom du pilote, sans compte"),
    "validate_by_coordinator": _("Validation des indicateurs et du budget par la coordination"),
    "reopen": _("Retour en brouillon"),
    "validate": _("Validation interne du plan"),
}
