"""The budget as Annexe 2 of seed 000 draws it (issue 15, point 5): mission 1 in two parts, 1A and 1B, that share
the calculator's ACI mission 1; the official labels and hints; the PDF; the migration of existing budgets.

Annexe 2's part 3, as the seed's text gives it, reads 1A, 1B, 4, 2, 5, 3, 6: its table sets missions 4 to 6 in a
second column beside 1B, 2 and 3, and the text extraction interleaves the columns. The portal lists the parts in
the missions' order: part 1, 1A, 1B, 2, 3, 4, 5, 6.
"""

import datetime as dt
import html
import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funding.choices import BudgetCategory, BudgetStatus
from funding.models import Budget, BudgetPart
from funding.selectors import budget_for_organisation, budget_summary
from funding.services import budget_mark_complete, budget_part_save_lines, budget_save_parameters

NNBSP, NBSP = "\u202f", "\u00a0"


def eur(amount: str) -> str:
    return amount.replace(" ", NNBSP) + NBSP + "€"


def text(response) -> str:
    return html.unescape(response.content.decode())


def summary_of(budget):
    return budget_summary(budget_for_organisation(budget.organisation))


def part(budget, code) -> BudgetPart:
    return next(p for p in budget.parts.all() if p.code == code)


def aci(budget, code, category) -> Decimal:
    return part(budget, code).lines.get(from_calculator=True, category=category).amount


def balance(budget):
    """Salaries equal to each part's resources: every part balanced."""
    for p in summary_of(budget).parts:
        salaries = next(line for line in p.expenses if line.category == BudgetCategory.SALARIES)
        budget_part_save_lines(
            part=p.part,
            by=None,
            lines=[{"instance": salaries, "category": "salaries", "label": "", "amount": p.total_resources}],
        )


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    raw = "\n".join(page.extract_text() for page in reader.pages)
    # WeasyPrint's text may break words at hyphens and lines anywhere: compare on single spaces.
    return re.sub(r"\s+", " ", raw.replace("-\n", "-").replace(NNBSP, " ").replace(NBSP, " "))


# --------------------------------------------------------------------------------------------------------------
# Services and selectors.


@pytest.mark.django_db
def test_the_lines_carry_annexe_2_labels_and_hints(budget):
    summary = summary_of(budget)
    first, doctor = summary.parts[0], summary.parts[1]
    assert [(line.get_category_display(), line.hint) for line in first.expenses] == [
        ("Indemnités des professionnels", "Organisation, pilotage, construction du projet"),
        ("Salaires", "Coordination, secrétariat, etc."),
        ("Honoraire consultant", "Expertise, formation, comptabilité"),
        ("Moyens matériels", "Logiciel, location, publicité, formation, etc."),
    ]
    assert [(line.get_category_display(), line.hint) for line in first.resources] == [
        ("Assurance Maladie ACI", "En fonction de la taille de la CPTS"),
        ("Ressources complémentaires", "Facultatif"),
    ]
    assert [(line.get_category_display(), line.hint) for line in doctor.expenses][:2] == [
        ("Indemnités des professionnels", "Organisation & réalisation de la mission"),
        ("Salaires", "Coordinateur, secrétariat, etc."),
    ]
    assert [(line.get_category_display(), line.hint) for line in doctor.resources] == [
        ("ACI – Fonctionnement", "En fonction de la taille de la CPTS"),
        ("ACI – Résultat", "Fonction taille & atteinte des objectifs"),
        ("Ressources complémentaires", "Facultatif"),
    ]
    assert [p.part.hint for p in summary.parts[:2]] == [
        "Élaboration, coordination, communication du projet",
        "Moyens & résultats",
    ]


@pytest.mark.django_db
def test_the_coordinator_splits_mission_1_and_the_note_goes(budget, owner):
    assert budget_for_organisation(budget.organisation).split_note
    budget_part_save_lines(
        part=part(budget, "1B"), by=owner, lines=[], aci_amounts={"aci_fixed": Decimal(30000), "aci_variable": 0}
    )
    budget_part_save_lines(part=part(budget, "1A"), by=owner, lines=[], aci_amounts={"aci_fixed": Decimal(40000)})
    assert (aci(budget, "1A", "aci_fixed"), aci(budget, "1B", "aci_fixed")) == (40000, 30000)
    assert (aci(budget, "1A", "aci_variable"), aci(budget, "1B", "aci_variable")) == (30000, 0)
    assert Budget.objects.get(pk=budget.pk).split_note == ""
    checks = summary_of(budget).split_checks
    assert [(c.label, c.calculated, c.shares, c.is_balanced) for c in checks] == [
        ("ACI – Fonctionnement", Decimal(70000), (("1A", Decimal(40000)), ("1B", Decimal(30000))), True),
        ("ACI – Résultat", Decimal(30000), (("1A", Decimal(30000)), ("1B", Decimal(0))), True),
    ]


