"""The fiches' and plans' validation log joins the dossiers' one log (issue 13, point 5).

Every ``missions.SheetStatusChange`` row becomes a ``StatusTransition`` row with the same transition, source,
target, author, date and comment, attached to its fiche (or to the plan when it has no fiche). The next missions
migration then drops ``SheetStatusChange``. Reversed, the rows of fiches and plans go back to it.
"""

from django.db import migrations

BATCH = 1000


def _content_type(apps, model):
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _created = ContentType.objects.get_or_create(app_label="missions", model=model)
    return content_type


def copy_sheet_status_changes(apps, schema_editor):
    SheetStatusChange = apps.get_model("missions", "SheetStatusChange")
    StatusTransition = apps.get_model("projects", "StatusTransition")
    if not SheetStatusChange.objects.exists():
        return
    sheet_type = _content_type(apps, "actionsheet")
    plan_type = _content_type(apps, "actionplan")
    rows = [
        StatusTransition(
            content_type=sheet_type if change.sheet_id else plan_type,
            object_id=change.sheet_id or change.plan_id,
            transition=change.transition,
            source=change.source,
            target=change.target,
            by_id=change.by_id,
            at=change.at,
            comment=change.comment,
            details={},
        )
        for change in SheetStatusChange.objects.order_by("at", "pk").iterator()
    ]
    StatusTransition.objects.bulk_create(rows, batch_size=BATCH)


def copy_back(apps, schema_editor):
    SheetStatusChange = apps.get_model("missions", "SheetStatusChange")
    StatusTransition = apps.get_model("projects", "StatusTransition")
    ActionSheet = apps.get_model("missions", "ActionSheet")
    sheet_type = _content_type(apps, "actionsheet")
    plan_type = _content_type(apps, "actionplan")
    logged = StatusTransition.objects.filter(content_type__in=[sheet_type, plan_type]).order_by("at", "pk")
    plan_of_sheet = dict(ActionSheet.objects.values_list("pk", "plan_id"))
    plans = set(apps.get_model("missions", "ActionPlan").objects.values_list("pk", flat=True))
    changes = []
    for row in logged.iterator():
        is_sheet = row.content_type_id == sheet_type.pk
        plan_id = plan_of_sheet.get(row.object_id) if is_sheet else row.object_id
        if plan_id is None or plan_id not in plans:
            continue  # its fiche or plan was deleted: SheetStatusChange would have gone with it (cascade)
        changes.append(
            SheetStatusChange(
                plan_id=plan_id,
                sheet_id=row.object_id if is_sheet else None,
                transition=row.transition,
                source=row.source,
                target=row.target,
                by_id=row.by_id,
                at=row.at,
                comment=row.comment,
            )
        )
    SheetStatusChange.objects.bulk_create(changes, batch_size=BATCH)
    logged.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("missions", "0002_french_labels"),
        ("projects", "0004_french_labels"),
    ]

    operations = [migrations.RunPython(copy_sheet_status_changes, copy_back)]
