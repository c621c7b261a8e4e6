"""Funding scales (reference data, versioned by date) and the budget of a CPTS.

A scale is data an administrator adds in the admin when a new amendment comes: nothing in the code knows the
amounts. ``funding.selectors.scale_data`` turns a scale into the plain dataclasses ``funding.calculations`` works on.
A contract keeps the scale it was signed under: everything that points to a scale does so with ``PROTECT``.
"""

from decimal import Decimal
from typing import TypedDict

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from accounts.choices import OrganisationKind
from accounts.models import Organisation
from cpts_portal.history import HistoricalRecords
from cpts_portal.natural_keys import depends_on
from cpts_portal.rendering import RequestedDocument

from .choices import (
    BUDGET_MISSION_TITLES,
    CATEGORY_HINTS,
    MISSION_HINT,
    OPERATION_HINT,
    OPERATION_TITLE,
    SPLIT_MISSION,
    BudgetCategory,
    BudgetPartKind,
    BudgetSide,
    BudgetStatus,
    BudgetSubpart,
    IncreaseAppliesTo,
    IncreaseComparison,
    IncreaseCounts,
    Taille,
)


class _MoneyDigits(TypedDict):
    max_digits: int
    decimal_places: int


MONEY: _MoneyDigits = {"max_digits": 12, "decimal_places": 2}
POSITIVE = [MinValueValidator(Decimal("0"))]
TAILLE_RANGE = Q(taille__gte=1) & Q(taille__lte=4)


class ScaleManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class FundingScale(models.Model):
    """One version of the ACI funding scale ("ACI 2019", "ACI 2019 + avenant 2"), applicable from a date."""

    code = models.SlugField(_("code"), max_length=50, unique=True, help_text=_("Identifiant stable, ex. aci-2019."))
    name = models.CharField(_("nom"), max_length=100, unique=True)
    effective_from = models.DateField(
        _("applicable aux contrats signés à partir du"),
        unique=True,
        help_text=_("Le barème en vigueur à une date est le dernier applicable à cette date."),
    )
    source = models.TextField(_("source"), blank=True)
    additional_operation_until = models.DateField(
        _("fonctionnement additionnel si signature avant le"),
        null=True,
        blank=True,
        help_text=_("Première année seulement ; vide si le barème n'en prévoit pas."),
    )
    accompaniment_months = models.PositiveSmallIntegerField(
        _("contrat d'accompagnement : délai d'engagement (mois)"),
        null=True,
        blank=True,
        help_text=_("Délai dans lequel la CPTS s'engage à déposer son projet de santé et à adhérer à l'ACI."),
    )
    increase_rate = models.DecimalField(
        _("majoration taille 4++ (taux)"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.10"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("0,10 pour 10 %."),
    )
    increase_min_taille = models.PositiveSmallIntegerField(
        _("majoration : à partir de la taille"), choices=Taille.choices, default=4
    )
    increase_threshold = models.PositiveIntegerField(_("majoration : seuil de membres"), default=100)
    increase_comparison = models.CharField(
        _("majoration : comparaison au seuil"),
        max_length=20,
        choices=IncreaseComparison.choices,
        default=IncreaseComparison.AT_LEAST,
    )
    increase_counts = models.CharField(
        _("majoration : qui compte comme membre"),
        max_length=20,
        choices=IncreaseCounts.choices,
        default=IncreaseCounts.MEMBERS,
    )
    increase_applies_to = models.CharField(
        _("majoration : assiette"),
        max_length=20,
        choices=IncreaseAppliesTo.choices,
        default=IncreaseAppliesTo.YEAR_TOTAL,
        help_text=_(
            "Les sources divergent : la note de l'annexe 1 exclut le fonctionnement additionnel, son exemple chiffré "
            "majore tout le montant annuel (505 000 → 555 500 €)."
        ),
    )
    history = HistoricalRecords()
    objects = ScaleManager()

    class Meta:
        verbose_name = _("barème ACI")
        verbose_name_plural = _("barèmes ACI")
        ordering = ["-effective_from"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)


class ScaleSizeManager(models.Manager):
    def get_by_natural_key(self, scale_code, taille):
        return self.get(scale__code=scale_code, taille=taille)


class ScaleSize(models.Model):
    """One taille of a scale: its population band (inclusive bounds) and its flat yearly amounts."""

    scale = models.ForeignKey(FundingScale, on_delete=models.CASCADE, related_name="sizes", verbose_name=_("barème"))
    taille = models.PositiveSmallIntegerField(_("taille"), choices=Taille.choices)
    population_min = models.PositiveIntegerField(_("population minimale (incluse)"))
    population_max = models.PositiveIntegerField(
        _("population maximale (incluse)"), null=True, blank=True, help_text=_("Vide pour la plus grande taille.")
    )
    operation = models.DecimalField(_("financement du fonctionnement (€/an)"), validators=POSITIVE, **MONEY)
    additional_operation = models.DecimalField(
        _("fonctionnement additionnel (€, 1re année)"), default=Decimal("0"), validators=POSITIVE, **MONEY
    )
    accompaniment = models.DecimalField(
        _("contrat d'accompagnement (€)"), default=Decimal("0"), validators=POSITIVE, **MONEY
    )
    history = HistoricalRecords()
    objects = ScaleSizeManager()

    class Meta:
        verbose_name = _("taille du barème")
        verbose_name_plural = _("tailles du barème")
        ordering = ["scale", "taille"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "taille"], name="scale_size_unique_taille"),
            models.CheckConstraint(
                condition=TAILLE_RANGE, name="scale_size_taille_range", violation_error_message=_("Taille 1 à 4.")
            ),
            models.CheckConstraint(
                condition=Q(population_max__isnull=True) | Q(population_max__gte=models.F("population_min")),
                name="scale_size_population_bounds",
                violation_error_message=_("La population maximale doit être au moins égale à la minimale."),
            ),
        ]

    def __str__(self):
        return f"{self.scale} – taille {self.taille}"

    @depends_on("funding.fundingscale")
    def natural_key(self):
        return (self.scale.code, self.taille)


