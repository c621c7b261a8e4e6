"""What the health project says of each mission before its fiches (seed 003, documents.md §4.3)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cpts_portal.history import HistoricalRecords

from .catalogue import Mission
from .plans import ActionPlan


class MissionIntro(models.Model):
    """One mission of one plan, before its fiches: the inventory of the existing offer, the objectives for the
    patients and the population, the priority target if there is one, and the objectives for the actors involved.

    Seed 003 asks for it per ACI mission ("avant de définir un plan d'actions par mission conventionnelle, un état
    des lieux de l'offre existante"); the actions outside the ACI have none. A row exists once something was written.
    """

    REQUIRED_FIELDS = ("existing_offer", "patient_objectives", "actor_objectives")

    plan = models.ForeignKey(
        ActionPlan, on_delete=models.CASCADE, related_name="mission_intros", verbose_name=_("plan")
    )
    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="+", verbose_name=_("mission"))
    existing_offer = models.TextField(
        _("état des lieux de l'offre existante"),
        blank=True,
        help_text=_(
            "Organisations qui fédèrent déjà des acteurs du territoire, outils et partenaires en place, pour ne pas "
            "déployer d'actions redondantes."
        ),
    )
    patient_objectives = models.TextField(_("objectifs en faveur des patients et de la population"), blank=True)
    priority_target = models.TextField(
        _("cible prioritaire"), blank=True, help_text=_("S'il y en a une. Vide : pas de cible prioritaire.")
    )
    actor_objectives = models.TextField(_("objectifs pour les acteurs impliqués"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("modifié par"),
    )
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("état des lieux et objectifs d'une mission")
        verbose_name_plural = _("états des lieux et objectifs des missions")
        ordering = ["plan", "mission__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "mission"],
                name="missions_intro_one_per_plan_and_mission",
                violation_error_message=_("Cette mission a déjà son état des lieux dans ce plan."),
            ),
        ]

    def __str__(self):
        return f"{self.mission} – {self.plan.cpts}"

    @property
    def missing_fields(self) -> list[str]:
        """The French labels of the required fields still empty."""
        fields = {f.name: f for f in self._meta.fields}
        return [str(fields[name].verbose_name) for name in self.REQUIRED_FIELDS if not getattr(self, name)]
