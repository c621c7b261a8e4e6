"""Communes (reference data) and the territories CPTS are made of."""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Departement, Organisation, Region


class Epci(models.Model):
    """An intercommunal body (établissement public de coopération intercommunale), identified by its SIREN."""

    code = models.CharField(_("SIREN"), max_length=9, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("EPCI")
        verbose_name_plural = _("EPCI")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Commune(models.Model):
    """A commune (or a municipal arrondissement of Paris, Lyon, Marseille), identified by its INSEE code.

    Loaded by ``manage.py load_communes``; a commune absent from a later vintage is kept and flagged
    (``is_current=False``) so that existing territories never lose a row silently.
    """

    insee_code = models.CharField(_("code INSEE"), max_length=5, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=5, blank=True, help_text=_("COM, ARM (arrondissement)…"))
    departement = models.ForeignKey(
        Departement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="communes",
        verbose_name=_("département"),
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="communes", verbose_name=_("région")
    )
    epci = models.ForeignKey(
        Epci, on_delete=models.SET_NULL, null=True, blank=True, related_name="communes", verbose_name=_("EPCI")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="arrondissements",
        verbose_name=_("commune parente"),
    )
    postal_codes = models.JSONField(_("codes postaux"), default=list, blank=True)
    population = models.PositiveIntegerField(_("population municipale"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(_("année de référence de la population"), null=True, blank=True)
    source = models.CharField(_("source et millésime"), max_length=100, blank=True)
    is_current = models.BooleanField(_("présente dans le dernier millésime"), default=True)
    search_name = models.CharField(_("nom normalisé pour la recherche"), max_length=200, db_index=True, editable=False)
    geometry_wkb = models.BinaryField(_("contour (WKB)"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.insee_code})"


class Territory(models.Model):
    """The territory of one CPTS: a set of communes, each whole or in part."""

    cpts = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        related_name="territory",
        verbose_name=_("CPTS"),
        limit_choices_to={"kind": "cpts"},
    )
    instructing_region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="instructed_territories",
        verbose_name=_("région qui instruit le dossier"),
    )
    communes = models.ManyToManyField(Commune, through="TerritoryCommune", related_name="territories")
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("territoire")
        verbose_name_plural = _("territoires")

    def __str__(self):
        return f"Territoire de {self.cpts}"


class TerritoryCommune(models.Model):
    """One commune of a territory: whole, or in part with a described perimeter and a declared population."""

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="entries")
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="territory_entries")
    is_partial = models.BooleanField(_("en partie"), default=False)
    perimeter = models.TextField(_("périmètre couvert"), blank=True)
    declared_population = models.PositiveIntegerField(
        _("population de la partie (déclarée)"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    added_at = models.DateTimeField(_("ajoutée le"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("commune du territoire")
        verbose_name_plural = _("communes du territoire")
        ordering = ["commune__name"]
        constraints = [
            models.UniqueConstraint(fields=["territory", "commune"], name="territory_commune_unique"),
            models.CheckConstraint(
                condition=Q(is_partial=False) | (Q(declared_population__isnull=False) & ~Q(perimeter="")),
                name="territory_commune_partial_has_perimeter_and_population",
                violation_error_message=_(
                    "Une commune incluse en partie doit indiquer le périmètre couvert et la population de cette partie."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.commune}{' (en partie)' if self.is_partial else ''}"
