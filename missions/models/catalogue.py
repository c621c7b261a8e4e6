"""Reference data: the ACI missions, their sub-missions, the indicator catalogue and the worked examples.

All of it is loaded from ``fixtures/missions.json`` and ``fixtures/action_examples.json`` and editable by an
administrator (a new amendment to the ACI changes data, never code). Mission codes "1" to "6" are the codes of
the funding scales (``funding.ScaleMission.code``); "hors_aci" holds the actions outside the ACI (allowed in the
health project, never funded).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cpts_portal.history import HistoricalRecords
from cpts_portal.natural_keys import depends_on

from ..choices import Direction, IndicatorKind, MissionCategory


class CodeManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Mission(models.Model):
    """One mission of the ACI contract (or the "hors champ ACI" bucket), with its deployment delays."""

    code = models.CharField(_("code"), max_length=10, unique=True, help_text=_("« 1 » à « 6 » comme les barèmes."))
    title = models.CharField(_("intitulé"), max_length=250)
    short_title = models.CharField(_("intitulé court"), max_length=80)
    category = models.CharField(_("catégorie"), max_length=10, choices=MissionCategory.choices)
    requires_funding_indicator = models.BooleanField(
        _("exige un indicateur de financement"),
        default=True,
        help_text=_(
            "Le volet variable dépend du taux d'atteinte d'indicateurs. Décoché pour la mission crises (versement "
            "déclenché par la crise) et pour les actions hors ACI."
        ),
    )
    has_result_target = models.BooleanField(
        _("fixe des cibles de résultat"),
        default=True,
        help_text=_("Décoché : aucun objectif de résultat n'est défini pour cette mission (mission crises)."),
    )
    start_delay_months = models.PositiveSmallIntegerField(
        _("démarrage au plus tard (mois après la signature)"), null=True, blank=True, help_text=_("Vide : libre.")
    )
    deployment_delay_months = models.PositiveSmallIntegerField(
        _("déploiement complet au plus tard (mois après la signature)"),
        null=True,
        blank=True,
        help_text=_("Vide : libre."),
    )
    description = models.TextField(_("contenu de la mission"), blank=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    history = HistoricalRecords()
    objects = CodeManager()

    class Meta:
        verbose_name = _("mission")
        verbose_name_plural = _("missions")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deployment_delay_months__isnull=True)
                | Q(start_delay_months__isnull=True)
                | Q(deployment_delay_months__gte=models.F("start_delay_months")),
                name="mission_deployment_after_start",
                violation_error_message=_("Le délai de déploiement ne peut précéder le délai de démarrage."),
            ),
            models.CheckConstraint(
                condition=~Q(category=MissionCategory.OUTSIDE) | Q(requires_funding_indicator=False),
                name="mission_outside_aci_never_funded",
                violation_error_message=_("Les actions hors champ ACI ne sont jamais financées par l'ACI."),
            ),
        ]

    def __str__(self):
        if self.category == MissionCategory.OUTSIDE:
            return str(self.title)
        return f"Mission {self.code} – {self.short_title}"

    def natural_key(self):
        return (self.code,)

    @property
    def is_aci(self) -> bool:
        return self.category != MissionCategory.OUTSIDE

    @property
    def is_core(self) -> bool:
        return self.category == MissionCategory.CORE


class SubMission(models.Model):
    """A sub-mission with its own budget line (1A médecin traitant, 1B soins non programmés)."""

    mission = models.ForeignKey(
        Mission, on_delete=models.CASCADE, related_name="sub_missions", verbose_name=_("mission")
    )
    code = models.CharField(_("code"), max_length=10, unique=True)
    title = models.CharField(_("intitulé"), max_length=250)
    budget_line = models.CharField(_("ligne budgétaire"), max_length=120)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    history = HistoricalRecords()
    objects = CodeManager()

    class Meta:
        verbose_name = _("sous-mission")
        verbose_name_plural = _("sous-missions")
        ordering = ["order", "code"]

    def __str__(self):
        return f"{self.code} – {self.title}"

    @depends_on("missions.mission")
    def natural_key(self):
        return (self.code,)


class IndicatorTemplate(models.Model):
    """An indicator of the catalogue (documents.md §9) that a fiche may pick, or define its own."""

    mission = models.ForeignKey(
        Mission, on_delete=models.CASCADE, related_name="indicator_templates", verbose_name=_("mission")
    )
    sub_mission = models.ForeignKey(
        SubMission,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="indicator_templates",
        verbose_name=_("sous-mission"),
    )
    code = models.SlugField(_("code"), max_length=60, unique=True)
    label = models.CharField(_("libellé"), max_length=300)
    kind = models.CharField(_("type"), max_length=10, choices=IndicatorKind.choices)
    direction = models.CharField(_("sens"), max_length=12, choices=Direction.choices, default=Direction.INCREASING)
    unit = models.CharField(_("unité"), max_length=60, blank=True)
    source = models.CharField(_("source des données"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    history = HistoricalRecords()
    objects = CodeManager()

    class Meta:
        verbose_name = _("indicateur du catalogue")
        verbose_name_plural = _("catalogue des indicateurs")
        ordering = ["mission__order", "order", "pk"]

    def __str__(self):
        return self.label

    @depends_on("missions.mission", "missions.submission")
    def natural_key(self):
        return (self.code,)


class ActionExample(models.Model):
    """A worked example of a fiche action (seed 000 part 3), copied by "partir d'un exemple".

    ``content`` holds every field of the fiche as the seed writes it; planning dates are months after the planned
    signature (``start_offset_months`` ...), so the copy lands on the CPTS's own calendar.
    """

    code = models.SlugField(_("code"), max_length=60, unique=True)
    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="examples", verbose_name=_("mission"))
    sub_mission = models.ForeignKey(
        SubMission,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="examples",
        verbose_name=_("sous-mission"),
    )
    title = models.CharField(_("libellé de l'action"), max_length=300)
    source = models.CharField(_("source"), max_length=200, blank=True)
    content = models.JSONField(_("contenu de la fiche"), default=dict)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    history = HistoricalRecords()
    objects = CodeManager()

    class Meta:
        verbose_name = _("exemple de fiche action")
        verbose_name_plural = _("exemples de fiches action")
        ordering = ["mission__order", "order", "pk"]

    def __str__(self):
        return self.title

    @depends_on("missions.mission", "missions.submission")
    def natural_key(self):
        return (self.code,)