@pytest.mark.django_db
def test_a_split_that_does_not_add_up_is_a_french_warning_not_a_refusal(budget, owner):
    budget_part_save_lines(part=part(budget, "1B"), by=owner, lines=[], aci_amounts={"aci_fixed": Decimal(10000)})
    summary = summary_of(budget)
    assert summary.split_warnings == [
        f"« ACI – Fonctionnement » de la mission 1 : 1A {eur('70 000')} + 1B {eur('10 000')} = {eur('80 000')}, "
        f"alors que le simulateur calcule {eur('70 000')} pour toute la mission (écart de {eur('10 000')})."
    ]
    balance(budget)  # each part balanced on its own: the vigilance check is per part
    assert summary_of(budget).is_balanced
    budget_mark_complete(budget=budget, by=owner)
    assert Budget.objects.get(pk=budget.pk).status == BudgetStatus.COMPLETE


@pytest.mark.django_db
def test_new_parameters_keep_the_split_while_mission_1_is_unchanged_and_reset_it_otherwise(budget, cpts, owner):
    budget_part_save_lines(part=part(budget, "1B"), by=owner, lines=[], aci_amounts={"aci_fixed": Decimal(20000)})
    budget_part_save_lines(part=part(budget, "1A"), by=owner, lines=[], aci_amounts={"aci_fixed": Decimal(50000)})
    budget_save_parameters(
        organisation=cpts, by=owner, signed_on=dt.date(2022, 3, 1), missions=["1", "2", "3", "4", "5"], taille=2
    )
    assert (aci(budget, "1A", "aci_fixed"), aci(budget, "1B", "aci_fixed")) == (50000, 20000)
    assert Budget.objects.get(pk=budget.pk).split_note == ""
    budget_save_parameters(
        organisation=cpts, by=owner, signed_on=dt.date(2022, 3, 1), missions=["1", "2", "3", "4"], taille=3
    )
    assert (aci(budget, "1A", "aci_fixed"), aci(budget, "1B", "aci_fixed")) == (90000, 0)  # taille 3: all to 1A
    assert "à répartir entre 1A et 1B" in Budget.objects.get(pk=budget.pk).split_note
    assert [c.is_balanced for c in summary_of(budget).split_checks] == [True, True]


@pytest.mark.django_db
def test_aci_amounts_are_typed_only_in_1a_and_1b(budget, owner):
    with pytest.raises(ValidationError, match="calculées par le simulateur"):
        budget_part_save_lines(part=part(budget, "2"), by=owner, lines=[], aci_amounts={"aci_fixed": Decimal(1)})
    with pytest.raises(ValidationError, match="n'existe pas dans cette partie"):
        budget_part_save_lines(part=part(budget, "1A"), by=owner, lines=[], aci_amounts={"aci_operation": 1})
    with pytest.raises(ValidationError):
        BudgetPart(budget=budget, kind="mission", mission_code="2", subpart="A", label="x").full_clean()


# --------------------------------------------------------------------------------------------------------------
# Pages.


@pytest.mark.django_db
def test_the_budget_page_shows_1a_1b_the_note_and_the_split_warning(client, budget, cpts, owner):
    client.force_login(owner)
    url = reverse("funding:budget_detail", args=[cpts.pk])
    page = text(client.get(url))
    assert "Mission 1 A – Médecin traitant" in page and "Mission 1 B – Soins non-programmés" in page
    assert 'id="split-note"' in page and "à répartir entre 1A et 1B" in page
    assert "Fonction taille & atteinte des objectifs" in page and "Ressources complémentaires" in page
    assert reverse("funding:budget_pdf", args=[cpts.pk]) in page
    edit = reverse("funding:budget_part_edit", args=[cpts.pk, part(budget, "1B").pk])
    form = text(client.get(edit))
    assert 'name="aci-aci_fixed"' in form and 'name="aci-aci_variable"' in form
    assert f"Calculé pour toute la mission 1 : {eur('70 000')} ; en 1A : {eur('70 000')}" in form
    data = {
        "lines-TOTAL_FORMS": "0",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "aci-aci_fixed": "20000",
        "aci-aci_variable": "0",
    }
    assert client.post(edit, data).status_code == 302
    page = text(client.get(url))
    assert 'id="split-note"' not in page  # the coordinator edited 1B
    assert "Répartition de la mission 1 :" in page and f"écart de {eur('20 000')}" in page
    assert client.post(edit, {**data, "aci-aci_fixed": "-5"}).status_code == 400


