"""Kinds of organisations, roles and regional circuits."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    CPTS = "cpts", _("CPTS (projet ou association)")
    GUICHET = "guichet", _("Guichet CPTS")
    URPS = "urps", _("URPS")
    COPIL = "copil", _("COPIL exercice coordonné")
    ARS = "ars", _("ARS")
    ARS_DD = "ars_dd", _("ARS – délégation départementale")
    CPAM = "cpam", _("CPAM")
    CGSS = "cgss", _("CGSS")
    MSA = "msa", _("MSA")
    ELSM = "elsm", _("ELSM")
    OPERATOR = "operator", _("Opérateur de la plateforme")


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinateur·rice")
    MEMBER = "member", _("Membre")
    REVIEWER = "reviewer", _("Relecteur·rice")
    AGENT = "agent", _("Agent")
    DECIDER = "decider", _("Décideur·se")
    ADMINISTRATOR = "administrator", _("Administrateur·rice")


class Stage(models.TextChoices):
    """The three stages of a CPTS's life; each region sets one circuit per stage (``StageCircuit``)."""

    LETTER = "letter", _("Lettre d'intention")
    HEALTH_PROJECT = "health_project", _("Projet de santé")
    CONTRACT = "contract", _("Contrat ACI")


class LetterCircuit(models.TextChoices):
    GUICHET_URPS = "guichet_urps", _("Guichet CPTS puis avis de chaque URPS, transmission à l'ARS")
    COPIL = "copil", _("COPIL exercice coordonné (validation par le comité)")
    ARS_DIRECT = "ars_direct", _("Dépôt direct à l'ARS")


class OpinionsVisibility(models.TextChoices):
    """When the CPTS reads the opinions given on its letter (the URPS' and the desk's consolidated one)."""

    IMMEDIATELY = "immediately", _("Dès qu'un avis est rendu")
    TRANSMITTED = "transmitted", _("Une fois la lettre transmise à l'ARS (ou décidée, sans transmission)")
    DECIDED = "decided", _("Une fois la décision rendue")


class ComplementsClock(models.TextChoices):
    """What a request for complements does to the health project's 2-month non-opposition delay (the seeds are
    silent: a regional setting, shown on the dossier)."""

    PAUSE = "pause", _("Suspendu pendant les compléments, reprend au nouveau dépôt")
    RESTART = "restart", _("Repart pour 2 mois entiers au nouveau dépôt")


class SignatureRule(models.TextChoices):
    """Who must have signed the health project version before it is deposited (seed 000: every member taking part
    signs; a region may accept a quorum)."""

    ALL = "all", _("Tous les membres participants")
    QUORUM = "quorum", _("Un quorum des membres participants")


class ProjectSection(models.TextChoices):
    """The sections of the health project, as the ARS template orders them (seed 003; each region sets its own
    order and titles: ``accounts.TemplateSection``)."""

    IDENTITY = "identity", _("Identité de la CPTS")
    DIAGNOSTIC = "diagnostic", _("Diagnostic territorial")
    ACTIONS = "actions", _("Actions par mission")
    PLANNING = "planning", _("Macro-planning")
    ORGANISATION = "organisation", _("Organisation et gouvernance")
    INFORMATION_SYSTEM = "information_system", _("Fonctionnement et système d'information")
    BUDGET = "budget", _("Budget")
    QUALITY = "quality", _("Qualité et évaluation")
    ANNEXES = "annexes", _("Annexes")


class LetterFunding(models.TextChoices):
    """What a validated letter opens for the CPTS: an FIR engineering grant, or days of a structure d'appui."""

    FIR_GRANT = "fir_grant", _("Subvention FIR d'ingénierie")
    SUPPORT = "support", _("Accompagnement par une structure d'appui (droit de tirage en journées)")


class UrpsProfession(models.TextChoices):
    MEDECINS = "medecins", _("Médecins libéraux")
    INFIRMIERS = "infirmiers", _("Infirmiers")
    PHARMACIENS = "pharmaciens", _("Pharmaciens")
    KINES = "kines", _("Masseurs-kinésithérapeutes")
    DENTISTES = "dentistes", _("Chirurgiens-dentistes")
    SAGES_FEMMES = "sages_femmes", _("Sages-femmes")
    ORTHOPHONISTES = "orthophonistes", _("Orthophonistes")
    ORTHOPTISTES = "orthoptistes", _("Orthoptistes")
    PODOLOGUES = "podologues", _("Pédicures-podologues")
    BIOLOGISTES = "biologistes", _("Biologistes")


# Which roles make sense in which kind of organisation (checked by the membership service).
ROLES_BY_KIND: dict[str, set[str]] = {
    OrganisationKind.CPTS: {Role.COORDINATOR, Role.MEMBER},
    OrganisationKind.GUICHET: {Role.REVIEWER},
    OrganisationKind.URPS: {Role.REVIEWER},
    OrganisationKind.COPIL: {Role.REVIEWER},
    OrganisationKind.ARS: {Role.AGENT, Role.DECIDER},
    OrganisationKind.ARS_DD: {Role.AGENT},
    OrganisationKind.CPAM: {Role.AGENT},
    OrganisationKind.CGSS: {Role.AGENT},
    OrganisationKind.MSA: {Role.AGENT},
    OrganisationKind.ELSM: {Role.AGENT},
    OrganisationKind.OPERATOR: {Role.ADMINISTRATOR},
}

REVIEW_KINDS = {OrganisationKind.GUICHET, OrganisationKind.URPS, OrganisationKind.COPIL}
ARS_KINDS = {OrganisationKind.ARS, OrganisationKind.ARS_DD}
# The Assurance Maladie's funds that read the validated letters of their area (CPAM: a département; CGSS: a
# whole overseas region). The MSA and the ELSM are not party to the letter's accompaniment commitment.
LETTER_READER_KINDS = {OrganisationKind.CPAM, OrganisationKind.CGSS}
HEALTH_INSURANCE_KINDS = {OrganisationKind.CPAM, OrganisationKind.CGSS, OrganisationKind.MSA, OrganisationKind.ELSM}
# Kinds attached to one département rather than to a whole region.
DEPARTEMENTAL_KINDS = {OrganisationKind.ARS_DD, OrganisationKind.CPAM, OrganisationKind.ELSM}
