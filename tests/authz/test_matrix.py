"""The authorization matrix over the whole URLconf (see ``matrix.py``), and the proof that it can fail."""

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from .matrix import (
    APPS,
    PERSONAS,
    Rule,
    Sessions,
    admin_expected,
    admin_url,
    classify,
    declared_rules,
    failures,
    is_admin,
    leaks_in,
    only,
    report,
    request_as,
    signed_in,
    undeclared,
    url_patterns,
    walk_rule,
)

pytestmark = pytest.mark.django_db


def test_every_url_pattern_has_a_declared_answer():
    patterns = url_patterns()
    rules = declared_rules()
    missing = undeclared(patterns, rules)
    names = {p.name for p in patterns}
    stale = sorted(set(rules) - names)
    admin = [p for p in patterns if is_admin(p)]
    covered = len(patterns) - len(missing)
    print(
        f"\nMatrice d'autorisation : {covered}/{len(patterns)} motifs d'URL déclarés "
        f"({100 * covered / len(patterns):.0f} %), dont {len(admin)} motifs de l'admin en un groupe ; "
        f"{len(PERSONAS)} personas × GET/POST."
    )
    assert not missing, "Motifs d'URL sans réponse déclarée (ajoutez-les à tests/authz/<app>.py) :\n" + "\n".join(
        f"  {p.name}  ({p.route})" for p in missing
    )
    assert not stale, f"Déclarations sans motif d'URL (renommé ou supprimé ?) : {stale}"


@pytest.mark.parametrize("app", APPS)
def test_every_persona_gets_the_declared_answer_and_no_private_data(world, app):
    rules = {name: rule for name, rule in declared_rules().items() if name.split(":", 1)[0] == app}
    sessions = Sessions(world)
    cells = [cell for name, rule in rules.items() for cell in walk_rule(world, name, rule, sessions)]
    print(f"\n{app} : {len(rules)} motifs, {len(cells)} requêtes")
    bad = failures(cells)
    assert not bad, f"{len(bad)} cellule(s) de la matrice différente(s) de la déclaration :\n" + report(bad)


def test_the_admin_site_is_for_administrators_only(world):
    """The admin site as one declared group: every pattern sends every persona but the administrator to the
    login page, GET and POST; the administrator is served (never refused, never an error)."""
    walked, bad = 0, []
    sessions = Sessions(world)
    for pattern in url_patterns():
        if not is_admin(pattern):
            continue
        url = admin_url(pattern)
        if url is None:
            continue
        walked += 1
        for method in ("GET", "POST"):
            for persona in PERSONAS:
                response, text = request_as(world, persona, method, url, {}, sessions)
                got = classify(response)
                expected = admin_expected(pattern.name, persona, method)
                # The admin's catch-all (an unknown admin URL) answers 404 to the administrator.
                ok = got in expected or (persona == "admin" and got == "404" and "inexistant" in url)
                leaks = leaks_in(world, persona, text)
                if not ok or leaks:
                    bad.append(f"{pattern.name} {method} {persona}: {got} {leaks or ''} ({url})")
    print(f"\nadmin : {walked} motifs parcourus × {len(PERSONAS)} personas × GET/POST")
    assert walked > 50
    assert not bad, "\n".join(bad)


# --- The departmental bodies' area is a regional setting (issue 13, point 3) -------------------------------------

# With ``departmental_bodies_region_wide`` on, each body of another département stands where its twin of the
# CPTS's département stands.
TWINS = {"dd_elsewhere": "dd", "cpam_elsewhere": "health_insurance"}
AREA_APPS = ("diagnostics", "governance", "projects")
# Except where the circuit names the organisation itself: the health project's circuit consults the DD and the CPAM of
# Haute-Garonne, not their twins of Ariège, who read the project region-wide but give no opinion on it.
CIRCUIT_NAMED = {"projects:health_project_opinion"}


def test_with_the_region_wide_setting_the_departmental_bodies_act_for_every_cpts_of_the_region(world):
    """The matrix declares the delegation and the CPAM of Ariège refused on the pages of a CPTS of Haute-Garonne;
    once the region's settings say region-wide, they get exactly what those of Haute-Garonne get, page by page."""
    from accounts.models import RegionalSettings

    bad, walked = [], 0
    with transaction.atomic():
        RegionalSettings.objects.filter(pk=world.objects["settings"].pk).update(departmental_bodies_region_wide=True)
        sessions = Sessions(world)
        for name, rule in declared_rules().items():
            if name.split(":", 1)[0] not in AREA_APPS:
                continue
            url = reverse(name, kwargs=rule.kwargs(world))
            for method in ("GET", "POST"):
                expected = getattr(rule, method)
                data = rule.data(world) if method == "POST" else {}
                for persona, twin in TWINS.items():
                    twin = persona if name in CIRCUIT_NAMED else twin
                    response, text = request_as(world, persona, method, url, data, sessions)
                    walked += 1
                    got, leaks = classify(response), leaks_in(world, persona, text)
                    if got != expected[twin] or [what for what in leaks if what not in rule.discloses]:
                        bad.append(f"{name} {method} {persona}: {got}, attendu {expected[twin]} ({twin}) {leaks or ''}")
        transaction.set_rollback(True)
    print(f"\nparamètre régional « toute la région » : {walked} requêtes")
    assert walked > 100
    assert not bad, "\n".join(bad)
    # Off again (rolled back): the same personas are refused on the CPTS's letter.
    assert (
        request_as(world, "dd_elsewhere", "GET", reverse("projects:letter_detail", kwargs={"pk": world.letter.pk}), {})[
            0
        ].status_code
        == 403
    )


# --- The matrix can fail --------------------------------------------------------------------------------------


def leaky_members(request, cpts_pk):
    """A view someone forgot to protect: it lists the CPTS's members with their contact data."""
    from django.http import HttpResponse

    from governance.models import Member

    rows = Member.objects.filter(cpts_id=cpts_pk).values_list("last_name", "email", "phone")
    return HttpResponse("\n".join(" ".join(r) for r in rows))


def _leaky_urlconf():
    import types

    from django.urls import path

    from cpts_portal import urls as real

    module = types.ModuleType("leaky_urls")
    module.urlpatterns = [path("fuite/<int:cpts_pk>/", leaky_members, name="leaky_members"), *real.urlpatterns]
    return module


def test_the_matrix_catches_an_undeclared_and_unprotected_view(world):
    urlconf = _leaky_urlconf()
    already_missing = {p.name for p in undeclared(url_patterns(), declared_rules())}
    with override_settings(ROOT_URLCONF=urlconf):
        missing = undeclared(url_patterns(urlconf), declared_rules())
        assert [p.name for p in missing if p.name not in already_missing] == ["leaky_members"]

        # Declared as it should be (coordinators only), the walk finds it open to all, leaking contact data.
        rule = Rule(kwargs=lambda w: {"cpts_pk": w.cpts.pk}, GET=only("coordinator"), POST=signed_in("405"))
        bad = failures(walk_rule(world, "leaky_members", rule))
    wrong_answer = {(c.method, c.persona) for c in bad if c.got != c.expected}
    leaked = {c.persona for c in bad if c.leaks}
    assert ("GET", "anonymous") in wrong_answer and ("GET", "foreign_ars") in wrong_answer
    assert {"anonymous", "member", "other_coordinator", "desk", "health_insurance"} <= leaked
    assert "coordinator" not in leaked
