"""A deadline or notification task run twice (again, or by two workers at once) acts once."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from projects.choices import Channel, DeadlineKind, DeliveryStatus, EventType
from projects.models import Event, Notification
from projects.services import deadline_create
from projects.tasks import deadlines_process, notifications_send
from projects.workflows.letter_services import letter_submit


@pytest.mark.integration
def test_the_deadline_task_run_twice_by_the_worker_notifies_once(celery_through_redis, letter_world):
    letter = letter_world["letter"]
    letter_submit(letter=letter, by=letter_world["owner"])
    deadline_create(dossier=letter, kind=DeadlineKind.ACCOMPANIMENT, due_at=timezone.now() - dt.timedelta(hours=1))
    results = [deadlines_process.delay(), deadlines_process.delay()]
    assert sorted(r.get(timeout=60) for r in results)[0] == 0  # the second run found nothing left to do
    events = Event.objects.filter(type__in=[EventType.DEADLINE_APPROACHING, EventType.DEADLINE_PASSED])
    assert sorted(e.type for e in events) == sorted([EventType.DEADLINE_APPROACHING, EventType.DEADLINE_PASSED])


def test_two_notification_sends_at_once_send_each_e_mail_once(letter_world, transactional_db):
    letter = letter_world["letter"]
    letter_submit(letter=letter, by=letter_world["owner"])  # eager: the e-mails of the submission leave
    event = Event.objects.filter(type=EventType.LETTER_SUBMITTED).get()
    emails = Notification.objects.filter(event=event, channel=Channel.EMAIL)
    assert emails.exists()
    emails.update(status=DeliveryStatus.PENDING, sent_at=None)  # as if the task had been lost: send again
    mail.outbox.clear()
    barrier = threading.Barrier(2)

    def send():
        barrier.wait()
        try:
            notifications_send(event.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    notifications_send(event.pk)  # and a third time, afterwards
    assert len(mail.outbox) == emails.count()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(n.recipient.email for n in emails.select_related("recipient"))
    assert set(emails.values_list("status", flat=True)) == {DeliveryStatus.SENT}
