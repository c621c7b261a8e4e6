"""Choices of the funding app: taille 4++ settings, budget parts and lines, budget status."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from . import calculations as calc


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


class BudgetSide(models.TextChoices):
    EXPENSE = "expense", _("dépense")
    RESOURCE = "resource", _("ressource")


class BudgetCategory(models.TextChoices):
    """The lines of seed 000 Annexe 2."""

    INDEMNITIES = "indemnities", _("Indemnités des professionnels")
    SALARIES = "salaries", _("Salaires")
    CONSULTANT = "consultant", _("Honoraires de consultant")
    MATERIAL = "material", _("Moyens matériels")
    ACI_OPERATION = "aci_operation", _("Assurance Maladie ACI – fonctionnement")
    ACI_FIXED = "aci_fixed", _("ACI – volet fixe (moyens)")
    ACI_VARIABLE = "aci_variable", _("ACI – volet variable (résultats)")
    COMPLEMENTARY = "complementary", _("Ressources complémentaires")


EXPENSE_CATEGORIES = [
    BudgetCategory.INDEMNITIES,
    BudgetCategory.SALARIES,
    BudgetCategory.CONSULTANT,
    BudgetCategory.MATERIAL,
]
CATEGORY_HINTS = {
    BudgetCategory.INDEMNITIES: _("Organisation, pilotage, construction du projet ou de la mission"),
    BudgetCategory.SALARIES: _("Coordination, secrétariat, etc."),
    BudgetCategory.CONSULTANT: _("Expertise, formation, comptabilité"),
    BudgetCategory.MATERIAL: _("Logiciel, location, publicité, formation, etc."),
    BudgetCategory.ACI_OPERATION: _("En fonction de la taille de la CPTS"),
    BudgetCategory.ACI_FIXED: _("En fonction de la taille de la CPTS"),
    BudgetCategory.ACI_VARIABLE: _("Fonction de la taille et de l'atteinte des objectifs"),
    BudgetCategory.COMPLEMENTARY: _("Facultatif : FIR, collectivités, fonds européens…"),
}
RESOURCE_CATEGORIES: dict[str, list[BudgetCategory]] = {
    BudgetPartKind.OPERATION: [BudgetCategory.ACI_OPERATION, BudgetCategory.COMPLEMENTARY],
    BudgetPartKind.MISSION: [BudgetCategory.ACI_FIXED, BudgetCategory.ACI_VARIABLE, BudgetCategory.COMPLEMENTARY],
}
ACI_CATEGORIES = {BudgetCategory.ACI_OPERATION, BudgetCategory.ACI_FIXED, BudgetCategory.ACI_VARIABLE}
