"""Regions and their settings, organisations, people and their roles."""

import re

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cpts_portal.history import HistoricalRecords
from cpts_portal.related import prefetched

from .choices import (
    DEPARTEMENTAL_KINDS,
    ComplementsClock,
    LetterCircuit,
    LetterFunding,
    OpinionsVisibility,
    OrganisationKind,
    ProjectSection,
    Role,
    SignatureRule,
    Stage,
    UrpsProfession,
)
from .managers import UserManager


def day_list(value: str) -> list[str]:
    """The parts of a list of day counts: "15; 5" (semicolons, so that no one reads "15,5" as fifteen and a half;
    commas are accepted too)."""
    return [part.strip() for part in re.split(r"[;,]", value) if part.strip()]


def validate_day_list(value: str) -> None:
    """A list of day counts (the alerts before a deadline), e.g. "15; 5"."""
    parts = day_list(value)
    if not parts or not all(part.isdigit() and 0 < int(part) <= 365 for part in parts):
        raise ValidationError(
            _("Indiquez des nombres de jours entre 1 et 365 séparés par des points-virgules (ex. : 15; 5).")
        )


class CodeManager(models.Manager):
    """Reference data is identified by its official code, so fixtures reload without duplicates."""

    def get_by_natural_key(self, code):
        return self.get(code=code)


class Region(models.Model):
    """One of the 18 French regions, identified by its INSEE code."""

    code = models.CharField(_("code INSEE"), max_length=3, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    objects = CodeManager()

    class Meta:
        verbose_name = _("région")
        verbose_name_plural = _("régions")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)


class Departement(models.Model):
    code = models.CharField(_("code"), max_length=3, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departements", verbose_name=_("région"))
    objects = CodeManager()

    class Meta:
        verbose_name = _("département")
        verbose_name_plural = _("départements")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} – {self.name}"

    def natural_key(self):
        return (self.code,)


