"""Real services for the fault tests: Celery workers on Redis (db 15) reading the test database."""

import os
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT


def worker_env(**extra) -> dict:
    from django.conf import settings
    from django.db import connection

    db = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cpts_portal.settings.test",
        "CELERY_THROUGH_REDIS": "1",
        "TEST_REDIS_URL": settings.TEST_REDIS_URL,
        "TEST_DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        **extra,
    }


def start_worker(**extra) -> subprocess.Popen:
    """One more worker (solo pool), started like the ``celery_through_redis`` fixture's, ready when it answers."""
    from cpts_portal.celery import app

    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "cpts_portal",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            f"--hostname=faults-{time.monotonic_ns()}@%h",
        ],
        cwd=ROOT,
        env=worker_env(**extra),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        replies = app.control.inspect(timeout=0.5).ping() or {}
        if any(name.startswith("faults-") for name in replies):
            return process
        if process.poll() is not None:
            raise RuntimeError("Le worker Celery supplémentaire n'a pas démarré.")
    raise RuntimeError("Le worker Celery supplémentaire n'a pas démarré en 30 s.")


def wait_for(predicate, timeout=60, what="la condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"{what} n'est pas arrivée en {timeout} s")


@pytest.fixture
def letter_world(transactional_db):
    """A CPTS with a complete draft letter, in an Occitanie circuit (committed rows: workers read them)."""
    from django.core.management import call_command

    from accounts.choices import OrganisationKind, Role
    from accounts.tests.factories import MembershipFactory, OrganisationFactory, RegionFactory
    from projects.tests.factories import complete_letter, occitanie_circuit

    call_command("loaddata", "opinion_grids", verbosity=0)
    region = RegionFactory()
    cpts = OrganisationFactory(name="CPTS du Lauragais", region=region)
    owner = MembershipFactory(organisation=cpts, role=Role.COORDINATOR).user
    urps = OrganisationFactory(name="URPS Médecins", kind=OrganisationKind.URPS, region=region, profession="medecins")
    MembershipFactory(organisation=urps, role=Role.REVIEWER)
    circuit = occitanie_circuit(region, urps_count=1, reuse=[urps])
    letter = complete_letter(cpts)
    return {"letter": letter, "owner": owner, "circuit": circuit}
