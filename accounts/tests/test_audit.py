import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Organisation
from accounts.tasks import purge_audit_log

pytestmark = pytest.mark.django_db


def test_every_change_is_recorded_with_who_and_when(cpts, owner):
    cpts.name = "CPTS du Lauragais – association"
    cpts._history_user = owner
    cpts.save()
    last = cpts.history.first()
    assert last.name == "CPTS du Lauragais – association" and last.history_user == owner
    assert cpts.history.count() == 2


def test_audit_rows_older_than_twelve_months_are_purged_by_the_periodic_task(region):
    with time_machine.travel(dt.datetime(2024, 1, 10, tzinfo=dt.UTC)):
        old = Organisation.objects.create(name="Ancienne", kind="cpts", region=region)
    with time_machine.travel(dt.datetime(2025, 6, 1, tzinfo=dt.UTC)):
        old.name = "Renommée"
        old.save()
    with time_machine.travel(dt.datetime(2025, 9, 1, tzinfo=dt.UTC)):
        assert timezone.now().year == 2025
        deleted = purge_audit_log.delay().get()
    assert deleted == {"accounts.HistoricalOrganisation": 1}
    assert list(old.history.values_list("name", flat=True)) == ["Renommée"]
