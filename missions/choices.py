"""Choices of the actions side of the health project."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MissionCategory(models.TextChoices):
    CORE = "core", _("mission socle")
    OPTIONAL = "optional", _("mission optionnelle")
    OUTSIDE = "outside", _("hors champ ACI")


class IndicatorKind(models.TextChoices):
    # Values shared with funding.calculations.ACTION / RESULT.
    ACTION = "action", _("indicateur d'action (moyens)")
    RESULT = "result", _("indicateur de résultat")


class Direction(models.TextChoices):
    # Values shared with funding.calculations.INCREASING / DECREASING.
    INCREASING = "increasing", _("croissant (plus c'est haut, mieux c'est)")
    DECREASING = "decreasing", _("décroissant (plus c'est bas, mieux c'est)")


class SheetStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    PILOT_VALIDATED = "pilot_validated", _("Validée par le pilote")
    VALIDATED = "validated", _("Validée par la coordination")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("En cours de rédaction")
    VALIDATED = "validated", _("Validé en interne")


CONTRACT_YEARS = (1, 2, 3, 4, 5)
