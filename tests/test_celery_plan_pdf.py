"""The fiches' PDF asked for in a request is laid out by a real Celery worker (another process, through Redis), and
the page follows it to the download: the path production takes, with no eager shortcut."""

import io
import time

import pytest
from django.urls import reverse
from pypdf import PdfReader

from accounts.choices import Role
from accounts.tests.factories import MembershipFactory, OrganisationFactory
from cpts_portal.rendering import DocumentStatus
from missions.models import ActionExample, PlanDocument
from missions.services import action_sheet_create_from_example
from missions.tests.factories import ActionPlanFactory, load_catalogue

pytestmark = [pytest.mark.integration]


def test_the_worker_renders_the_plan_pdf_the_page_asked_for(celery_through_redis, client):
    load_catalogue()
    cpts = OrganisationFactory(name="CPTS du worker")
    plan = ActionPlanFactory(cpts=cpts)
    for example in ActionExample.objects.filter(mission__code__in=["1", "2"]):
        action_sheet_create_from_example(plan=plan, by=None, example=example)
    client.force_login(MembershipFactory(organisation=cpts, role=Role.MEMBER).user)
    page_url = reverse("missions:plan_pdf", args=[cpts.pk])
    assert client.post(page_url).status_code == 302  # answers at once: the worker has the render
    deadline = time.monotonic() + 90
    while PlanDocument.objects.get(plan=plan).status in (DocumentStatus.PENDING, DocumentStatus.RENDERING):
        assert time.monotonic() < deadline, "le worker n'a pas rendu le PDF en 90 s"
        time.sleep(0.2)
    document = PlanDocument.objects.get(plan=plan)
    assert document.status == DocumentStatus.READY, document.error
    assert 'data-state="ready"' in client.get(page_url).content.decode()
    response = client.get(reverse("missions:plan_pdf_download", args=[cpts.pk]))
    pdf = b"".join(response.streaming_content)
    assert response["X-Content-SHA256"] == document.sha256
    assert len(PdfReader(io.BytesIO(pdf)).pages) == document.pages
