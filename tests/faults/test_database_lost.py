"""PostgreSQL lost in the middle of a request (its backend terminated while the submission writes): a clear French
error page, and no half-written dossier (the services are atomic)."""

import html

import psycopg
from django.db import connection
from django.test import Client
from django.urls import reverse

from projects.choices import LetterStatus
from projects.models import DossierVersion, Event, RenderedDocument, StatusTransition


def terminate_own_backend_on(table: str):
    """A DB execute wrapper: when the request writes into ``table``, its PostgreSQL backend is terminated from
    another connection (what a server restart does), then the statement runs on the dead connection."""
    state = {"done": False}

    def wrapper(execute, sql, params, many, context):
        if not state["done"] and sql.lstrip().upper().startswith("INSERT") and f'"{table}"' in sql:
            state["done"] = True
            pid = context["connection"].connection.info.backend_pid
            settings = context["connection"].settings_dict
            with psycopg.connect(
                host=settings["HOST"] or "127.0.0.1",
                port=settings["PORT"] or 5432,
                user=settings["USER"],
                dbname=settings["NAME"],
                autocommit=True,
            ) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        return execute(sql, params, many, context)

    return wrapper, state


def test_the_database_lost_mid_submission_gives_a_clear_page_and_no_half_written_dossier(letter_world):
    letter, owner = letter_world["letter"], letter_world["owner"]
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    wrapper, state = terminate_own_backend_on("projects_statustransition")
    with connection.execute_wrapper(wrapper):
        response = client.post(reverse("projects:letter_submit", args=[letter.pk]), {"confirm": "on"})
    connection.close()  # the test's connection was the request's: open a fresh one
    assert state["done"]
    page = html.unescape(response.content.decode())
    assert response.status_code == 503
    assert "base de données" in page and "Rien n'a été enregistré à moitié" in page
    letter.refresh_from_db()
    assert letter.status == LetterStatus.DRAFT and letter.current_version_number == 0
    assert not DossierVersion.objects.filter(object_id=letter.pk).exists()
    assert not StatusTransition.objects.exists() and not Event.objects.exists()
    assert not RenderedDocument.objects.exists()
    # The next request is served normally on a new connection.
    assert client.get(reverse("projects:letter_detail", args=[letter.pk])).status_code == 200
