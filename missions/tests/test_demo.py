"""The demo CPTS with fiches has every mission's inventory, an action outside the ACI and its pilots' contacts."""

import pytest
from django.core.management import call_command
from django.test import override_settings

from accounts.demo import CPTS_NAME
from accounts.models import Organisation
from governance.rgpd import NO_CONSENT_NOTE
from missions import selectors
from missions.models import ActionPlan, MissionIntro

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=True)
def test_the_demo_plan_is_complete_for_the_health_projects_panel():
    from tests.demo_world import demo_communes_create

    demo_communes_create()
    call_command("seed_demo")
    cpts = Organisation.objects.get(name=CPTS_NAME)
    assert selectors.plan_missing(cpts) == []
    plan = ActionPlan.objects.get(cpts=cpts)
    assert set(MissionIntro.objects.filter(plan=plan).values_list("mission__code", flat=True)) == {"1", "2", "3", "4"}
    data = selectors.serialise_action_plan(plan)
    outside = [s for s in data["sheets"] if s["outside_aci"]]
    assert outside and all(s["pilot"]["contact"]["transmitted"] for s in data["sheets"])
    assert any(row["outside_aci"] for row in data["planning_rows"])
    notes = [p["contact"].get("note") for s in data["sheets"] for p in s["working_group"]]
    assert NO_CONSENT_NOTE in notes  # a member who did not consent shows how the fiche says it
    page = selectors.action_plan_page(plan, with_gantt=True)
    assert page.gantt.has_outside
