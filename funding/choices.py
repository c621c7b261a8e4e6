"""Choices of the funding app: taille 4++ settings, budget parts and lines, budget status."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from . import calculations as calc

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


class IncreaseComparison(models.TextChoices):
    AT_LEAST = calc.AT_LEAST, _("au moins (≥)")
    MORE_THAN = calc.MORE_THAN, _("plus de (>)")


class IncreaseCounts(models.TextChoices):
    MEMBERS = calc.COUNT_MEMBERS, _("membres : professionnels de santé ou structures ayant adhéré")
    PROFESSIONALS = calc.COUNT_PROFESSIONALS, _("professionnels de santé seulement")


class IncreaseAppliesTo(models.TextChoices):
    YEAR_TOTAL = (
        calc.APPLIES_YEAR_TOTAL,
        _("montant annuel total, fonctionnement compris (exemple chiffré de l'annexe 1)"),
    )
    EXCEPT_ADDITIONAL = calc.APPLIES_EXCEPT_ADDITIONAL, _("montant annuel hors fonctionnement additionnel")
    MISSIONS = calc.APPLIES_MISSIONS, _("missions socles et optionnelles seulement (note de l'annexe 1)")


class Taille(models.IntegerChoices):
    T1 = 1, _("taille 1")
    T2 = 2, _("taille 2")
    T3 = 3, _("taille 3")
    T4 = 4, _("taille 4")


class BudgetStatus(models.TextChoices):
    DRAFT = "draft", _("en cours de saisie")
    COMPLETE = "complete", _("complet")


class BudgetPartKind(models.TextChoices):
    OPERATION = "operation", _("Partie 1 – Fonctionnement")
    MISSION = "mission", _("Partie 2 – Mission")


class BudgetSubpart(models.TextChoices):
    """The two parts Annexe 2 gives mission 1 ("Mission 1 A – Médecin traitant", "Mission 1 B – Soins
    non-programmés"). The calculator knows one ACI mission 1: both parts keep ``mission_code`` "1" and differ by
    this letter, so every reader of the calculator's mission codes (simulator, parameters) is unchanged."""

    DOCTOR = "A", _("Médecin traitant")
    UNSCHEDULED = "B", _("Soins non-programmés")


# The mission whose budget Annexe 2 splits in two parts, and the parts, in the annex's order.
SPLIT_MISSION = "1"
SPLIT_SUBPARTS = (BudgetSubpart.DOCTOR, BudgetSubpart.UNSCHEDULED)

# How Annexe 2 names each mission in its part 3 ("Mission 2 – Pluriprofessionnel"). A mission the annex does not
# name (a later scale's) takes its short label from the scale.
BUDGET_MISSION_TITLES = {
    "2": _("Pluriprofessionnel"),
    "3": _("Prévention"),
    "4": _("Gestion de la crise sanitaire"),
    "5": _("Qualité & pertinence"),
    "6": _("Accompagnement"),
}
OPERATION_TITLE = _("Fonctionnement général")
OPERATION_HINT = _("Élaboration, coordination, communication du projet")
MISSION_HINT = _("Moyens & résultats")


class BudgetSide(models.TextChoices):
    EXPENSE = "expense", _("dépense")
    RESOURCE = "resource", _("ressource")


class BudgetCategory(models.TextChoices):
    """The lines of seed 000 Annexe 2, with its labels (the annex prints "ACI - Fonctionnement" with a hyphen where
    its source has a dash: the portal writes the dash, as in every other label)."""

    INDEMNITIES = "indemnities", _("Indemnités des professionnels")
    SALARIES = "salaries", _("Salaires")
    CONSULTANT = "consultant", _("Honoraire consultant")
    MATERIAL = "material", _("Moyens matériels")
    ACI_OPERATION = "aci_operation", _("Assurance Maladie ACI")
    ACI_FIXED = "aci_fixed", _("ACI – Fonctionnement")
    ACI_VARIABLE = "aci_variable", _("ACI – Résultat")
    COMPLEMENTARY = "complementary", _("Ressources complémentaires")


EXPENSE_CATEGORIES = [
    BudgetCategory.INDEMNITIES,
    BudgetCategory.SALARIES,
    BudgetCategory.CONSULTANT,
    BudgetCategory.MATERIAL,
]
# The hint Annexe 2 prints under each line, per part (part 1 and part 2 word two expense lines differently).
CATEGORY_HINTS: dict[str, dict[str, StrPromise]] = {
    BudgetPartKind.OPERATION: {
        BudgetCategory.INDEMNITIES: _("Organisation, pilotage, construction du projet"),
        BudgetCategory.SALARIES: _("Coordination, secrétariat, etc."),
        BudgetCategory.CONSULTANT: _("Expertise, formation, comptabilité"),
        BudgetCategory.MATERIAL: _("Logiciel, location, publicité, formation, etc."),
        BudgetCategory.ACI_OPERATION: _("En fonction de la taille de la CPTS"),
        BudgetCategory.COMPLEMENTARY: _("Facultatif"),
    },
    BudgetPartKind.MISSION: {
        BudgetCategory.INDEMNITIES: _("Organisation & réalisation de la mission"),
        BudgetCategory.SALARIES: _("Coordinateur, secrétariat, etc."),
        BudgetCategory.CONSULTANT: _("Expertise, formation, comptabilité"),
        BudgetCategory.MATERIAL: _("Logiciel, location, publicité, formation, etc."),
        BudgetCategory.ACI_FIXED: _("En fonction de la taille de la CPTS"),
        BudgetCategory.ACI_VARIABLE: _("Fonction taille & atteinte des objectifs"),
        BudgetCategory.COMPLEMENTARY: _("Facultatif"),
    },
}
RESOURCE_CATEGORIES: dict[str, list[BudgetCategory]] = {
    BudgetPartKind.OPERATION: [BudgetCategory.ACI_OPERATION, BudgetCategory.COMPLEMENTARY],
    BudgetPartKind.MISSION: [BudgetCategory.ACI_FIXED, BudgetCategory.ACI_VARIABLE, BudgetCategory.COMPLEMENTARY],
}
ACI_CATEGORIES = {BudgetCategory.ACI_OPERATION, BudgetCategory.ACI_FIXED, BudgetCategory.ACI_VARIABLE}
# Mission 1's ACI lines, computed for the whole mission, that the coordinator splits between 1A and 1B.
SPLIT_CATEGORIES = (BudgetCategory.ACI_FIXED, BudgetCategory.ACI_VARIABLE)
