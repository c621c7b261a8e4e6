"""The PDFs asked for in a request (the fiches', the budget's) are laid out by a real Celery worker (another process,
through Redis) running the one shared task, and the page follows them to the download: the path production takes,
with no eager shortcut."""

import datetime as dt
import io
import time

import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from accounts.choices import Role
from accounts.tests.factories import MembershipFactory, OrganisationFactory
from cpts_portal.rendering import DocumentStatus
from funding.models import BudgetDocument
from funding.services import budget_save_parameters
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


def test_the_worker_renders_the_budget_pdf_the_page_asked_for(celery_through_redis, client):
    call_command("loaddata", "funding_scales", verbosity=0)
    cpts = OrganisationFactory(name="CPTS du budget")
    coordinator = MembershipFactory(organisation=cpts, role=Role.COORDINATOR).user
    budget = budget_save_parameters(
        organisation=cpts, by=coordinator, signed_on=dt.date(2022, 3, 1), missions=["1", "2", "3", "4"], taille=2
    )
    client.force_login(coordinator)
    page_url = reverse("funding:budget_pdf", args=[cpts.pk])
    assert client.post(page_url).status_code == 302  # answers at once: the worker has the render
    deadline = time.monotonic() + 90
    while BudgetDocument.objects.get(budget=budget).status in (DocumentStatus.PENDING, DocumentStatus.RENDERING):
        assert time.monotonic() < deadline, "le worker n'a pas rendu le PDF du budget en 90 s"
        time.sleep(0.2)
    document = BudgetDocument.objects.get(budget=budget)
    assert document.status == DocumentStatus.READY, document.error
    assert 'data-state="ready"' in client.get(page_url).content.decode()
    response = client.get(reverse("funding:budget_pdf_download", args=[cpts.pk]))
    pdf = b"".join(response.streaming_content)
    assert response["X-Content-SHA256"] == document.sha256
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "CPTS du budget" in text and "Mission 1 A" in " ".join(text.split())
