"""The fiches' and plans' validation log is the dossiers' one log now (projects' StatusTransition rows, issue 13
point 5): projects' 0005 copied every row there first."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("missions", "0002_french_labels"),
        ("projects", "0005_copy_sheet_status_changes"),
    ]

    operations = [
        migrations.DeleteModel(
            name="SheetStatusChange",
        ),
    ]