@pytest.mark.django_db
def test_the_budget_page_costs_the_same_queries_with_more_parts_and_lines(client, budget, cpts, owner):
    client.force_login(owner)
    url = reverse("funding:budget_detail", args=[cpts.pk])
    client.get(url)  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    budget_save_parameters(
        organisation=cpts, by=owner, signed_on=dt.date(2022, 3, 1), missions=["1", "2", "3", "4", "5", "6"], taille=2
    )
    for p in budget.parts.all():
        budget_part_save_lines(
            part=p,
            by=owner,
            lines=[{"instance": None, "category": "material", "label": f"l{i}", "amount": 1} for i in range(8)],
        )
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


# --------------------------------------------------------------------------------------------------------------
# The PDF.


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["owner", "member"])
def test_the_budget_pdf_holds_the_parts_labels_totals_and_vigilance(
    client, budget, cpts, persona, request, owner, django_capture_on_commit_callbacks
):
    budget_part_save_lines(part=part(budget, "1B"), by=owner, lines=[], aci_amounts={"aci_fixed": Decimal(10000)})
    client.force_login(request.getfixturevalue(persona))
    with django_capture_on_commit_callbacks(execute=True):  # the task renders it (eagerly in tests)
        assert client.post(reverse("funding:budget_pdf", args=[cpts.pk])).status_code == 302
    response = client.get(reverse("funding:budget_pdf_download", args=[cpts.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"] and "annee-1.pdf" in response["Content-Disposition"]
    content = pdf_text(b"".join(response.streaming_content))
    for expected in (
        cpts.name,
        "Année 1 du contrat",
        "ACI 2019 + avenant 2",
        "Taille 2",
        "Partie 1 – Fonctionnement – Élaboration, coordination, communication du projet",
        "Mission 1 A – Médecin traitant",
        "Mission 1 B – Soins non-programmés",
        "Mission 2 – Pluriprofessionnel",
        "Partie 3 – Budget global de la CPTS",
        "Fonctionnement général",
        "Assurance Maladie ACI",
        "ACI – Fonctionnement",
        "ACI – Résultat",
        "Ressources complémentaires",
        "Fonction taille & atteinte des objectifs",
        "Honoraire consultant",
        "Point de vigilance : dépenses = ressources",
        "écart de 105 000 €",  # part 1: ACI operation, no expense yet
        "écart de 10 000 €",  # the split warning: 1A 70 000 + 1B 10 000
        "350 000 €",  # total resources: illustration 1's 340 000 + 10 000 over-split
    ):
        assert expected in content, expected
    assert content.index("Mission 1 A") < content.index("Mission 1 B") < content.index("Mission 2 –")


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["colleague", "outsider"])
def test_others_may_not_download_or_preview_the_budget(client, budget, cpts, persona, request):
    client.force_login(request.getfixturevalue(persona))
    for name in ("funding:budget_pdf", "funding:budget_pdf_download", "funding:budget_preview"):
        response = client.get(reverse(name, args=[cpts.pk]))
        assert response.status_code == 403 and "Le budget est réservé aux membres de la CPTS." in text(response)
    assert client.post(reverse("funding:budget_pdf", args=[cpts.pk])).status_code == 403


@pytest.mark.django_db
def test_the_preview_is_the_pdf_template_and_a_cpts_without_budget_has_none(client, scales, budget, cpts, owner):
    url = reverse("funding:budget_preview", args=[cpts.pk])
    assert client.get(url).status_code == 302  # login first
    client.force_login(owner)
    page = text(client.get(url))
    assert "Mission 1 B – Soins non-programmés" in page and "Retour au dossier" in page
    assert client.post(url).status_code == 405
    Budget.objects.filter(pk=budget.pk).delete()
    assert client.get(reverse("funding:budget_pdf", args=[cpts.pk])).status_code == 404


# --------------------------------------------------------------------------------------------------------------
# Migration of existing budgets.

BEFORE = [("funding", "0002_french_labels")]
AFTER = [("funding", "0004_budget_mission_1_parts")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    apps = {app for app, _name in targets}
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] not in apps]
    return executor.loader.project_state(targets + others).apps


@pytest.mark.django_db(transaction=True)
def test_existing_budgets_move_mission_1_into_1a_with_an_empty_1b_and_back():
    apps = migrate(BEFORE)
    try:
        Region = apps.get_model("accounts", "Region")
        Organisation = apps.get_model("accounts", "Organisation")
        Scale = apps.get_model("funding", "FundingScale")
        ScaleMission = apps.get_model("funding", "ScaleMission")
        OldBudget = apps.get_model("funding", "Budget")
        OldPart = apps.get_model("funding", "BudgetPart")
        OldLine = apps.get_model("funding", "BudgetLine")
        region = Region.objects.create(code="76", name="Occitanie")
        cpts = Organisation.objects.create(name="CPTS du Minervois", kind="cpts", region=region)
        scale = Scale.objects.create(code="s", name="Barème", effective_from=dt.date(2022, 1, 1))
        for order, (code, short) in enumerate([("1", "Accès aux soins"), ("2", "Parcours pluriprofessionnels")]):
            ScaleMission.objects.create(scale=scale, code=code, label=short, short_label=short, order=order)
        budget = OldBudget.objects.create(
            organisation=cpts, scale=scale, signed_on=dt.date(2022, 3, 1), taille=2, status="complete"
        )
        amounts = {}
        for order, code in enumerate(["", "1", "2"]):
            old = OldPart.objects.create(
                budget=budget, kind="mission" if code else "operation", mission_code=code, label="x", order=order
            )
            for category, side, amount, calculated in [
                ("salaries", "expense", 100000 + order, False),
                ("aci_fixed", "resource", 70000, True),
                ("aci_variable", "resource", 30000, True),
                ("complementary", "resource", order, False),
            ]:
                OldLine.objects.create(
                    part=old, side=side, category=category, amount=amount, from_calculator=calculated, label="calc"
                )
            amounts[code] = sorted(OldLine.objects.filter(part=old).values_list("category", "amount"))

        apps = migrate(AFTER)
        Part = apps.get_model("funding", "BudgetPart")
        Line = apps.get_model("funding", "BudgetLine")
        parts = list(Part.objects.filter(budget_id=budget.pk).order_by("order"))
        assert [(p.mission_code, p.subpart, p.label) for p in parts] == [
            ("", "", "Fonctionnement général"),
            ("1", "A", "Mission 1 A – Médecin traitant"),
            ("1", "B", "Mission 1 B – Soins non-programmés"),
            ("2", "", "Mission 2 – Pluriprofessionnel"),
        ]
        assert sorted(Line.objects.filter(part=parts[1]).values_list("category", "amount")) == amounts["1"]
        assert sorted(Line.objects.filter(part=parts[2]).values_list("category", "amount", "calculated_amount")) == [
            ("aci_fixed", 0, 70000),
            ("aci_variable", 0, 30000),
            ("complementary", 0, None),
            ("consultant", 0, None),
            ("indemnities", 0, None),
            ("material", 0, None),
            ("salaries", 0, None),
        ]
        new_budget = apps.get_model("funding", "Budget").objects.get(pk=budget.pk)
        assert "à répartir entre 1A et 1B" in new_budget.split_note and new_budget.status == "complete"
        # The coordinator moves 20 000 to 1B; going back adds it to mission 1 again.
        Line.objects.filter(part=parts[1], category="aci_fixed").update(amount=50000)
        Line.objects.filter(part=parts[2], category="aci_fixed").update(amount=20000)

        apps = migrate(BEFORE)
        OldPart = apps.get_model("funding", "BudgetPart")
        OldLine = apps.get_model("funding", "BudgetLine")
        back = list(OldPart.objects.filter(budget_id=budget.pk).order_by("order"))
        assert [p.mission_code for p in back] == ["", "1", "2"]
        assert back[1].label == "Partie 2 – Mission 1 : Accès aux soins (moyens et résultats)"
        mission_1 = dict(OldLine.objects.filter(part=back[1], from_calculator=True).values_list("category", "amount"))
        assert mission_1 == {"aci_fixed": 70000, "aci_variable": 30000}
        assert OldLine.objects.filter(part=back[1]).count() == 4 + 5  # 1B's typed lines joined 1A
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
