"""The members of a CPTS: professionals and structures, with the dates they joined and left."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from cpts_portal.history import HistoricalRecords
from diagnostics.models import Commune

from ..choices import InvolvementLevel, JoinedVia, MemberNature, MembershipKind, PracticeMode
from ..validators import validate_finess, validate_rpps, validate_siret
from .reference import Profession, StructureType


class MemberQuerySet(models.QuerySet):
    def present_on(self, on: dt.date):
        """Members on a date: joined on or before it and not left yet (a member who left on that day is gone)."""
        return self.filter(joined_on__lte=on).filter(Q(left_on__isnull=True) | Q(left_on__gt=on))


class Member(models.Model):
    """One professional or structure that joined one CPTS.

    A person who joins several CPTS has one row in each: every CPTS keeps its own list (and its own contact
    data), and identifiers are unique within a CPTS only. Members leave (``left_on``) and are never deleted,
    so the count at any past date (at signature, for instance) stays known.
    """

    cpts = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="governance_members",
        verbose_name=_("CPTS"),
        limit_choices_to={"kind": "cpts"},
    )
    nature = models.CharField(
        _("nature"), max_length=20, choices=MemberNature.choices, default=MemberNature.PROFESSIONAL
    )
    last_name = models.CharField(_("nom (ou raison sociale)"), max_length=200)
    first_name = models.CharField(_("prénom"), max_length=100, blank=True)
    profession = models.ForeignKey(
        Profession,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("profession"),
    )
    structure_type = models.ForeignKey(
        StructureType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("type de structure"),
    )
    # These validators also return the normalised number (the import uses it); Django ignores a validator's
    # return value, but the stubs type validators as returning None.
    rpps = models.CharField(
        _("numéro RPPS"),
        max_length=11,
        blank=True,
        validators=[validate_rpps],  # type: ignore[list-item]
    )
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])  # type: ignore[list-item]
    finess = models.CharField(_("FINESS"), max_length=9, blank=True, validators=[validate_finess])  # type: ignore[list-item]
    practice_mode = models.CharField(_("mode d'exercice"), max_length=20, choices=PracticeMode.choices, blank=True)
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="governance_members",
        verbose_name=_("commune d'exercice"),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    postal_address = models.CharField(
        _("adresse professionnelle"),
        max_length=300,
        blank=True,
        help_text=_("Voie, code postal et commune du lieu d'exercice (demandée par les fiches action)."),
    )
    # The member's consent to their professional contact (address, phone, e-mail) being part of the fiches action
    # sent to the ARS with the health project: its date, or empty when not given (or withdrawn).
    contact_consent_on = models.DateField(
        _("consentement à la transmission de ses coordonnées à l'ARS (fiches action) recueilli le"),
        null=True,
        blank=True,
        help_text=_(
            "Date à laquelle le membre a accepté que ses coordonnées professionnelles figurent dans les fiches "
            "action transmises à l'ARS. Vide : elles n'y figurent pas."
        ),
    )
    joined_on = models.DateField(_("date d'adhésion"))
    left_on = models.DateField(_("date de départ"), null=True, blank=True)
    membership_kind = models.CharField(
        _("qualité de membre"), max_length=20, choices=MembershipKind.choices, default=MembershipKind.ACTIVE
    )
    joined_via = models.CharField(_("adhésion"), max_length=20, choices=JoinedVia.choices, default=JoinedVia.DIRECT)
    involvement = models.CharField(
        _("niveau d'implication"), max_length=20, choices=InvolvementLevel.choices, default=InvolvementLevel.ADHERENT
    )
    in_governance = models.BooleanField(_("participe à la gouvernance"), default=False)
    took_part_in_writing = models.BooleanField(_("a participé à l'élaboration du projet de santé"), default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="governance_members",
        verbose_name=_("compte sur le portail"),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])
    _change_reason: str  # read by simple_history when the member is saved

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("membre")
        verbose_name_plural = _("membres")
        ordering = ["last_name", "first_name", "pk"]
        indexes = [models.Index(fields=["cpts", "joined_on", "left_on"], name="gov_member_cpts_dates")]
        constraints = [
            models.UniqueConstraint(
                fields=["cpts", "rpps"],
                condition=~Q(rpps=""),
                name="gov_member_unique_rpps_per_cpts",
                violation_error_message=_("Un membre de cette CPTS a déjà ce numéro RPPS."),
            ),
            models.UniqueConstraint(
                fields=["cpts", "siret"],
                condition=~Q(siret=""),
                name="gov_member_unique_siret_per_cpts",
                violation_error_message=_("Un membre de cette CPTS a déjà ce SIRET."),
            ),
            models.UniqueConstraint(
                fields=["cpts", "finess"],
                condition=~Q(finess=""),
                name="gov_member_unique_finess_per_cpts",
                violation_error_message=_("Un membre de cette CPTS a déjà ce numéro FINESS."),
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="gov_member_left_after_joined",
                violation_error_message=_("La date de départ ne peut précéder la date d'adhésion."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(nature=MemberNature.PROFESSIONAL, profession__isnull=False, structure_type__isnull=True)
                    & Q(siret="", finess="")
                )
                | (
                    Q(nature=MemberNature.STRUCTURE, structure_type__isnull=False, profession__isnull=True, rpps="")
                    & (~Q(siret="") | ~Q(finess=""))
                ),
                name="gov_member_nature_fields",
                violation_error_message=_(
                    "Un professionnel a une profession (et éventuellement un RPPS) ; une structure a un type et un "
                    "SIRET ou un FINESS."
                ),
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.nature == MemberNature.STRUCTURE or not self.first_name:
            return self.last_name
        return f"{self.first_name} {self.last_name}"

    @property
    def category(self):
        if self.profession:
            return self.profession.category
        if self.structure_type:
            return self.structure_type.category
        return None

    @property
    def kind_label(self) -> str:
        return str(self.profession or self.structure_type or "")

    @property
    def shares_contact_with_ars(self) -> bool:
        """Whether the fiches action sent to the ARS may carry this member's professional contact."""
        return self.contact_consent_on is not None

    def is_present_on(self, on: dt.date) -> bool:
        return self.joined_on <= on and (self.left_on is None or self.left_on > on)

    def clean(self):
        errors = {}
        if self.nature == MemberNature.PROFESSIONAL:
            if not self.profession_id:
                errors["profession"] = _("Indiquez la profession.")
            if self.siret or self.finess:
                errors["siret"] = _("Le SIRET et le FINESS concernent les structures, pas les professionnels.")
        elif self.nature == MemberNature.STRUCTURE:
            if not self.structure_type_id:
                errors["structure_type"] = _("Indiquez le type de structure.")
            if not self.siret and not self.finess:
                errors["siret"] = _("Une structure est identifiée par son SIRET ou son numéro FINESS.")
            if self.rpps:
                errors["rpps"] = _("Le numéro RPPS concerne les professionnels, pas les structures.")
        if self.left_on and self.joined_on and self.left_on < self.joined_on:
            errors["left_on"] = _("La date de départ ne peut précéder la date d'adhésion.")
        if errors:
            raise ValidationError(errors)
