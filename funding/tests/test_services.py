"""The budget: parts from the missions, ACI resources from the calculator, completion only when balanced."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.choices import OrganisationKind
from accounts.tests.factories import OrganisationFactory
from funding.choices import BudgetCategory, BudgetSide, BudgetStatus
from funding.models import Budget, BudgetLine
from funding.selectors import budget_for_organisation, budget_summary
from funding.services import (
    budget_mark_complete,
    budget_part_save_lines,
    budget_reopen,
    budget_save_parameters,
    funding_plan_compute,
)

pytestmark = pytest.mark.django_db


def aci(summary, code, category):
    """The ACI amount of a part by its code ("" for part 1, "1A", "2"...)."""
    part = next(p for p in summary.parts if p.part.code == code)
    return next(line.amount for line in part.resources if line.category == category)


def balance(budget):
    """Type expenses equal to the ACI resources in every part."""
    for part in budget.parts.all():
        resources = sum(line.amount for line in part.lines.filter(side=BudgetSide.RESOURCE))
        salaries = part.lines.get(category=BudgetCategory.SALARIES)
        budget_part_save_lines(
            part=part, by=None, lines=[{"instance": salaries, "category": "salaries", "label": "", "amount": resources}]
        )


def test_a_budget_has_part_1_and_one_part_per_mission_with_aci_resources_prefilled(budget):
    summary = budget_summary(budget_for_organisation(budget.organisation))
    assert [p.part.code for p in summary.parts] == ["", "1A", "1B", "2", "3", "4"]
    assert [p.part.mission_code for p in summary.parts] == ["", "1", "1", "2", "3", "4"]
    assert summary.mission_codes == ["1", "2", "3", "4"]  # as the calculator knows them
    # Annexe 2's part 3 names, in its order.
    assert [p.part.label for p in summary.parts] == [
        "Fonctionnement général",
        "Mission 1 A – Médecin traitant",
        "Mission 1 B – Soins non-programmés",
        "Mission 2 – Pluriprofessionnel",
        "Mission 3 – Prévention",
        "Mission 4 – Gestion de la crise sanitaire",
    ]
    assert summary.parts[0].part.heading == (
        "Partie 1 – Fonctionnement – Élaboration, coordination, communication du projet"
    )
    assert summary.parts[1].part.heading == (
        "Partie 2 – Fonctionnement de la mission « Mission 1 A – Médecin traitant » – Moyens & résultats"
    )
    # Illustration 1, year 1: operation 60 000 + additional 45 000; fixed and variable per mission. Mission 1 is
    # computed as one ACI mission: all of it in 1A, nothing in 1B, a note asks to split it.
    assert aci(summary, "", BudgetCategory.ACI_OPERATION) == Decimal(105000)
    assert aci(summary, "1A", BudgetCategory.ACI_FIXED) == Decimal(70000)
    assert aci(summary, "1A", BudgetCategory.ACI_VARIABLE) == Decimal(30000)
    assert aci(summary, "1B", BudgetCategory.ACI_FIXED) == aci(summary, "1B", BudgetCategory.ACI_VARIABLE) == 0
    assert "à répartir entre 1A et 1B" in Budget.objects.get(pk=budget.pk).split_note
    assert [c.is_balanced for c in summary.split_checks] == [True, True]
    assert aci(summary, "4", BudgetCategory.ACI_FIXED) == Decimal(35000)
    assert aci(summary, "4", BudgetCategory.ACI_VARIABLE) == 0
    assert summary.total_resources == Decimal(340000)
    # The structure of Annexe 2: four expense lines and a complementary resource line in every part.
    for p in summary.parts:
        assert [line.category for line in p.expenses] == ["indemnities", "salaries", "consultant", "material"]
        assert BudgetCategory.COMPLEMENTARY in [line.category for line in p.resources]


def test_the_budget_follows_its_parameters(budget, cpts, owner):
    budget_save_parameters(
        organisation=cpts,
        by=owner,
        signed_on=dt.date(2023, 1, 15),
        missions=["1", "2", "3", "4", "5", "6"],
        taille=4,
        members=120,
        contract_year=2,
    )
    summary = budget_summary(budget_for_organisation(cpts))
    assert [p.part.code for p in summary.parts] == ["", "1A", "1B", "2", "3", "4", "5", "6"]
    assert summary.total_resources == Decimal(528000)  # illustration 2, following year, taille 4++
    assert aci(summary, "4", BudgetCategory.ACI_FIXED) == Decimal(27500)  # 25 000 + 10 %
    budget_save_parameters(
        organisation=cpts, by=owner, signed_on=dt.date(2023, 1, 15), missions=["1", "2", "3", "4"], taille=4
    )
    assert [p.part.code for p in budget_summary(budget_for_organisation(cpts)).parts] == [
        "",
        "1A",
        "1B",
        "2",
        "3",
        "4",
    ]


def test_the_budget_taille_can_come_from_the_population(scales, cpts, owner):
    budget = budget_save_parameters(
        organisation=cpts, by=owner, signed_on=dt.date(2023, 1, 15), missions=["1", "2", "3", "4"], population=80000
    )
    assert (budget.taille, budget.population, budget.scale.code) == (3, 80000, "aci-2019-avenant-2")


def test_budget_parameters_are_validated_in_french(scales, cpts, owner):
    with pytest.raises(ValidationError) as info:
        budget_save_parameters(organisation=cpts, by=owner, signed_on=dt.date(2023, 1, 15), missions=["1"], taille=2)
    assert "il manque : 2 – Parcours pluriprofessionnels" in " ".join(info.value.messages)
    ars = OrganisationFactory(kind=OrganisationKind.ARS)
    with pytest.raises(ValidationError, match="Seule une CPTS"):
        budget_save_parameters(organisation=ars, by=owner, signed_on=dt.date(2023, 1, 15), missions=["1"], taille=2)


def test_an_unbalanced_budget_cannot_be_marked_complete_and_the_difference_is_named(budget, owner):
    with pytest.raises(ValidationError) as info:
        budget_mark_complete(budget=budget, by=owner)
    messages = info.value.messages
    assert len(messages) == 5
    assert messages[0].startswith("Fonctionnement général : ")
    assert "diffèrent de 105\u202f000\u00a0€" in messages[0]
    budget = Budget.objects.get(pk=budget.pk)  # a protected FSM field cannot refresh_from_db
    assert budget.status == BudgetStatus.DRAFT


def test_a_balanced_budget_is_marked_complete_then_locked_until_reopened(budget, owner):
    balance(budget)
    summary = budget_summary(budget_for_organisation(budget.organisation))
    assert summary.is_balanced and summary.total_expenses == Decimal(340000)
    budget_mark_complete(budget=budget, by=owner)
    budget = Budget.objects.get(pk=budget.pk)  # a protected FSM field cannot refresh_from_db
    assert budget.status == BudgetStatus.COMPLETE
    part = budget.parts.first()
    with pytest.raises(ValidationError, match="rouvrez-le"):
        budget_part_save_lines(part=part, by=owner, lines=[])
    with pytest.raises(ValidationError, match="rouvrez-le"):
        budget_save_parameters(
            organisation=budget.organisation,
            by=owner,
            signed_on=budget.signed_on,
            missions=["1", "2", "3", "4"],
            taille=2,
        )
    budget_reopen(budget=budget, by=owner)
    budget = Budget.objects.get(pk=budget.pk)  # a protected FSM field cannot refresh_from_db
    assert budget.status == BudgetStatus.DRAFT
    assert budget.history.count() >= 3


def test_lines_are_added_changed_deleted_but_aci_lines_are_not_typed(budget, owner):
    part = budget.parts.get(mission_code="")
    consultant = part.lines.get(category=BudgetCategory.CONSULTANT)
    aci_line = part.lines.get(category=BudgetCategory.ACI_OPERATION)
    budget_part_save_lines(
        part=part,
        by=owner,
        lines=[
            {
                "instance": None,
                "category": "complementary",
                "label": "Commune de Villefranche",
                "amount": Decimal(5000),
            },
            {"instance": None, "category": "salaries", "label": "Coordinatrice 0,5 ETP", "amount": Decimal(25000)},
        ],
        deleted=[consultant],
    )
    lines = list(part.lines.order_by("pk"))
    assert not part.lines.filter(pk=consultant.pk).exists()
    new = [line for line in lines if line.label and not line.from_calculator]
    assert [(line.side, line.amount) for line in new] == [("resource", Decimal(5000)), ("expense", Decimal(25000))]
    with pytest.raises(ValidationError, match="calculées par le simulateur"):
        budget_part_save_lines(
            part=part, by=owner, lines=[{"instance": None, "category": "aci_operation", "label": "", "amount": 1}]
        )
    with pytest.raises(ValidationError, match="n'appartient pas"):
        budget_part_save_lines(
            part=part, by=owner, lines=[{"instance": aci_line, "category": "salaries", "label": "", "amount": 1}]
        )
    budget_part_save_lines(part=part, by=owner, lines=[], deleted=[aci_line])
    assert BudgetLine.objects.filter(pk=aci_line.pk).exists()


def test_funding_plan_compute_turns_calculator_errors_into_validation_errors(scales):
    with pytest.raises(ValidationError, match="pas les deux"):
        funding_plan_compute(signed_on=dt.date(2023, 1, 1), missions=["1", "2", "3", "4"], taille=2, population=10)
    plan = funding_plan_compute(signed_on=dt.date(2023, 1, 1), missions=["1", "2", "3", "4"], population=60000)
    assert (plan.taille, plan.total) == (2, Decimal(60000 + 155000 + 80000 + 4 * 277500))


def test_the_budget_freezes_as_json_data_without_queries(budget, django_assert_num_queries):
    import json

    from funding.selectors import budget_data

    loaded = budget_for_organisation(budget.organisation)
    with django_assert_num_queries(0):
        data = budget_data(loaded)
    assert json.loads(json.dumps(data)) == data
    assert (data["schema_version"], data["scale"], data["taille"]) == (2, "aci-2019-avenant-2", 2)
    assert [p["mission"] for p in data["parts"]] == [None, "1", "1", "2", "3", "4"]
    assert [p["code"] for p in data["parts"]] == [None, "1A", "1B", "2", "3", "4"]
    fixed = next(line for line in data["parts"][1]["lines"] if line["category"] == "aci_fixed")
    assert (fixed["category_label"], fixed["hint"]) == ("ACI – Fonctionnement", "En fonction de la taille de la CPTS")
    assert [c["shares"] for c in data["split_checks"]] == [
        {"1A": "70000.00", "1B": "0.00"},
        {"1A": "30000.00", "1B": "0.00"},
    ]
    assert data["total_resources"] == "340000.00" and data["total_expenses"] == "0.00"
