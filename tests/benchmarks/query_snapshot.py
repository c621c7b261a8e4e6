"""Query-count snapshot of every list and detail page, at two data sizes, compared with the committed snapshot.

Run:    .venv/bin/pytest tests/benchmarks/query_snapshot.py -s
Update: QUERY_SNAPSHOT_UPDATE=1 .venv/bin/pytest tests/benchmarks/query_snapshot.py -s   (then commit the JSON)

The pages are those of the authorization matrix that answer 200 to a GET (each read by the first persona that may
see it, the CPTS's coordinator first). They are measured on the matrix's world, then again after adding many rows
of every kind (members, partners, actions, messages, notes, other CPTS with their letters, fiches, budget lines).
The test fails when a page costs more queries than the snapshot says, at either size; it prints the pages whose
count grows with the data (N+1) so that they can be fixed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.authz.matrix import Sessions, declared_rules
from tests.authz.world import build_world

SNAPSHOT = Path(__file__).with_name("query_snapshot.json")
PREFERRED = ("coordinator", "member", "desk", "urps", "ars", "health_insurance", "admin", "anonymous")
# Pages that are not lists or details (authentication forms, static pages, file downloads) are not measured.
SKIPPED_PREFIXES = ("accounts:login", "accounts:password", "accounts:otp", "accounts:logout", "accounts:health")
GROWTH = 20  # rows of each kind added for the large size


def pages() -> list[tuple[str, str, str, object]]:
    """(key, url name, persona, rule): each page as the first persona who may read it, and lists as the
    administrator too (who sees every row)."""
    found = []
    for name, rule in sorted(declared_rules().items()):
        if name.startswith(SKIPPED_PREFIXES):
            continue
        persona = next((p for p in PREFERRED if rule.GET[p] == "200"), None)
        if persona:
            found.append((name, name, persona, rule))
        if persona and persona != "admin" and rule.GET["admin"] == "200" and name.endswith(("_list", "index")):
            found.append((f"{name} [admin]", name, "admin", rule))
    return found


def measure(world, sessions) -> dict[str, int]:
    counts = {}
    for key, name, persona, rule in pages():
        client = sessions.client(persona)
        url = reverse(name, kwargs=rule.kwargs(world))
        with transaction.atomic():
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
                if getattr(response, "streaming", False):
                    b"".join(response.streaming_content)
            transaction.set_rollback(True)
        assert response.status_code == 200, f"{name} : {response.status_code}"
        counts[key] = len(queries)
    return counts


def grow(world) -> None:
    """Many more rows of every kind the pages list."""
    from accounts.choices import Role
    from accounts.tests.factories import MembershipFactory, OrganisationFactory
    from governance.models import InclusionAction, Partner
    from governance.tests.factories import MemberFactory
    from missions.tests.factories import ActionSheetFactory, IndicatorFactory
    from projects.services import message_post, note_add
    from projects.tests.factories import complete_letter, territory_for
    from projects.workflows.letter_services import letter_submit

    for n in range(GROWTH):
        MemberFactory(cpts=world.cpts, last_name=f"Ajout{n:03d}")
        Partner.objects.create(cpts=world.cpts, name=f"Partenaire {n}")
        InclusionAction.objects.create(cpts=world.cpts, date=dt.date(2024, 1, 1), kind="meeting", title=f"Réunion {n}")
        message_post(letter=world.letter, by=world.users["coordinator"], body=f"Message {n}")
        note_add(letter=world.letter, by=world.users["urps"], body=f"Note {n}")
        sheet = ActionSheetFactory(plan=world.plan, title=f"Fiche {n}")
        IndicatorFactory(sheet=sheet)
    for n in range(GROWTH // 4):
        cpts = OrganisationFactory(name=f"CPTS ajoutée {n}", region=world.region)
        coordinator = MembershipFactory(organisation=cpts, role=Role.COORDINATOR).user
        MembershipFactory(organisation=cpts, role=Role.MEMBER, user=world.users["admin"])
        territory_for(cpts, communes=[(f"Commune ajoutée {n}", 1000 + n)])
        letter_submit(letter=complete_letter(cpts, with_territory=False), by=coordinator)


@pytest.mark.django_db
def test_no_page_costs_more_queries_than_the_snapshot(django_db_blocker):
    with transaction.atomic():
        world = build_world()
        sessions = Sessions(world)
        small = measure(world, sessions)
        grow(world)
        large = measure(world, sessions)
        transaction.set_rollback(True)
    current = {name: {"small": small[name], "large": large[name]} for name in small}
    growing = {n: c for n, c in current.items() if c["large"] > c["small"]}
    print(f"\n{len(current)} pages mesurées (requêtes SQL, petite / grande taille) :")
    for name, c in current.items():
        print(f"  {name:55} {c['small']:4} {c['large']:4}{'  ← croît avec les données' if name in growing else ''}")
    if os.environ.get("QUERY_SNAPSHOT_UPDATE"):
        SNAPSHOT.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
        pytest.skip(f"instantané réécrit : {SNAPSHOT}")
    snapshot = json.loads(SNAPSHOT.read_text())
    worse = [
        f"{name} {size} : {current[name][size]} requêtes (instantané : {snapshot[name][size]})"
        for name in current
        if name in snapshot
        for size in ("small", "large")
        if current[name][size] > snapshot[name][size]
    ]
    new = sorted(set(current) - set(snapshot))
    assert not worse, "Des pages coûtent plus de requêtes qu'avant :\n" + "\n".join(worse)
    assert not new, f"Pages absentes de l'instantané (QUERY_SNAPSHOT_UPDATE=1 pour l'ajouter) : {new}"
