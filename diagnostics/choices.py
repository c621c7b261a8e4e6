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


class LinkKind(models.TextChoices):
    """The local dynamics the ARS template asks the CPTS to articulate with (seed 003, "offre de soins")."""

    DAC = "dac", _("dispositif d'appui à la coordination (DAC)")
    CLS = "cls", _("contrat local de santé (CLS)")
    HOSPITAL = "hospital", _("hôpital de proximité")
    PTS = "pts", _("projet territorial de santé (PTS)")


class LinkStatus(models.TextChoices):
    ACTIVE = "active", _("opérationnel / en vigueur")
    IN_PREPARATION = "in_preparation", _("en préparation")
    TO_RENEW = "to_renew", _("échu, à actualiser")
    ABSENT = "absent", _("aucun sur le territoire")
