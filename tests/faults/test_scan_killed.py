"""The health projects' scan killed (SIGKILL) in the middle of a tacit validation leaves no half state (issue 16).

The scan runs in a separate process on the real services and the test database: it fires the tacit validation
(status, log row, event and notifications written, not yet committed) and is killed at that point. PostgreSQL
rolls the whole transaction back: the project is still deposited, with no log row, no event, its clock still
open; the next scan validates it once, with one log row and one set of notifications.

Not a Celery worker: the scan's task only calls ``health_projects_scan`` and is never retried (the next beat is its
retry), so what is at stake is the transaction of the service, which a killed process exercises the same way.
"""

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from tests.conftest import ROOT

from .conftest import wait_for, worker_env

# Run by the killed process: the scan, held inside its transaction right after the tacit validation's event.
SCRIPT = """
import pathlib, sys, time
import django
django.setup()
from projects.workflows import health_project_services as services

marker = pathlib.Path(sys.argv[1])
recorded = services.event_record

def held(**kwargs):
    event = recorded(**kwargs)
    if kwargs.get("type") == "project_validated_tacitly":
        marker.write_text("inside")
        time.sleep(300)
    return event

services.event_record = held
services.health_projects_scan()
"""


@pytest.fixture
def deposited_project(transactional_db, monkeypatch):
    """A deposited health project whose tacit date passed an hour ago (committed rows: the process reads them)."""
    from django.core.management import call_command

    from accounts.choices import OrganisationKind, Role, Stage
    from accounts.models import StageCircuit
    from accounts.tests.factories import MembershipFactory, OrganisationFactory, RegionFactory
    from governance.selectors import signature_round_current
    from governance.signatures import signature_link_issue, signature_sign
    from governance.tests.factories import MemberFactory
    from projects.choices import DeadlineKind, LetterStatus
    from projects.models import IntentionLetter
    from projects.services import health_project_start
    from projects.tests.factories import complete_letter, occitanie_circuit
    from projects.workflows import health_project as definition
    from projects.workflows.health_project_services import project_approve, project_deposit

    call_command("loaddata", "opinion_grids", "professions", "funding_scales", verbosity=0)
    region = RegionFactory()
    cpts = OrganisationFactory(name="CPTS du Lauragais", region=region)
    owner = MembershipFactory(organisation=cpts, role=Role.COORDINATOR).user
    urps = OrganisationFactory(name="URPS Médecins", kind=OrganisationKind.URPS, region=region, profession="medecins")
    MembershipFactory(organisation=urps, role=Role.REVIEWER)
    circuit = occitanie_circuit(region, urps_count=1, reuse=[urps])
    cpam = OrganisationFactory(name="CPAM", kind=OrganisationKind.CPAM, region=region)
    MembershipFactory(organisation=cpam, role=Role.AGENT)
    hp = StageCircuit.objects.create(settings=circuit.settings, stage=Stage.HEALTH_PROJECT, desk=circuit.ars)
    hp.reviewers.set([cpam, circuit.desk])
    letter = complete_letter(cpts)
    IntentionLetter.objects.filter(pk=letter.pk).update(status=LetterStatus.VALIDATED)
    for name in ("Durand", "Petit"):
        MemberFactory(cpts=cpts, last_name=name, email=f"{name.lower()}@exemple.fr", joined_on=dt.date(2024, 1, 1))
    project = health_project_start(cpts=cpts, user=owner)
    monkeypatch.setitem(definition.GUARDS, "approve", lambda project: [])  # the workflow is under test, not content
    project_approve(project=project, by=owner)
    signature_round = signature_round_current(project)
    for signature in signature_round.signatures.select_related("round", "member"):
        token = signature_link_issue(signature=signature)
        signature_sign(token=token, seen_sha256=signature_round.sha256, ip_address=None, user_agent="test")
    project_deposit(project=project, by=owner)
    passed = timezone.now() - dt.timedelta(hours=1)
    project.deadlines.filter(kind=DeadlineKind.TACIT_VALIDATION).update(due_at=passed, alert_at=passed)
    return project


def _locked(project_id: int) -> bool:
    from projects.models import HealthProject

    try:
        with transaction.atomic():
            HealthProject.objects.select_for_update(nowait=True).get(pk=project_id)
    except DatabaseError:
        return True
    return False


def test_a_scan_killed_mid_validation_leaves_no_half_state_and_the_next_scan_validates_once(
    deposited_project, tmp_path
):
    from projects.choices import DeadlineKind, EventType, HealthProjectStatus
    from projects.models import Event, HealthProject, Notification, StatusTransition
    from projects.workflows.health_project_services import health_projects_scan

    marker = tmp_path / "inside"
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(marker)],
        cwd=ROOT,
        env=worker_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        started = time.monotonic()
        wait_for(lambda: marker.exists() or process.poll() is not None, timeout=60, what="la validation tacite")
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        assert _locked(deposited_project.pk), "the scan holds the project inside its transaction"
        print(f"\nvalidation en cours après {time.monotonic() - started:.1f} s : SIGKILL")
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    wait_for(lambda: not _locked(deposited_project.pk), timeout=30, what="la fin de la transaction tuée")

    project = HealthProject.objects.get(pk=deposited_project.pk)
    assert project.status == HealthProjectStatus.DEPOSITED and project.recognised_on is None
    assert not StatusTransition.objects.filter(transition="validate_tacitly").exists()
    assert not Event.objects.filter(type=EventType.PROJECT_VALIDATED_TACITLY).exists()
    assert project.deadlines.filter(kind=DeadlineKind.TACIT_VALIDATION, closed_at__isnull=True).exists()

    assert health_projects_scan() == 1
    assert health_projects_scan() == 0
    project.refresh_from_db()
    assert project.status == HealthProjectStatus.VALIDATED_TACITLY and project.recognised_on is not None
    assert StatusTransition.objects.filter(transition="validate_tacitly").count() == 1
    event = Event.objects.get(type=EventType.PROJECT_VALIDATED_TACITLY)
    recipients = list(Notification.objects.filter(event=event, channel="portal").values_list("recipient", flat=True))
    assert recipients and len(recipients) == len(set(recipients))
