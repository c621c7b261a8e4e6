"""Backfill ``CptsStage`` for every CPTS that already has an intention letter.

The rules are those of the letter's STATE_RULES when this migration was written (issue 13, point 8): a migration
keeps its own copy, since the code may change after it.
"""

from django.db import migrations

LABELS = {
    "draft": "brouillon",
    "submitted": "déposée",
    "under_review": "en examen",
    "complements_requested": "compléments demandés",
    "transmitted": "transmise à l'ars",
    "validated": "validée",
    "refused": "refusée",
    "abandoned": "abandonnée",
}
CLAIMS_TERRITORY = {"submitted", "under_review", "complements_requested", "transmitted", "validated"}
TERRITORY_LOCKED = {"submitted", "under_review", "transmitted", "validated"}
LOCK_REASON = (
    "Le territoire est figé : la lettre d'intention est « %(status)s ». Il se modifie lorsque des "
    "compléments sont demandés, ou par un nouveau dossier."
)


def backfill(apps, schema_editor):
    IntentionLetter = apps.get_model("projects", "IntentionLetter")
    CptsStage = apps.get_model("diagnostics", "CptsStage")
    latest, submitted, validated = {}, set(), set()
    rows = IntentionLetter.objects.order_by("cpts_id", "-created_at").values_list(
        "cpts_id", "status", "current_version_number"
    )
    for cpts_id, status, version_number in rows:
        latest.setdefault(cpts_id, status)
        if version_number > 0:
            submitted.add(cpts_id)
        if status == "validated":
            validated.add(cpts_id)
    CptsStage.objects.bulk_create(
        [
            CptsStage(
                cpts_id=cpts_id,
                stage="letter",
                status=status,
                label=f"lettre d'intention {LABELS.get(status, status)}",
                letter_submitted_once=cpts_id in submitted,
                letter_validated=cpts_id in validated,
                claims_territory=status in CLAIMS_TERRITORY,
                territory_lock_reason=LOCK_REASON % {"status": LABELS.get(status, status)}
                if status in TERRITORY_LOCKED
                else "",
            )
            for cpts_id, status in latest.items()
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("diagnostics", "0005_cpts_stage"),
        ("projects", "0004_french_labels"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
