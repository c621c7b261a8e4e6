"""Every demo persona follows every link it can reach from its home page, on the full demo (point 23 of issue 12).

The demo is built once for the module (all communes, then ``seed_demo``) inside a transaction rolled back at the
end; each persona logs in (``force_login``: two-factor authentication is off in the test settings) and the crawler
(``crawler.py``) follows every same-origin link, GET only, each URL once, at most ``LIMIT`` pages. The test fails
on any page that raises or answers 5xx, any HTML page without ``<h1>``, any link to a 404, to a page refusing GET
or to a page the persona may not see (403), any localised number in a machine-read attribute, and lists them all
with the number of pages each persona visited.
"""

import io
import time

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings

from .crawler import crawl

pytestmark = pytest.mark.django_db  # makes pytest-django create the test database; the demo is the module's
LIMIT = 400


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        started = time.perf_counter()
        call_command("load_communes", stdout=io.StringIO())
        loaded = time.perf_counter()
        with override_settings(DEBUG=True):
            call_command("seed_demo", stdout=io.StringIO())
        print(f"\ncommunes : {loaded - started:.1f} s ; seed_demo : {time.perf_counter() - loaded:.1f} s")
        yield
        transaction.set_rollback(True)


def test_every_demo_persona_meets_no_error_dead_link_refusal_or_page_without_title(demo_world):
    from accounts.demo import LOGINS
    from accounts.models import User

    report, failures, known_files = [], [], set()
    started = time.perf_counter()
    for login in LOGINS:
        client = Client()
        client.force_login(User.objects.get(email=login.email))
        persona_started = time.perf_counter()
        result = crawl(client, "/", limit=LIMIT, known_files=known_files)
        line = (
            f"{login.email} ({login.role}, {login.organisation}) : {result.visited} pages"
            f"{' (limite atteinte)' if result.truncated else ''} ({result.sampled} liens d'une route déjà vue),"
            f" {time.perf_counter() - persona_started:.1f} s,"
            f" statuts {dict(sorted(result.statuses.items()))}"
        )
        report.append(line)
        failures += [f"[{login.email}] {failure}" for failure in result.failures]
    summary = "\n".join(report) + f"\ntotal : {time.perf_counter() - started:.1f} s"
    print("\n" + summary)
    assert not failures, f"{len(failures)} échecs :\n" + "\n".join(failures) + "\n\nPages visitées :\n" + summary
    assert all(" 0 pages" not in line for line in report)
