"""The catalogue counted the over-75s; seed 000 asks for the patients over 70 (issue 15, point 1).

The values imported under ``personnes_75_ans_et_plus`` describe the over-75s: they are not relabelled as
over-70s (that would be a false figure). The old indicator is set inactive (its values and history stay), and
``fixtures/indicators.json`` brings the over-70 indicators, to be imported anew.
"""

from django.db import migrations

OLD_CODE = "personnes_75_ans_et_plus"


def deactivate_over_75(apps, schema_editor):
    apps.get_model("diagnostics", "IndicatorDefinition").objects.filter(code=OLD_CODE).update(is_active=False)


def reactivate_over_75(apps, schema_editor):
    apps.get_model("diagnostics", "IndicatorDefinition").objects.filter(code=OLD_CODE).update(is_active=True)


class Migration(migrations.Migration):
    dependencies = [("diagnostics", "0007_diagnostic_method_links_particularities")]

    operations = [migrations.RunPython(deactivate_over_75, reactivate_over_75)]
