"""Simulator and budget pages: who may do what, what they show, and a fixed number of queries."""

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from accounts.choices import OrganisationKind
from accounts.tests.factories import OrganisationFactory
from funding.choices import BudgetCategory, BudgetSide, BudgetStatus
from funding.models import Budget
from funding.services import budget_part_save_lines, budget_save_parameters

pytestmark = pytest.mark.django_db

SIMULATOR = reverse("funding:simulator")
NNBSP, NBSP = "\u202f", "\u00a0"


def text(response) -> str:
    return html.unescape(response.content.decode())


def eur(amount: str) -> str:
    return amount.replace(" ", NNBSP) + NBSP + "€"


def make_territory(cpts, communes: int, population: int = 1000):
    from diagnostics.models import Commune, Territory, TerritoryCommune

    territory = Territory.objects.create(cpts=cpts, instructing_region=cpts.region)
    for index in range(communes):
        commune = Commune.objects.create(insee_code=f"9{index:04d}", name=f"Commune {index}", population=population)
        TerritoryCommune.objects.create(territory=territory, commune=commune)
    return territory


def balance(budget):
    for part in budget.parts.all():
        resources = sum(line.amount for line in part.lines.filter(side=BudgetSide.RESOURCE))
        salaries = part.lines.get(category=BudgetCategory.SALARIES)
        budget_part_save_lines(
            part=part, by=None, lines=[{"instance": salaries, "category": "salaries", "label": "", "amount": resources}]
        )


# --------------------------------------------------------------------------------------------------------------
# Simulator.


def test_the_simulator_needs_a_login(client, scales):
    response = client.get(SIMULATOR)
    assert response.status_code == 302 and "/connexion/" in response["Location"]


def test_anyone_logged_in_simulates_illustration_1(client, scales, colleague):
    client.force_login(colleague)
    response = client.get(
        SIMULATOR,
        {
            "taille": "2",
            "missions": ["1", "2", "3", "4"],
            "signed_on": "2022-03-01",
            "members": "0",
            "achievement": "100",
        },
    )
    assert response.status_code == 200
    page = text(response)
    assert f'Total sur 5 ans : <strong id="total-5-years">{eur("1 450 000")}</strong>' in page
    assert eur("340 000") in page and eur("277 500") in page
    assert "ACI 2019 + avenant 2 – fonctionnement additionnel si signature avant le 30/09/2022, taille 2" in page
    assert "Calendrier des versements" in page and "avance de 75 % du volet fixe" in page
    assert "<svg" in page and "<title id=" in page and "<desc id=" in page and "pattern" in page
    assert "Choix de conception" in page  # the proration choice is said in the interface


def test_the_simulator_shows_a_crisis_and_the_taille_4_plus_plus_increase(client, scales, owner):
    client.force_login(owner)
    response = client.get(
        SIMULATOR,
        {
            "population": "250000",
            "missions": ["1", "2", "3", "4", "5", "6"],
            "signed_on": "2023-01-15",
            "members": "101",
            "achievement": "100",
            "crisis_years": ["2"],
        },
    )
    page = text(response)
    assert f"taille 4</strong> d'après 250{NNBSP}000 habitants" in page
    assert eur("555 500") in page and eur("2 750 000") in page  # 2 667 500 + 75 000 × 1,1
    assert "Majoration taille 4++" in page


def test_the_simulator_explains_refusals_in_french(client, scales, owner):
    client.force_login(owner)
    response = client.get(
        SIMULATOR,
        {"taille": "2", "missions": ["1", "2"], "signed_on": "2023-01-15", "members": "0", "achievement": "100"},
    )
    page = text(response)
    assert response.status_code == 200
    assert "il manque : 3 – Prévention, 4 – Crises sanitaires graves" in page
    assert 'id="total-5-years"' not in page
    response = client.get(
        SIMULATOR,
        {
            "taille": "2",
            "missions": ["1", "2", "3"],
            "signed_on": "2023-01-15",
            "scale": "aci-2019",
            "members": "0",
            "achievement": "100",
        },
    )
    assert "« ACI 2019 » n'est pas en vigueur au 15/01/2023" in text(response)


