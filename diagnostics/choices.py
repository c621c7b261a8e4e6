"""Choices of the diagnostics app: how an indicator aggregates, who an indicator dataset applies to."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Aggregation(models.TextChoices):
    SUM = "sum", _("somme sur les communes")
    WEIGHTED_MEAN = "weighted_mean", _("moyenne pondérée par la population")


class DatasetScope(models.TextChoices):
    NATIONAL = "national", _("jeu national (toutes les CPTS)")
    TERRITORY = "territory", _("jeu propre à un territoire")


class CommuneKind(models.TextChoices):
    COMMUNE = "COM", _("commune")
    ARRONDISSEMENT = "ARM", _("arrondissement municipal")
