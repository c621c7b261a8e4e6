"""Choices of the organisation and governance of a CPTS (model statutes of seed 000 Annexe 3, FAQ 9, seed 003)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MemberNature(models.TextChoices):
    PROFESSIONAL = "professional", _("Professionnel")
    STRUCTURE = "structure", _("Structure")


class MembershipKind(models.TextChoices):
    """Annexe 3: active members vote (one vote, at most two proxies); partner members are approved by the bureau."""

    ACTIVE = "active", _("Membre actif")
    PARTNER = "partner", _("Membre partenaire")


class JoinedVia(models.TextChoices):
    """Seed 000 "les différents types d'implication": direct membership or a formalised partnership."""

    DIRECT = "direct", _("Adhésion directe")
    AGREEMENT = "agreement", _("Convention de partenariat")


class InvolvementLevel(models.TextChoices):
    """FAQ 9 "Quels sont les niveaux d'implication dans la CPTS ?", from the lowest to the highest."""

    INFORMED = "informed", _("Se tient informé")
    ADHERENT = "adherent", _("Adhère à l'association")
    CONTRIBUTOR = "contributor", _("Participe à la construction ou à la mise en œuvre du projet")
    REFERENT = "referent", _("Référent d'une mission ou d'une action")
    GOVERNANCE = "governance", _("Membre des instances de gouvernance")


class PracticeMode(models.TextChoices):
    """The statuses of the adherents listed in the health project (seed 003)."""

    LIBERAL = "liberal", _("Libéral")
    SALARIED = "salaried", _("Salarié")
    MSP = "msp", _("MSP")
    HEALTH_CENTRE = "centre_sante", _("Centre de santé")
    ESP = "esp", _("ESP")
    ESS = "ess", _("ESS")
    ESTABLISHMENT = "etablissement", _("Établissement")


class BodyKind(models.TextChoices):
    GENERAL_ASSEMBLY = "ag", _("Assemblée générale")
    BOARD = "ca", _("Conseil d'administration")
    BUREAU = "bureau", _("Bureau")
    COLLEGE = "college", _("Collège")
    OTHER = "other", _("Autre instance")


class MandateRole(models.TextChoices):
    PRESIDENT = "president", _("Président·e")
    VICE_PRESIDENT = "vice_president", _("Vice-président·e")
    SECRETARY = "secretary", _("Secrétaire")
    DEPUTY_SECRETARY = "deputy_secretary", _("Secrétaire adjoint·e")
    TREASURER = "treasurer", _("Trésorier·ère")
    DEPUTY_TREASURER = "deputy_treasurer", _("Trésorier·ère adjoint·e")
    DIRECTOR = "director", _("Administrateur·rice")
    MEMBER = "member", _("Membre")


# A bureau is incomplete without these three officers (documents.md §4.5).
BUREAU_REQUIRED_ROLES = (MandateRole.PRESIDENT, MandateRole.TREASURER, MandateRole.SECRETARY)


class ReferentKind(models.TextChoices):
    MISSION_PILOT = "mission_pilot", _("Pilote de mission")
    CRISIS = "crisis", _("Référent crise")
    CRISIS_DEPUTY = "crisis_deputy", _("Référent crise suppléant")
    QUALITY = "quality", _("Référent qualité")


class DocumentKind(models.TextChoices):
    STATUTES = "statutes", _("Statuts")
    INTERNAL_RULES = "internal_rules", _("Règlement intérieur")
    MINUTES = "minutes", _("Procès-verbal / compte rendu")
    OTHER = "other", _("Autre document")


class InclusionActionKind(models.TextChoices):
    MEETING = "meeting", _("Réunion")
    QUESTIONNAIRE = "questionnaire", _("Questionnaire")
    MAILING = "mailing", _("Envoi d'informations (courrier, e-mail)")
    OTHER = "other", _("Autre action")


class SignatureMethod(models.TextChoices):
    """How a member signed a version of the health project (issue 16, point 2)."""

    LINK = "link", _("Lien électronique")
    PAPER = "paper", _("Papier")


class SignatureRule(models.TextChoices):
    """Who must sign before the deposit (a regional setting, read by ``calculations.quorum_met``)."""

    ALL = "all", _("Tous les membres")
    QUORUM = "quorum", _("Un quorum de membres")