def test_the_simulator_refuses_post(client, scales, owner):
    client.force_login(owner)
    assert client.post(SIMULATOR).status_code == 405


def test_the_simulator_shows_a_default_simulation_without_parameters(client, scales, owner):
    client.force_login(owner)
    page = text(client.get(SIMULATOR))
    assert 'id="total-5-years"' in page and 'id="simulator-form"' in page


def test_the_simulator_is_prefilled_from_the_cpts_territory_and_budget(client, budget, cpts, owner, member):
    make_territory(cpts, 3, population=30000)
    budget_save_parameters(
        organisation=cpts, by=owner, signed_on=dt.date(2023, 1, 15), missions=["1", "2", "3", "4", "6"], taille=2
    )
    for user in (owner, member):
        client.force_login(user)
        response = client.get(SIMULATOR, {"cpts": cpts.pk})
        page = text(response)
        assert response.status_code == 200
        assert 'name="population" value="90000"' in page
        assert f"taille 3</strong> d'après 90{NNBSP}000 habitants" in page
        assert 'value="6" class="form-check-input" id="id_missions_4" checked' in page or 'value="6"' in page
        assert "missions 1, 2, 3, 4, 6" in page
        assert f'name="cpts" value="{cpts.pk}"' in page


@pytest.mark.parametrize("persona", ["colleague", "outsider"])
def test_prefilling_from_a_cpts_is_refused_to_those_who_may_not_see_it(client, scales, cpts, persona, request):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(SIMULATOR, {"cpts": cpts.pk})
    assert response.status_code == 403
    assert "Vous n'êtes pas membre de cette organisation." in text(response)


def test_prefilling_from_a_non_cpts_organisation_is_refused(client, scales, owner):
    client.force_login(owner)
    ars = OrganisationFactory(kind=OrganisationKind.ARS)
    assert client.get(SIMULATOR, {"cpts": ars.pk}).status_code == 403
    assert client.get(SIMULATOR, {"cpts": "abc"}).status_code == 403
    assert client.get(SIMULATOR, {"cpts": 999999}).status_code == 404


@pytest.mark.parametrize("communes", [2, 40])
def test_the_prefilled_simulator_costs_a_fixed_number_of_queries(
    client, budget, cpts, owner, communes, django_assert_max_num_queries
):
    make_territory(cpts, communes)
    client.force_login(owner)
    client.get(SIMULATOR, {"cpts": cpts.pk})
    with django_assert_max_num_queries(18):  # +1 unread notifications (nav), +1 planned signature of the plan
        assert client.get(SIMULATOR, {"cpts": cpts.pk}).status_code == 200


# --------------------------------------------------------------------------------------------------------------
# Budget: reading.


def test_the_budget_list_shows_the_persons_cpts_only(client, budget, cpts, owner, outsider):
    client.force_login(owner)
    page = text(client.get(reverse("funding:budget_list")))
    assert cpts.name in page and "Année 1 du contrat – en cours de saisie" in page
    client.force_login(outsider)
    page = text(client.get(reverse("funding:budget_list")))
    assert cpts.name not in page and "CPTS de l'Ouest" in page and "pas encore de budget" in page


def test_the_coordinator_reads_the_budget_with_its_three_parts_and_differences(client, budget, cpts, owner):
    client.force_login(owner)
    response = client.get(reverse("funding:budget_detail", args=[cpts.pk]))
    page = text(response)
    assert response.status_code == 200
    assert "Partie 1 – Fonctionnement – Élaboration, coordination, communication du projet" in page
    assert (
        "Partie 2 – Fonctionnement de la mission « Mission 4 – Gestion de la crise sanitaire » – Moyens & résultats"
        in page
    )
    assert "Partie 3 – Budget global de la CPTS" in page
    assert f"Point de vigilance : écart de {eur('105 000')}" in page
    assert eur("340 000") in page  # total ACI resources, illustration 1 year 1
    assert "Modifier les paramètres" in page and "Modifier cette partie" in page
    assert "Marquer le budget comme complet" in page