class Organisation(models.Model):
    """A body taking part in the lifecycle: a CPTS, a Guichet, an URPS, an ARS, a health-insurance fund..."""

    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=OrganisationKind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("région"))
    departement = models.ForeignKey(
        Departement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("département"),
    )
    profession = models.CharField(
        _("profession représentée"),
        max_length=20,
        choices=UrpsProfession.choices,
        blank=True,
        help_text=_("Uniquement pour une URPS."),
    )
    email = models.EmailField(_("e-mail de contact"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["region__name", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "kind", "name"], name="organisation_unique_name_per_region"),
            models.CheckConstraint(
                condition=Q(kind=OrganisationKind.URPS, profession__gt="")
                | (~Q(kind=OrganisationKind.URPS) & Q(profession="")),
                name="organisation_profession_only_for_urps",
                violation_error_message=_("Une URPS doit indiquer sa profession, et seule une URPS en indique une."),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.departement and self.region_id and self.departement.region_id != self.region_id:
            raise ValidationError({"departement": _("Ce département n'appartient pas à la région choisie.")})
        if self.kind in DEPARTEMENTAL_KINDS and not self.departement_id:
            raise ValidationError({"departement": _("Ce type d'organisation est rattaché à un département.")})


class RegionalSettings(models.Model):
    """The rules of one region from a date: letter circuit, FIR grant, delays; the desk, reviewers, grid and delays
    of each stage are its ``circuits`` (``StageCircuit``).

    Versioned by ``valid_from`` so that a dossier can be judged under the rules in force when it
    was submitted, and an administrator changes them without code.
    """

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="settings_versions", verbose_name=_("région")
    )
    valid_from = models.DateField(_("applicable à partir du"))
    letter_circuit = models.CharField(
        _("circuit de la lettre d'intention"), max_length=20, choices=LetterCircuit.choices
    )
    first_meeting_delay_days = models.PositiveSmallIntegerField(
        _("délai de première rencontre avec les référents (jours)"), null=True, blank=True
    )
    fir_engineering_amount = models.DecimalField(
        _("montant FIR d'ingénierie (€)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    fir_instalments = models.PositiveSmallIntegerField(_("nombre de versements FIR"), default=2)
    fir_period_months = models.PositiveSmallIntegerField(_("période des versements FIR (mois)"), default=6)
    support_months = models.PositiveSmallIntegerField(
        _("accompagnement par une structure d'appui (mois)"), null=True, blank=True
    )
    letter_funding = models.CharField(
        _("ce qu'ouvre la validation de la lettre"),
        max_length=20,
        choices=LetterFunding.choices,
        default=LetterFunding.FIR_GRANT,
        help_text=_("Commande le formulaire de décision, la décision affichée et les messages."),
    )
    opinions_visible_to_cpts = models.CharField(
        _("quand la CPTS voit les avis"),
        max_length=20,
        choices=OpinionsVisibility.choices,
        default=OpinionsVisibility.TRANSMITTED,
        help_text=_(
            "Avant ce moment, la CPTS sait combien d'avis sont rendus mais n'en lit pas le contenu : l'examen "
            "reste serein."
        ),
    )
    priority_themes = models.TextField(
        _("thématiques prioritaires proposées dans la lettre"),
        blank=True,
        help_text=_("Une par ligne. Vide : la lettre ne propose pas de thématiques à retenir."),
    )
    identity_sheet_required = models.BooleanField(
        _("fiche signalétique à remplir après validation"),
        default=False,
        help_text=_("La CPTS remplit la fiche signalétique (nom, contact, ville principale, orientations)."),
    )
    departmental_bodies_region_wide = models.BooleanField(
        _("Les délégations départementales de l'ARS et les CPAM agissent pour toute la région"),
        default=False,
        help_text=_("Sinon, chacune agit pour les CPTS de son département."),
    )
    # The health project (stage 2): signatures before deposit, the 2-month clock, the alerts to the ARS.
    signature_rule = models.CharField(
        _("signatures requises avant le dépôt du projet de santé"),
        max_length=10,
        choices=SignatureRule.choices,
        default=SignatureRule.ALL,
    )
    signature_quorum_percent = models.PositiveSmallIntegerField(
        _("quorum de signatures (% des membres participants)"),
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Utilisé seulement si un quorum suffit."),
    )
    complements_clock = models.CharField(
        _("délai de 2 mois et demande de compléments"),
        max_length=10,
        choices=ComplementsClock.choices,
        default=ComplementsClock.PAUSE,
        help_text=_("Choix régional (les textes ne le précisent pas), affiché sur chaque dossier."),
    )
    tacit_alert_days = models.CharField(
        _("alertes à l'ARS avant la validation tacite (jours)"),
        max_length=50,
        default="15; 5",
        validators=[validate_day_list],
        help_text=_("Nombres de jours avant l'échéance, séparés par des points-virgules (ex. : 15; 5)."),
    )
    notes = models.TextField(_("remarques"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("paramètres régionaux")
        verbose_name_plural = _("paramètres régionaux")
        ordering = ["region__name", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["region", "valid_from"], name="regional_settings_unique_date"),
        ]

    def __str__(self):
        return f"{self.region} – {self.valid_from:%d/%m/%Y}"

    @property
    def theme_list(self) -> list[str]:
        return [line.strip() for line in self.priority_themes.splitlines() if line.strip()]

    @property
    def tacit_alert_day_list(self) -> list[int]:
        """The alert days, largest first (15, 5)."""
        return sorted({int(part) for part in day_list(self.tacit_alert_days)}, reverse=True)

    @property
    def funds_support(self) -> bool:
        return self.letter_funding == LetterFunding.SUPPORT

    def circuit(self, stage: str) -> "StageCircuit | None":
        """This region's circuit for one stage (None when the region has not set one).

        Read once per instance: the circuits prefetched with ``circuits_prefetch()`` (or at least
        ``prefetch_related("circuits__reviewers")``) are used as they are; otherwise two queries load every
        circuit of these settings with its desk and reviewers, so asking for several stages costs no more.
        """
        by_stage = self.__dict__.get("_circuits_by_stage")
        if by_stage is None:
            loaded = prefetched(self, "circuits")
            circuits = (
                loaded if loaded is not None else self.circuits.select_related("desk").prefetch_related("reviewers")
            )
            by_stage = {c.stage: c for c in circuits}
            self.__dict__["_circuits_by_stage"] = by_stage
        return by_stage.get(stage)


class StageCircuit(models.Model):
    """Who receives, who gives an opinion, on which grid and within which delays, for one stage in one region.

    Belongs to a ``RegionalSettings`` version, so a dossier is judged under the circuit in force when it was
    submitted. The grid is named by its code: ``OpinionGrid`` lives in projects, a layer above accounts.
    """

    settings = models.ForeignKey(
        RegionalSettings, on_delete=models.CASCADE, related_name="circuits", verbose_name=_("paramètres régionaux")
    )
    stage = models.CharField(_("étape"), max_length=20, choices=Stage.choices)
    desk = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("guichet ou comité qui reçoit le dossier"),
    )
    reviewers = models.ManyToManyField(
        Organisation, blank=True, related_name="+", verbose_name=_("organisations qui rendent un avis")
    )
    opinion_delay_days = models.PositiveSmallIntegerField(
        _("délai pour rendre un avis (jours)"), default=21, validators=[MinValueValidator(1)]
    )
    decision_delay_months = models.PositiveSmallIntegerField(
        _("délai de décision (mois)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Vide : pas de délai. Projet de santé : validé sans opposition de l'ARS dans ce délai."),
    )
    grid_code = models.SlugField(
        _("code de la grille d'avis"), blank=True, help_text=_("Vide : les avis ne suivent pas de grille.")
    )
    history = HistoricalRecords(m2m_fields=[reviewers])

    class Meta:
        verbose_name = _("circuit d'une étape")
        verbose_name_plural = _("circuits des étapes")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["settings", "stage"],
                name="stage_circuit_unique_stage",
                violation_error_message=_("Ces paramètres régionaux ont déjà un circuit pour cette étape."),
            ),
        ]

    def __str__(self):
        return f"{self.settings} – {self.get_stage_display()}"


class ReviewerDelay(models.Model):
    """An organisation of a circuit that has its own delay to give its opinion (else the circuit's delay): on the
    health project each of the DD, CPAM, MSA, Inter-URPS and ELSM may have its own due date inside the 2 months."""

    circuit = models.ForeignKey(
        StageCircuit, on_delete=models.CASCADE, related_name="reviewer_delays", verbose_name=_("circuit")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    delay_days = models.PositiveSmallIntegerField(
        _("délai pour rendre son avis (jours)"), validators=[MinValueValidator(1)]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("délai propre à une organisation")
        verbose_name_plural = _("délais propres aux organisations")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["circuit", "organisation"],
                name="reviewer_delay_unique_organisation",
                violation_error_message=_("Cette organisation a déjà un délai propre dans ce circuit."),
            ),
        ]

    def __str__(self):
        return f"{self.organisation} – {self.delay_days} j"


class TemplateSection(models.Model):
    """One section of the health project in the order and with the title of the region's ARS template (seed 003).
    A region without rows uses the national order (``ProjectSection``)."""

    settings = models.ForeignKey(
        RegionalSettings,
        on_delete=models.CASCADE,
        related_name="template_sections",
        verbose_name=_("paramètres régionaux"),
    )
    code = models.CharField(_("section"), max_length=30, choices=ProjectSection.choices)
    title = models.CharField(_("titre dans la trame régionale"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("section de la trame du projet de santé")
        verbose_name_plural = _("sections de la trame du projet de santé")
        ordering = ["settings", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["settings", "code"],
                name="template_section_unique_code",
                violation_error_message=_("Cette section figure déjà dans la trame."),
            ),
        ]

    def __str__(self):
        return self.title or self.get_code_display()


def circuits_prefetch(prefix: str = "") -> models.Prefetch:
    """Where settings are loaded for a page or a transition: ``prefetch_related(circuits_prefetch())``, or
    ``circuits_prefetch("regional_settings__")`` from a dossier, so that ``RegionalSettings.circuit`` costs no
    query. Two queries (the circuits with their desk, their reviewers), whatever the number of settings."""
    return models.Prefetch(
        f"{prefix}circuits", queryset=StageCircuit.objects.select_related("desk").prefetch_related("reviewers")
    )


class User(AbstractUser):
    """A person; logs in with an e-mail address."""

    # The stubs type AbstractUser's username as a str field and its manager as auth's UserManager: this model
    # removes the one and replaces the other (e-mail login), which Django supports.
    username = None  # type: ignore[assignment]
    email = models.EmailField(_("adresse e-mail"), unique=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    history = HistoricalRecords()

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]
    objects = UserManager()  # type: ignore[assignment,misc]

    class Meta:
        verbose_name = _("personne")
        verbose_name_plural = _("personnes")
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return self.get_full_name() or self.email


class Membership(models.Model):
    """A person's role in one organisation; a person may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("personne"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organisation")
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(_("actif"), default=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rôle dans une organisation")
        verbose_name_plural = _("rôles dans les organisations")
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique_role"),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} – {self.organisation}"
