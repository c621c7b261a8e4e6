"""Statuses, outcomes and kinds of the dossiers and of the shared lifecycle machinery."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LetterStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Déposée")
    UNDER_REVIEW = "under_review", _("En examen")
    COMPLEMENTS_REQUESTED = "complements_requested", _("Compléments demandés")
    TRANSMITTED = "transmitted", _("Transmise à l'ARS")
    VALIDATED = "validated", _("Validée")
    REFUSED = "refused", _("Refusée")
    ABANDONED = "abandoned", _("Abandonnée")


class HealthProjectStatus(models.TextChoices):
    DRAFT = "draft", _("En rédaction")
    SIGNING = "signing", _("Validé en interne, en signature")
    DEPOSITED = "deposited", _("Déposé à l'ARS")
    COMPLEMENTS_REQUESTED = "complements_requested", _("Compléments demandés")
    VALIDATED = "validated", _("Validé (non-opposition)")
    VALIDATED_TACITLY = "validated_tacitly", _("Validé tacitement")
    OPPOSED = "opposed", _("Opposition de l'ARS")


class OppositionGround(models.TextChoices):
    """The only two grounds on which the ARS may oppose a health project (seed 000, seed 004)."""

    PRS = "prs", _("Les objectifs du projet régional de santé (PRS) ne sont pas respectés")
    TERRITORY = "territory", _("Le territoire d'action n'est pas pertinent")


class ProjectDecisionOutcome(models.TextChoices):
    NON_OPPOSITION = "non_opposition", _("Non-opposition : projet validé")
    OPPOSITION = "opposition", _("Opposition")


class ValidationKind(models.TextChoices):
    EXPRESS = "express", _("Validation expresse (non-opposition signée)")
    TACIT = "tacit", _("Validation tacite (silence de l'ARS pendant 2 mois)")


class Assessment(models.TextChoices):
    """The scale of an opinion (a design choice: the seeds give the criteria, not the scale)."""

    FAVORABLE = "favorable", _("Favorable")
    RESERVED = "reserved", _("Réservé")
    UNFAVORABLE = "unfavorable", _("Défavorable")


class ComplementReason(models.TextChoices):
    INCOMPLETE = "incomplete", _("Incomplet")
    INCORRECT = "incorrect", _("Incorrect")
    OUTDATED = "outdated", _("Obsolète")


class DecisionOutcome(models.TextChoices):
    VALIDATED = "validated", _("Validée")
    REFUSED = "refused", _("Refusée")
    COMPLEMENTS = "complements", _("Compléments demandés")


class DeadlineKind(models.TextChoices):
    FIRST_MEETING = "first_meeting", _("Première rencontre avec les référents")
    ACCOMPANIMENT = "accompaniment", _("Dépôt du projet de santé et adhésion à l'ACI (engagement d'accompagnement)")
    SUPPORT = "support", _("Fin de l'accompagnement par la structure d'appui")
    FIR_INSTALMENT = "fir_instalment", _("Versement FIR")
    TACIT_VALIDATION = "tacit_validation", _("Validation tacite du projet de santé (fin du délai de 2 mois)")
    DECISION_ALERT = "decision_alert", _("Alerte à l'ARS avant la validation tacite")


class CarryingStage(models.TextChoices):
    LETTER = "letter", _("Lettre d'intention")
    HEALTH_PROJECT = "health_project", _("Projet de santé")
    CONTRACT = "contract", _("Contrat ACI")


class LegalForm(models.TextChoices):
    PREFIGURATION = "prefiguration", _("Association de préfiguration (loi 1901)")
    ASSOCIATION = "association", _("Association loi 1901")
    OTHER = "other", _("Autre structure")


class DocumentKind(models.TextChoices):
    LETTER = "letter", _("Lettre d'intention déposée")
    LETTER_DECISION = "letter_decision", _("Lettre d'intention avec avis et décision")
    HEALTH_PROJECT = "health_project", _("Projet de santé déposé")
    HEALTH_PROJECT_REVIEW = "health_project_review", _("Grille d'analyse et avis sur le projet de santé")


# The French name of each document in the names of its files (the one people download and the stored one);
# the stored key stays English like every other code.
DOCUMENT_FILE_NAMES = {
    DocumentKind.LETTER: "lettre-intention",
    DocumentKind.LETTER_DECISION: "decision-lettre-intention",
    DocumentKind.HEALTH_PROJECT: "projet-de-sante",
    DocumentKind.HEALTH_PROJECT_REVIEW: "grille-avis-projet-de-sante",
}


class RenderStatus(models.TextChoices):
    PENDING = "pending", _("En préparation")
    READY = "ready", _("Prêt")
    FAILED = "failed", _("Échec")


class EventType(models.TextChoices):
    LETTER_SUBMITTED = "letter_submitted", _("Lettre d'intention déposée")
    LETTER_REVIEW_OPENED = "letter_review_opened", _("Avis demandés sur la lettre d'intention")
    LETTER_TAKEN_IN = "letter_taken_in", _("Lettre d'intention prise en charge")
    LETTER_OPINION_GIVEN = "letter_opinion_given", _("Avis rendu sur la lettre d'intention")
    LETTER_COMPLEMENTS_REQUESTED = "letter_complements_requested", _("Compléments demandés")
    LETTER_TRANSMITTED = "letter_transmitted", _("Lettre d'intention transmise à l'ARS")
    LETTER_VALIDATED = "letter_validated", _("Lettre d'intention validée")
    LETTER_REFUSED = "letter_refused", _("Lettre d'intention refusée")
    LETTER_WITHDRAWN = "letter_withdrawn", _("Lettre d'intention abandonnée")
    PROJECT_SIGNATURES_OPENED = "project_signatures_opened", _("Projet de santé mis en signature")
    PROJECT_DEPOSITED = "project_deposited", _("Projet de santé déposé")
    PROJECT_OPINION_GIVEN = "project_opinion_given", _("Avis rendu sur le projet de santé")
    PROJECT_COMPLEMENTS_REQUESTED = "project_complements_requested", _("Compléments demandés sur le projet de santé")
    PROJECT_DECISION_PREPARED = "project_decision_prepared", _("Décision préparée sur le projet de santé")
    PROJECT_VALIDATED = "project_validated", _("Projet de santé validé")
    PROJECT_VALIDATED_TACITLY = "project_validated_tacitly", _("Projet de santé validé tacitement")
    PROJECT_OPPOSED = "project_opposed", _("Opposition au projet de santé")
    PROJECT_TACIT_APPROACHING = "project_tacit_approaching", _("Validation tacite proche")
    MESSAGE_POSTED = "message_posted", _("Nouveau message sur le dossier")
    OPINION_LATE = "opinion_late", _("Avis en retard")
    DEADLINE_APPROACHING = "deadline_approaching", _("Échéance proche")
    DEADLINE_PASSED = "deadline_passed", _("Échéance dépassée")


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portail")
    EMAIL = "email", _("E-mail")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("À envoyer")
    SENT = "sent", _("Envoyée")
    FAILED = "failed", _("Échec")
