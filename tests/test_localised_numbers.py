"""No number rendered the French way ("2 024", "12,5") where a machine reads it back (issue 12 §6).

The pages of a CPTS are rendered with figures of at least 1 000 (years, populations, amounts) and every input
value, data- attribute, min, max and step is checked by ``tests.html_checks``.
"""

import datetime as dt
import html
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.choices import Role
from accounts.tests.factories import MembershipFactory

from .html_checks import localised_numbers_in_attributes

pytestmark = pytest.mark.django_db


def test_the_checker_finds_french_numbers_in_attributes_only():
    found = localised_numbers_in_attributes(
        '<option data-year="2\u202f024" data-value="1234.50">2\u202f024</option><input value="12,5">'
        '<input value="Réunion de 2 024 personnes"><input type="number" min="1\u00a0000" value="2024">'
    )
    assert found == ["<option data-year='2\\u202f024'>", "<input value='12,5'>", "<input min='1\\xa0000'>"]


@pytest.fixture
def cpts_with_big_numbers(cpts, owner):
    """A CPTS whose diagnostic, fiches and budget hold numbers of four digits and more."""
    from diagnostics.models import IndicatorDataset, IndicatorDefinition, IndicatorValue
    from funding.services import budget_save_parameters
    from governance.tests.factories import load_professions
    from missions.tests.factories import ActionPlanFactory, ActionSheetFactory, IndicatorFactory, core_plan
    from projects.choices import LetterStatus
    from projects.models import IntentionLetter
    from projects.services import health_project_start
    from projects.tests.factories import complete_letter, territory_for

    call_command("loaddata", "missions", "action_examples", "funding_scales", verbosity=0)
    load_professions()
    territory = territory_for(cpts, communes=[("Revel", 9_800), ("Castelnaudary", 11_500)])
    letter = complete_letter(cpts)
    IntentionLetter.objects.filter(pk=letter.pk).update(status=LetterStatus.VALIDATED)
    health_project_start(cpts=cpts, user=owner)
    indicator = IndicatorDefinition.objects.create(
        code="patients_sans_mt", label="Patients sans médecin traitant", unit="patients", aggregation="sum",
        source="Assurance Maladie",
    )  # fmt: skip
    dataset = IndicatorDataset.objects.create(
        label="Rezone 2024", source="Rezone CPTS", year=2024, scope="territory", territory=territory
    )
    dataset.indicators.add(indicator)
    for entry in territory.entries.all():
        IndicatorValue.objects.create(dataset=dataset, indicator=indicator, commune=entry.commune, value=1_234)
    plan = ActionPlanFactory(cpts=cpts, planned_signature_date=dt.date(2027, 10, 1))
    sheets = core_plan(plan)
    sheet = ActionSheetFactory(plan=plan, title="Grand plan", budget_estimate=Decimal("125000.50"))
    IndicatorFactory(sheet=sheet, baseline_value=Decimal("2500.5"), target_1=3000, unit="patients")
    budget_save_parameters(
        organisation=cpts, by=owner, signed_on=dt.date(2027, 10, 1), missions=["1", "2", "3", "4"],
        population=21_300, members=1_200,
    )  # fmt: skip
    return {"sheet": sheet, "other": sheets["1"]}


def test_no_page_of_a_cpts_puts_a_localised_number_where_a_machine_reads_it(client, cpts, owner, cpts_with_big_numbers):
    sheet = cpts_with_big_numbers["sheet"]
    member = MembershipFactory(organisation=cpts, role=Role.MEMBER).user
    budget_part = cpts.budget.parts.first()
    pages = [
        reverse("missions:sheet_update", args=[cpts.pk, sheet.pk]),
        reverse("missions:sheet_detail", args=[cpts.pk, sheet.pk]),
        reverse("missions:indicator_update", args=[cpts.pk, sheet.pk, sheet.indicators.get().pk]),
        reverse("missions:plan_detail", args=[cpts.pk]),
        reverse("missions:plan_planning", args=[cpts.pk]),
        reverse("missions:plan_settings", args=[cpts.pk]),
        reverse("funding:simulator") + f"?cpts={cpts.pk}",
        reverse("funding:budget_detail", args=[cpts.pk]),
        reverse("funding:budget_edit", args=[cpts.pk]),
        reverse("funding:budget_part_edit", args=[cpts.pk, budget_part.pk]),
        reverse("projects:health_project_detail", args=[cpts.pk]),
        reverse("diagnostics:diagnostic_detail", kwargs={"cpts_pk": cpts.pk}),
        reverse("governance:overview", kwargs={"cpts_pk": cpts.pk}),
    ]
    problems = {}
    for user in (owner, member):
        client.force_login(user)
        for url in pages:
            response = client.get(url)
            if response.status_code == 403:
                continue  # the coordinator's pages, refused to the member
            assert response.status_code == 200, url
            if found := localised_numbers_in_attributes(response.content.decode()):
                problems[url] = found
    assert problems == {}
    client.force_login(owner)
    edit = html.unescape(client.get(pages[0]).content.decode())
    assert 'data-value="2468.00"' in edit  # 1 234 patients in each of the two communes
    assert 'data-year="2024"' in edit  # the figure's year, read by missions.js into a number input
