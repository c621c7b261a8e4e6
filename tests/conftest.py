"""Fixtures for cross-app tests: a real Celery worker on Redis, and Chromium for Playwright."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium: Playwright never downloads its own browser here.
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


def _reset_connections(app):
    """Drop the producer pool and result backend built for the previous broker URL."""
    # Forget (without closing: other holders may still use them) the pools built for the previous broker.
    app._pool = None
    app.amqp._producer_pool = None
    app.__dict__.pop("backend", None)
    app._local.__dict__.pop("backend", None)


@pytest.fixture(autouse=True)
def _browser_journeys_share_one_address(request):
    """Browser journeys all log in from 127.0.0.1, dozens of times a minute across tests: the login's rate limit (30
    a minute per address, tested in accounts/tests) would refuse a later journey's login (seen in CI: 429 on
    /connexion/). Off for e2e tests only."""
    if request.node.get_closest_marker("e2e") is None:
        yield
        return
    settings = request.getfixturevalue("settings")
    settings.RATELIMIT_ENABLE = False
    yield


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # axe-core is injected as a script: the page's strict CSP would refuse it (see tests/e2e/axe.py).
    return {**browser_context_args, "bypass_csp": True, "locale": "fr-FR", "timezone_id": "Europe/Paris"}


@pytest.fixture
def celery_through_redis(settings, transactional_db):
    """Start a real Celery worker on Redis (db 15) reading the test database; route tasks to it."""
    from django.db import connection

    from cpts_portal.celery import app

    redis_url = settings.TEST_REDIS_URL
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cpts_portal.settings.test",
        "CELERY_THROUGH_REDIS": "1",
        "TEST_REDIS_URL": redis_url,
        "TEST_DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
    }
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    worker = subprocess.Popen(
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
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    previous = {k: app.conf[k] for k in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=redis_url, result_backend=redis_url, task_always_eager=False)
    _reset_connections(app)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if app.control.inspect(timeout=0.5).ping():
                break
            if worker.poll() is not None:
                raise RuntimeError(worker.stdout.read().decode())
        else:
            raise RuntimeError("Le worker Celery n'a pas démarré en 30 s.")
        yield worker
    finally:
        app.conf.update(**previous)
        _reset_connections(app)
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
