"""The beat tasks and the e-mail task: thin, idempotent, failures recorded on the rows."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings

from projects.choices import DeliveryStatus
from projects.models import Notification
from projects.tasks import deadlines_process, notifications_send, opinions_remind_late
from projects.workflows.letter_services import letter_open_review, letter_submit

pytestmark = pytest.mark.django_db


def test_the_beat_schedule_runs_the_dossier_tasks():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"projects.tasks.deadlines_process", "projects.tasks.opinions_remind_late"} <= tasks


def test_beat_tasks_act_once_on_due_rows(letter, owner, circuit):
    with time_machine.travel(dt.datetime(2024, 3, 1, 10, tzinfo=dt.UTC), tick=False):
        letter_submit(letter=letter, by=owner)
        letter_open_review(letter=letter, by=circuit.desk_user)
    with time_machine.travel(dt.datetime(2024, 4, 1, 10, tzinfo=dt.UTC), tick=False):
        assert opinions_remind_late.delay().get() == len(circuit.reviewers)
        assert opinions_remind_late.delay().get() == 0
        assert deadlines_process.delay().get() == 0


def test_a_failed_email_is_recorded_on_its_notification(letter, owner, circuit, monkeypatch):
    letter_submit(letter=letter, by=owner)
    pending = Notification.objects.filter(channel="email", status=DeliveryStatus.PENDING)
    assert pending.exists()

    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("SMTP indisponible")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    notifications_send.delay(pending.first().event_id)
    failed = Notification.objects.get(channel="email")
    assert failed.status == DeliveryStatus.FAILED and "SMTP indisponible" in failed.error