class ScaleMissionManager(models.Manager):
    def get_by_natural_key(self, scale_code, code):
        return self.get(scale__code=scale_code, code=code)


class ScaleMission(models.Model):
    """A mission as a scale funds it, identified by a stable code ("1" to "6")."""

    scale = models.ForeignKey(FundingScale, on_delete=models.CASCADE, related_name="missions", verbose_name=_("barème"))
    code = models.CharField(_("code"), max_length=10)
    label = models.CharField(_("libellé"), max_length=200)
    short_label = models.CharField(_("libellé court"), max_length=60)
    is_core = models.BooleanField(_("mission socle"), default=True)
    variable_on_crisis = models.BooleanField(
        _("volet variable versé en cas de crise"),
        default=False,
        help_text=_("Mission « crises sanitaires graves » : pas de taux d'atteinte, un versement par crise."),
    )
    split_published = models.BooleanField(
        _("répartition fixe / variable publiée"),
        default=True,
        help_text=_("Décoché : le montant global est saisi en volet fixe et le taux d'atteinte ne s'y applique pas."),
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    history = HistoricalRecords()
    objects = ScaleMissionManager()

    class Meta:
        verbose_name = _("mission du barème")
        verbose_name_plural = _("missions du barème")
        ordering = ["scale", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["scale", "code"], name="scale_mission_unique_code")]

    def __str__(self):
        return f"{self.code} – {self.short_label}"

    @depends_on("funding.fundingscale")
    def natural_key(self):
        return (self.scale.code, self.code)


class ScaleMissionAmountManager(models.Manager):
    def get_by_natural_key(self, scale_code, mission_code, taille):
        return self.get(mission__scale__code=scale_code, mission__code=mission_code, taille=taille)


class ScaleMissionAmount(models.Model):
    """A mission's yearly amounts for one taille."""

    mission = models.ForeignKey(
        ScaleMission, on_delete=models.CASCADE, related_name="amounts", verbose_name=_("mission")
    )
    taille = models.PositiveSmallIntegerField(_("taille"), choices=Taille.choices)
    fixed = models.DecimalField(
        _("volet fixe (€/an)"),
        validators=POSITIVE,
        help_text=_("Pour la mission crises : l'année de la première rédaction du plan."),
        **MONEY,
    )
    fixed_following = models.DecimalField(
        _("volet fixe des années suivantes (€/an)"),
        null=True,
        blank=True,
        validators=POSITIVE,
        help_text=_("Seulement si différent après la première année (mise à jour du plan de crise)."),
        **MONEY,
    )
    variable = models.DecimalField(
        _("volet variable à 100 % (€/an)"),
        validators=POSITIVE,
        help_text=_("Pour la mission crises : le versement en cas de crise sanitaire grave."),
        **MONEY,
    )
    history = HistoricalRecords()
    objects = ScaleMissionAmountManager()

    class Meta:
        verbose_name = _("montants d'une mission")
        verbose_name_plural = _("montants des missions")
        ordering = ["mission", "taille"]
        constraints = [
            models.UniqueConstraint(fields=["mission", "taille"], name="scale_mission_amount_unique_taille"),
            models.CheckConstraint(
                condition=TAILLE_RANGE,
                name="scale_mission_amount_taille_range",
                violation_error_message=_("Taille 1 à 4."),
            ),
        ]

    def __str__(self):
        return f"{self.mission} – taille {self.taille}"

    @depends_on("funding.scalemission")
    def natural_key(self):
        return (self.mission.scale.code, self.mission.code, self.taille)


