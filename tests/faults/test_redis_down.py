"""Redis down during a submission: the submission is saved, the person sees no error, and the render and e-mails
leave once Redis is back, through the periodic resend (the pending rows are the outbox)."""

import datetime as dt
import html

import pytest
from django.test import Client
from django.urls import reverse

from cpts_portal.celery import app
from projects.choices import Channel, DeliveryStatus, DocumentKind, LetterStatus, RenderStatus
from projects.models import DossierVersion, Notification, RenderedDocument
from projects.services import pending_work_resend
from tests.conftest import _reset_connections

from .conftest import wait_for

pytestmark = pytest.mark.integration

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/15"  # nothing listens on port 1


def test_a_submission_while_redis_is_down_is_saved_and_its_tasks_leave_when_redis_is_back(
    celery_through_redis, letter_world, caplog
):
    letter, owner = letter_world["letter"], letter_world["owner"]
    redis_url = app.conf.broker_url
    app.conf.update(broker_url=CLOSED_PORT_BROKER, task_publish_retry=False, broker_connection_timeout=1)
    _reset_connections(app)
    try:
        client = Client(raise_request_exception=False)
        client.force_login(owner)
        response = client.post(reverse("projects:letter_submit", args=[letter.pk]), {"confirm": "on"}, follow=True)
    finally:
        app.conf.update(broker_url=redis_url, task_publish_retry=True)
        _reset_connections(app)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("projects:letter_detail", args=[letter.pk])
    assert "rencontré un problème" not in html.unescape(response.content.decode())
    letter.refresh_from_db()
    assert letter.status == LetterStatus.SUBMITTED
    assert DossierVersion.objects.filter(object_id=letter.pk, number=1).exists()
    document = RenderedDocument.objects.get(version__object_id=letter.pk, kind=DocumentKind.LETTER)
    emails = Notification.objects.filter(event__object_id=letter.pk, channel=Channel.EMAIL)
    assert document.status == RenderStatus.PENDING and emails.exists()
    assert set(emails.values_list("status", flat=True)) == {DeliveryStatus.PENDING}
    assert "document_render" in caplog.text or "on_commit" in caplog.text  # the lost enqueue is logged

    # Redis is back: the beat's resend finds the pending rows and the worker does the work.
    sent = pending_work_resend(grace=dt.timedelta(0))
    assert sent == {"documents": 1, "events": 1}
    wait_for(lambda: RenderedDocument.objects.get(pk=document.pk).status == RenderStatus.READY, what="le PDF")
    wait_for(lambda: not emails.filter(status=DeliveryStatus.PENDING).exists(), what="l'envoi des e-mails")
    assert set(emails.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    # Nothing is sent twice when the resend runs again.
    assert pending_work_resend(grace=dt.timedelta(0)) == {"documents": 0, "events": 0}