def test_a_member_reads_the_budget_without_editing(client, budget, cpts, member):
    client.force_login(member)
    page = text(client.get(reverse("funding:budget_detail", args=[cpts.pk])))
    assert "Partie 3 – Budget global de la CPTS" in page
    assert "Modifier les paramètres" not in page and "Modifier cette partie" not in page
    assert "Seuls les coordinateurs de la CPTS modifient son budget." in page  # on the disabled button


@pytest.mark.parametrize("persona", ["colleague", "outsider"])
def test_others_may_not_read_the_budget(client, budget, cpts, persona, request):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("funding:budget_detail", args=[cpts.pk]))
    assert response.status_code == 403
    assert "Le budget est réservé aux membres de la CPTS." in text(response)


def test_budget_detail_refuses_post_and_anonymous(client, budget, cpts, owner):
    url = reverse("funding:budget_detail", args=[cpts.pk])
    assert client.get(url).status_code == 302
    client.force_login(owner)
    assert client.post(url).status_code == 405


def test_a_cpts_without_budget(client, scales, cpts, owner, member):
    url = reverse("funding:budget_detail", args=[cpts.pk])
    client.force_login(owner)
    assert "Créer le budget" in text(client.get(url))
    client.force_login(member)
    page = text(client.get(url))
    assert "Créer le budget" not in page and "pas encore été créé" in page


@pytest.mark.parametrize(("missions", "extra_lines"), [(["1", "2", "3", "4"], 0), (["1", "2", "3", "4", "5", "6"], 30)])
def test_the_budget_page_costs_a_fixed_number_of_queries(
    client, budget, cpts, owner, missions, extra_lines, django_assert_max_num_queries
):
    budget_save_parameters(organisation=cpts, by=owner, signed_on=dt.date(2022, 3, 1), missions=missions, taille=2)
    for part in budget.parts.filter(mission_code="1"):  # 1A and 1B
        budget_part_save_lines(
            part=part,
            by=owner,
            lines=[
                {"instance": None, "category": "material", "label": f"poste {i}", "amount": Decimal(10)}
                for i in range(extra_lines)
            ],
            aci_amounts={"aci_fixed": Decimal(35000)},
        )
    client.force_login(owner)
    with django_assert_max_num_queries(12):  # +1 unread notifications (nav)
        assert client.get(reverse("funding:budget_detail", args=[cpts.pk])).status_code == 200


# --------------------------------------------------------------------------------------------------------------
# Budget: writing.


def test_the_coordinator_creates_the_budget_from_the_territory_population(client, scales, cpts, owner):
    make_territory(cpts, 2, population=30000)
    url = reverse("funding:budget_edit", args=[cpts.pk])
    client.force_login(owner)
    page = text(client.get(url))
    assert 'name="population" value="60000"' in page
    response = client.post(
        url,
        {
            "population": "60000",
            "missions": ["1", "2", "3", "4", "5"],
            "signed_on": "2023-01-15",
            "members": "12",
            "contract_year": "1",
        },
    )
    assert response.status_code == 302
    budget = Budget.objects.get(organisation=cpts)
    assert (budget.taille, budget.members, budget.parts.count()) == (2, 12, 7)  # part 1, 1A, 1B, 2 to 5


def test_invalid_parameters_are_shown_in_french(client, scales, cpts, owner):
    client.force_login(owner)
    response = client.post(
        reverse("funding:budget_edit", args=[cpts.pk]),
        {"taille": "2", "missions": ["1"], "signed_on": "2023-01-15", "members": "0", "contract_year": "1"},
    )
    assert response.status_code == 400
    assert "il manque : 2 – Parcours pluriprofessionnels" in text(response)
    assert not Budget.objects.filter(organisation=cpts).exists()