class Budget(models.Model):
    """The yearly budget of a CPTS (seed 000 Annexe 2): part 1 operation, part 2 one per mission, part 3 summary.

    Part 3 is computed from the others, never stored. The ACI resource lines are prefilled by the calculator for
    the budget's scale, taille, missions and contract year. Mission 1 has two parts (1A, 1B: ``BudgetPart.subpart``)
    while the calculator computes one ACI mission 1: its ACI lines go to 1A, ``split_note`` asks the coordinator to
    split them, and ``funding.selectors.BudgetSummary.split_checks`` compares 1A + 1B with the mission's amounts.
    """

    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        related_name="budget",
        verbose_name=_("CPTS"),
        limit_choices_to={"kind": OrganisationKind.CPTS},
    )
    scale = models.ForeignKey(FundingScale, on_delete=models.PROTECT, related_name="budgets", verbose_name=_("barème"))
    signed_on = models.DateField(_("date de signature de l'ACI (prévue ou effective)"))
    taille = models.PositiveSmallIntegerField(_("taille"), choices=Taille.choices)
    population = models.PositiveIntegerField(_("population du territoire"), null=True, blank=True)
    members = models.PositiveIntegerField(_("nombre de membres"), default=0)
    contract_year = models.PositiveSmallIntegerField(
        _("année du contrat budgétée"), default=1, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    status = FSMField(
        _("état"), max_length=20, choices=BudgetStatus.choices, default=BudgetStatus.DRAFT, protected=True
    )
    split_note = models.CharField(
        _("note de répartition de la mission 1"),
        max_length=300,
        blank=True,
        help_text=_(
            "Affichée sur le budget tant que la coordination n'a pas modifié la partie 1A ou 1B : les ressources ACI "
            "de la mission 1 y sont reportées en 1A, à répartir entre 1A et 1B."
        ),
    )
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        constraints = [
            models.CheckConstraint(
                condition=TAILLE_RANGE, name="budget_taille_range", violation_error_message=_("Taille 1 à 4.")
            ),
            models.CheckConstraint(
                condition=Q(contract_year__gte=1) & Q(contract_year__lte=5),
                name="budget_contract_year_range",
                violation_error_message=_("L'année du contrat va de 1 à 5."),
            ),
        ]

    def __str__(self):
        return f"Budget de {self.organisation}"

    def clean(self):
        if self.organisation_id and self.organisation.kind != OrganisationKind.CPTS:
            raise ValidationError({"organisation": _("Seule une CPTS a un budget.")})

    # Transitions (guards and side effects live in funding.services). Each is logged by projects (its receiver of
    # django-fsm's ``post_transition`` writes one ``StatusTransition`` row in the caller's transaction), with ``by``
    # and ``comment`` read from the keyword arguments given here.
    @transition(field=status, source=BudgetStatus.DRAFT, target=BudgetStatus.COMPLETE)
    def mark_complete(self, *, by=None, comment: str = ""):
        pass

    @transition(field=status, source=BudgetStatus.COMPLETE, target=BudgetStatus.DRAFT)
    def reopen(self, *, by=None, comment: str = ""):
        pass


# How the validation log names each transition of the budget.
BUDGET_TRANSITION_LABELS = {
    "mark_complete": _("Budget marqué complet"),
    "reopen": _("Budget rouvert pour modification"),
}


class BudgetPart(models.Model):
    """Part 1 (operation) or one part 2 per mission engaged; mission 1 has two, 1A and 1B (``subpart``).

    ``label`` is the part's name as part 3 of Annexe 2 lists it ("Fonctionnement général", "Mission 1 A – Médecin
    traitant", "Mission 2 – Pluriprofessionnel"); ``heading`` the title of its own table."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="parts", verbose_name=_("budget"))
    kind = models.CharField(_("partie"), max_length=20, choices=BudgetPartKind.choices)
    mission_code = models.CharField(
        _("mission"), max_length=10, blank=True, help_text=_("Le code de la mission ACI, tel que le barème le connaît.")
    )
    subpart = models.CharField(
        _("sous-partie"),
        max_length=1,
        blank=True,
        choices=BudgetSubpart.choices,
        help_text=_("Mission 1 seulement : 1A (médecin traitant) ou 1B (soins non-programmés), selon l'annexe 2."),
    )
    label = models.CharField(_("libellé"), max_length=200)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("partie du budget")
        verbose_name_plural = _("parties du budget")
        ordering = ["budget", "order"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "kind", "mission_code", "subpart"], name="budget_part_unique"),
            models.CheckConstraint(
                condition=Q(kind=BudgetPartKind.OPERATION, mission_code="")
                | (Q(kind=BudgetPartKind.MISSION) & ~Q(mission_code="")),
                name="budget_part_mission_code_only_for_missions",
                violation_error_message=_("Une partie « mission » indique sa mission, et seule elle en indique une."),
            ),
            models.CheckConstraint(
                condition=Q(subpart="") | Q(mission_code=SPLIT_MISSION),
                name="budget_part_subpart_only_for_mission_1",
                violation_error_message=_("Seule la mission 1 se divise en 1A et 1B."),
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def code(self) -> str:
        """ "1A", "1B", "2"…; empty for part 1."""
        return f"{self.mission_code}{self.subpart}"

    @property
    def is_split(self) -> bool:
        return bool(self.subpart)

    @property
    def hint(self) -> str:
        return str(OPERATION_HINT if self.kind == BudgetPartKind.OPERATION else MISSION_HINT)

    @property
    def heading(self) -> str:
        """The part's title as Annexe 2 words it: "Partie 1 – Fonctionnement – Élaboration, coordination,
        communication du projet", "Partie 2 – Fonctionnement de la mission « Mission 1 A – Médecin traitant » –
        Moyens & résultats"."""
        if self.kind == BudgetPartKind.OPERATION:
            return _("Partie 1 – Fonctionnement – %(hint)s") % {"hint": OPERATION_HINT}
        return _("Partie 2 – Fonctionnement de la mission « %(label)s » – %(hint)s") % {
            "label": self.label,
            "hint": MISSION_HINT,
        }

    @staticmethod
    def title_for(mission_code: str, subpart: str = "", short_label: str = "") -> str:
        """The name part 3 of Annexe 2 gives a part; ``short_label``, the scale's, for a mission the annex does not
        name."""
        if not mission_code:
            return str(OPERATION_TITLE)
        if subpart:
            return _("Mission %(code)s %(sub)s – %(label)s") % {
                "code": mission_code,
                "sub": subpart,
                "label": BudgetSubpart(subpart).label,
            }
        label = BUDGET_MISSION_TITLES.get(mission_code, short_label)
        return _("Mission %(code)s – %(label)s") % {"code": mission_code, "label": label}


class BudgetLine(models.Model):
    """An expense or a resource of one part."""

    part = models.ForeignKey(BudgetPart, on_delete=models.CASCADE, related_name="lines", verbose_name=_("partie"))
    side = models.CharField(_("sens"), max_length=10, choices=BudgetSide.choices)
    category = models.CharField(_("poste"), max_length=20, choices=BudgetCategory.choices)
    label = models.CharField(_("précision"), max_length=200, blank=True)
    amount = models.DecimalField(_("montant (€)"), default=Decimal("0"), validators=POSITIVE, **MONEY)
    from_calculator = models.BooleanField(_("prérempli par le simulateur ACI"), default=False)
    calculated_amount = models.DecimalField(
        _("montant ACI calculé pour la mission"),
        null=True,
        blank=True,
        validators=POSITIVE,
        help_text=_(
            "Lignes ACI des parties 1A et 1B : le montant que le simulateur calcule pour toute la mission 1, que les "
            "deux parties se répartissent."
        ),
        **MONEY,
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ligne du budget")
        verbose_name_plural = _("lignes du budget")
        ordering = ["part", "side", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="budget_line_amount_positive",
                violation_error_message=_("Un montant ne peut pas être négatif."),
            ),
        ]

    def __str__(self):
        return f"{self.get_category_display()} {self.label}".strip()

    @property
    def hint(self) -> str:
        """What Annexe 2 prints under the line's label in its part (reads ``part``, cached by the prefetch)."""
        return str(CATEGORY_HINTS[self.part.kind].get(self.category, ""))


class BudgetDocument(RequestedDocument):
    """The budget's PDF (Annexe 2), asked for on its page and laid out by the shared render task
    (``cpts_portal.rendering``), never in the request. One row per budget, updated by each request; the file is
    laid out again only when the budget's HTML changed."""

    budget = models.OneToOneField(Budget, on_delete=models.CASCADE, related_name="document", verbose_name=_("budget"))

    class Meta:
        verbose_name = _("PDF du budget")
        verbose_name_plural = _("PDF des budgets")

    def __str__(self):
        return f"PDF – {self.budget} ({self.get_status_display()})"

    def storage_folder(self) -> str:
        return f"budgets/{self.budget_id}"
