"""Existing budgets take Annexe 2's shape: mission 1's part becomes 1A, an empty 1B follows, a note asks to split.

Its own migration (not 0003's): on PostgreSQL, rows written before an ALTER TABLE of the same transaction leave
deferred foreign-key checks pending and the ALTER fails; each migration runs in its own transaction. Reversible:
1B's lines go back into 1A (its ACI amounts added to 1A's), so every total is unchanged either way.
"""

from django.db import migrations

# Frozen copies of what the code says today (a migration must not follow later edits of the app).
TITLES = {
    "2": "Pluriprofessionnel",
    "3": "Prévention",
    "4": "Gestion de la crise sanitaire",
    "5": "Qualité & pertinence",
    "6": "Accompagnement",
}
SUBPART_TITLES = {"A": "Médecin traitant", "B": "Soins non-programmés"}
SPLIT_CATEGORIES = ("aci_fixed", "aci_variable")
EXPENSE_CATEGORIES = ("indemnities", "salaries", "consultant", "material")
SPLIT_SUFFIX = " ; montant de toute la mission 1, à répartir entre 1A et 1B"
NOTE = (
    "Budget antérieur à la répartition de la mission 1 : ses montants ont été reportés en 1A (montants inchangés), "
    "à répartir entre 1A et 1B (modifiez la partie 1A ou 1B)."
)


def _short_labels(apps, budget):
    ScaleMission = apps.get_model("funding", "ScaleMission")
    return dict(ScaleMission.objects.filter(scale_id=budget.scale_id).values_list("code", "short_label"))


def split_mission_1(apps, schema_editor):
    """Mission 1's part becomes 1A (amounts unchanged), an empty 1B follows it, every part takes Annexe 2's name,
    and the budget shows a note asking to split mission 1 between 1A and 1B."""
    Budget = apps.get_model("funding", "Budget")
    BudgetPart = apps.get_model("funding", "BudgetPart")
    BudgetLine = apps.get_model("funding", "BudgetLine")
    for budget in Budget.objects.all():
        short = _short_labels(apps, budget)
        parts = list(BudgetPart.objects.filter(budget=budget).order_by("order", "pk"))
        ordered = []
        for part in parts:
            ordered.append(part)
            if part.mission_code == "1" and not part.subpart:
                part.subpart = "A"
                aci = list(BudgetLine.objects.filter(part=part, from_calculator=True, category__in=SPLIT_CATEGORIES))
                for line in aci:
                    line.calculated_amount = line.amount
                    line.label = (line.label + SPLIT_SUFFIX)[:200]
                    line.save(update_fields=["calculated_amount", "label"])
                second = BudgetPart.objects.create(
                    budget=budget, kind="mission", mission_code="1", subpart="B", label="", order=part.order
                )
                BudgetLine.objects.bulk_create(
                    [
                        BudgetLine(part=second, side="expense", category=category, order=index)
                        for index, category in enumerate(EXPENSE_CATEGORIES)
                    ]
                    + [
                        BudgetLine(
                            part=second,
                            side="resource",
                            category=line.category,
                            amount=0,
                            calculated_amount=line.amount,
                            label=line.label,
                            from_calculator=True,
                            order=line.order,
                        )
                        for line in aci
                    ]
                    + [BudgetLine(part=second, side="resource", category="complementary", order=9)]
                )
                ordered.append(second)
                budget.split_note = NOTE
                budget.save(update_fields=["split_note"])
        for order, part in enumerate(ordered):
            if not part.mission_code:
                part.label = "Fonctionnement général"
            elif part.subpart:
                part.label = f"Mission {part.mission_code} {part.subpart} – {SUBPART_TITLES[part.subpart]}"
            else:
                title = TITLES.get(part.mission_code, short.get(part.mission_code, ""))
                part.label = f"Mission {part.mission_code} – {title}"
            part.order = order
            part.save(update_fields=["label", "order", "subpart"])


def merge_mission_1(apps, schema_editor):
    """Back to one part per mission: 1B's lines join 1A (its ACI amounts added to 1A's), labels as before."""
    Budget = apps.get_model("funding", "Budget")
    BudgetPart = apps.get_model("funding", "BudgetPart")
    BudgetLine = apps.get_model("funding", "BudgetLine")
    for budget in Budget.objects.all():
        short = _short_labels(apps, budget)
        first = BudgetPart.objects.filter(budget=budget, mission_code="1", subpart="A").first()
        for second in BudgetPart.objects.filter(budget=budget, mission_code="1", subpart="B"):
            if first is None:
                first, second.subpart = second, ""
                second.save(update_fields=["subpart"])
                continue
            for line in BudgetLine.objects.filter(part=second):
                target = (
                    BudgetLine.objects.filter(part=first, from_calculator=True, category=line.category).first()
                    if line.from_calculator
                    else None
                )
                if target is not None:
                    target.amount += line.amount
                    target.save(update_fields=["amount"])
                    line.delete()
                else:
                    line.part = first
                    line.save(update_fields=["part"])
            second.delete()
        BudgetLine.objects.filter(part__budget=budget, calculated_amount__isnull=False).update(calculated_amount=None)
        for line in BudgetLine.objects.filter(part__budget=budget, label__endswith=SPLIT_SUFFIX):
            line.label = line.label[: -len(SPLIT_SUFFIX)]
            line.save(update_fields=["label"])
        for order, part in enumerate(BudgetPart.objects.filter(budget=budget).order_by("order", "pk")):
            part.subpart = ""
            if not part.mission_code:
                part.label = "Partie 1 – Fonctionnement : élaboration, coordination, communication du projet"
            else:
                part.label = (
                    f"Partie 2 – Mission {part.mission_code} : {short.get(part.mission_code, '')} (moyens et résultats)"
                )
            part.order = order
            part.save(update_fields=["label", "order", "subpart"])


class Migration(migrations.Migration):
    dependencies = [("funding", "0003_budget_mission_1_split")]

    operations = [migrations.RunPython(split_mission_1, merge_mission_1)]