@pytest.mark.parametrize("persona", ["member", "colleague", "outsider"])
def test_only_coordinators_edit_the_budget(client, budget, cpts, persona, request):
    client.force_login(request.getfixturevalue(persona))
    part = budget.parts.first()
    for url in (
        reverse("funding:budget_edit", args=[cpts.pk]),
        reverse("funding:budget_part_edit", args=[cpts.pk, part.pk]),
    ):
        assert client.get(url).status_code == 403
        assert client.post(url, {}).status_code == 403
    assert client.post(reverse("funding:budget_complete", args=[cpts.pk])).status_code == 403


def test_the_coordinator_types_lines_of_a_part(client, budget, cpts, owner):
    part = budget.parts.get(mission_code="")
    lines = list(part.lines.filter(from_calculator=False).order_by("side", "order", "pk"))
    url = reverse("funding:budget_part_edit", args=[cpts.pk, part.pk])
    client.force_login(owner)
    page = text(client.get(url))
    assert "Assurance Maladie ACI" in page and eur("105 000") in page
    assert 'name="aci-aci_fixed"' not in page  # part 1's ACI line is the calculator's only
    data = {
        "lines-TOTAL_FORMS": str(len(lines) + 2),
        "lines-INITIAL_FORMS": str(len(lines)),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for index, line in enumerate(lines):
        data.update(
            {
                f"lines-{index}-id": str(line.pk),
                f"lines-{index}-category": line.category,
                f"lines-{index}-label": "",
                f"lines-{index}-amount": "0",
            }
        )
    data[f"lines-{len(lines) - 1}-DELETE"] = "on"  # the complementary resource line
    salaries = next(i for i, line in enumerate(lines) if line.category == "salaries")
    data[f"lines-{salaries}-amount"] = "100000"
    new = len(lines)
    data.update({f"lines-{new}-category": "material", f"lines-{new}-label": "Logiciel", f"lines-{new}-amount": "5000"})
    # The second blank form is left as the browser shows it (amount 0): unchanged, so ignored.
    data.update({f"lines-{new + 1}-category": "", f"lines-{new + 1}-label": "", f"lines-{new + 1}-amount": "0"})
    response = client.post(url, data)
    assert response.status_code == 302, text(response)
    assert sorted(part.lines.filter(side="expense").values_list("amount", flat=True)) == [0, 0, 0, 5000, 100000]
    assert not part.lines.filter(category="complementary").exists()
    detail = text(client.get(reverse("funding:budget_detail", args=[cpts.pk])))
    assert "Partie 1 – Fonctionnement – Élaboration, coordination, communication du projet" in detail
    assert "Point de vigilance respecté : dépenses = ressources." in detail


def test_completing_is_refused_while_unbalanced_then_accepted(client, budget, cpts, owner):
    url = reverse("funding:budget_complete", args=[cpts.pk])
    client.force_login(owner)
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    page = text(response)
    assert "Le budget ne peut pas être marqué complet" in page and f"diffèrent de {eur('105 000')}" in page
    assert Budget.objects.get(pk=budget.pk).status == BudgetStatus.DRAFT
    balance(budget)
    client.post(url)
    assert Budget.objects.get(pk=budget.pk).status == BudgetStatus.COMPLETE
    page = text(client.get(reverse("funding:budget_detail", args=[cpts.pk])))
    assert "Rouvrir le budget" in page and "Modifier cette partie" not in page
    part = budget.parts.first()
    response = client.get(reverse("funding:budget_part_edit", args=[cpts.pk, part.pk]))
    assert response.status_code == 403 and "rouvrez-le" in text(response)
    assert client.get(reverse("funding:budget_reopen", args=[cpts.pk])).status_code == 405
    client.post(reverse("funding:budget_reopen", args=[cpts.pk]))
    assert Budget.objects.get(pk=budget.pk).status == BudgetStatus.DRAFT


def test_the_navigation_and_the_organisation_page_link_to_funding(client, budget, cpts, owner, colleague):
    client.force_login(owner)
    page = text(client.get(reverse("accounts:home")))
    assert reverse("funding:simulator") in page and reverse("funding:budget_list") in page
    client.force_login(colleague)
    page = text(client.get(reverse("accounts:home")))
    assert reverse("funding:simulator") in page and reverse("funding:budget_list") not in page


def test_the_cpts_page_links_to_its_simulator_and_budget(client, cpts, owner):
    client.force_login(owner)
    page = text(client.get(reverse("accounts:organisation_detail", args=[cpts.pk])))
    assert f"{reverse('funding:simulator')}?cpts={cpts.pk}" in page
    assert reverse("funding:budget_detail", args=[cpts.pk]) in page


def test_simulator_prefill_counts_the_cpts_members_from_the_governance_register(client, owner, cpts, scales):
    from django.core.management import call_command

    from governance.tests.factories import MemberFactory

    call_command("loaddata", "professions", verbosity=0)
    MemberFactory.create_batch(3, cpts=cpts, joined_on=dt.date(2024, 1, 15))
    MemberFactory(cpts=cpts, joined_on=dt.date(2024, 1, 15), left_on=dt.date(2024, 6, 1))
    client.force_login(owner)
    response = client.get(reverse("funding:simulator"), {"cpts": cpts.pk})
    assert response.context["form"].data["members"] == "3"
    assert response.context["plan"] is not None, response.context["form"].errors


# --------------------------------------------------------------------------------------------------------------
# Default signature date: the action plan's planned one (issue 12 §19).


def words(response) -> str:
    """The page's text without tags, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", text(response)).replace(" ,", ",").replace(" .", ".").split())


@pytest.fixture
def planned_2027(cpts):
    from missions.models import ActionPlan

    return ActionPlan.objects.create(cpts=cpts, planned_signature_date=dt.date(2027, 10, 1))


@time_machine.travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC), tick=False)
def test_the_simulator_defaults_to_the_planned_signature_of_the_action_plan(client, scales, cpts, owner, planned_2027):
    client.force_login(owner)
    response = client.get(SIMULATOR, {"cpts": cpts.pk})
    page = words(response)
    assert response.context["form"].data["signed_on"] == "2027-10-01"
    assert "contrat signé le 01/10/2027" in page
    assert "Date de signature prévue du plan d'action : 01/10/2027, proposée par défaut." in page
    assert response.context["plan"].years[0].start == dt.date(2027, 10, 1)


@time_machine.travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC), tick=False)
def test_without_a_planned_signature_the_simulator_takes_today_and_says_so(client, scales, cpts, owner):
    client.force_login(owner)
    response = client.get(SIMULATOR, {"cpts": cpts.pk})
    page = words(response)
    assert response.context["form"].data["signed_on"] == "2026-12-01"
    assert "contrat signé le 01/12/2026" in page
    assert "Aucune date de signature n'est prévue dans le plan d'action : la date du jour est proposée." in page
    # Without a CPTS, the simulator is a plain calculator: today, no note.
    page = text(client.get(SIMULATOR))
    assert "contrat signé le 01/12/2026" in page and "Date de signature prévue" not in page


@time_machine.travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC), tick=False)
def test_a_new_budget_defaults_to_the_planned_signature_and_an_existing_one_keeps_its_own(
    client, scales, cpts, owner, planned_2027
):
    url = reverse("funding:budget_edit", args=[cpts.pk])
    client.force_login(owner)
    page = words(client.get(url))
    assert 'name="signed_on" value="2027-10-01"' in text(client.get(url))
    assert "Date de signature prévue du plan d'action : 01/10/2027, proposée par défaut." in page
    budget_save_parameters(
        organisation=cpts, by=owner, signed_on=dt.date(2027, 1, 15), missions=["1", "2", "3", "4"], taille=2
    )
    page = words(client.get(url))
    assert 'name="signed_on" value="2027-01-15"' in text(client.get(url))
    assert "Date de signature prévue du plan d'action : 01/10/2027 ; la date retenue ici est le 15/01/2027." in page
