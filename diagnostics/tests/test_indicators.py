"""Indicator imports (all or nothing, every bad line reported) and the diagnostic's aggregates and export."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from accounts.tests.factories import DepartementFactory, RegionFactory
from diagnostics.choices import Aggregation
from diagnostics.imports import indicator_dataset_import
from diagnostics.models import Commune, IndicatorDataset, IndicatorValue
from diagnostics.reports import diagnostic_export_rows, diagnostic_report
from diagnostics.selectors import territory_summary

from .factories import CommuneFactory, IndicatorDefinitionFactory, TerritoryCommuneFactory, TerritoryFactory

pytestmark = pytest.mark.django_db


def csv_file(text: str, name="indicateurs.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def xlsx_file(rows) -> SimpleUploadedFile:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("indicateurs.xlsx", buffer.getvalue())


@pytest.fixture
def indicators(db):
    return [
        IndicatorDefinitionFactory(code="mg", label="Médecins généralistes", unit="médecins", position=1),
        IndicatorDefinitionFactory(
            code="apl", label="APL", unit="consultations", aggregation=Aggregation.WEIGHTED_MEAN, position=2
        ),
    ]


@pytest.fixture
def communes(db):
    return [
        CommuneFactory(insee_code="31001", population=1000),
        CommuneFactory(insee_code="31002", population=3000),
        CommuneFactory(insee_code="31003", population=4000),
    ]


def test_an_import_with_bad_lines_changes_nothing_and_reports_each_line(indicators, communes, owner):
    existing = indicator_dataset_import(
        csv_file("code_insee;mg;apl\n31001;1;2,5\n"), indicators=indicators, label="Existant", user=owner
    ).dataset
    upload = csv_file(
        "code_insee;mg;apl;nom\n"
        "31001;3;2,0;Ayguesvives\n"  # line 2: fine
        "99999;1;1,0;Inconnue\n"  # line 3: unknown INSEE code
        "31002;beaucoup;4,0;Baziège\n"  # line 4: non-numeric value
        "31001;2;1,5;Ayguesvives bis\n"  # line 5: duplicate commune
        "31003;12;3,1;Villefranche\n"  # line 6: fine
    )
    with pytest.raises(ValidationError) as excinfo:
        indicator_dataset_import(upload, indicators=indicators, label="Refusé", user=owner)
    assert excinfo.value.messages == [
        "ligne 3, colonne « code_insee » : code INSEE inconnu « 99999 »",
        "ligne 4, colonne « mg » : valeur non numérique « beaucoup »",
        "ligne 5, colonne « code_insee » : commune 31001 en double (déjà ligne 2)",
    ]
    assert list(IndicatorDataset.objects.all()) == [existing]
    assert IndicatorValue.objects.count() == 2


def test_a_missing_column_is_reported_on_the_header_line(indicators, communes, owner):
    with pytest.raises(ValidationError) as excinfo:
        indicator_dataset_import(
            csv_file("codgeo;mg\n31001;2\n31002;x\n"), indicators=indicators, label="Sans APL", user=owner
        )
    assert excinfo.value.messages == [
        "ligne 1, colonne « apl » : colonne obligatoire absente",
        "ligne 3, colonne « mg » : valeur non numérique « x »",
    ]
    assert not IndicatorDataset.objects.exists()


def test_a_valid_xlsx_import_accepts_french_decimals_and_lost_leading_zeros(indicators, owner):
    ain = CommuneFactory(insee_code="01001", population=800)
    outcome = indicator_dataset_import(
        xlsx_file([["Code INSEE", "MG", "APL", "Commune"], ["1001", "2", "3,75", "L'Abergement"]]),
        indicators=indicators,
        label="Jeu national",
        source="DREES",
        year=2023,
        user=owner,
    )
    assert outcome.ignored_columns == ["Commune"]
    values = dict(outcome.dataset.values.values_list("indicator__code", "value"))
    assert values == {"mg": Decimal("2"), "apl": Decimal("3.75")}
    assert outcome.dataset.values.get(indicator__code="mg").commune == ain
    assert outcome.dataset.row_count == 1 and outcome.dataset.imported_by == owner


def test_a_territory_import_refuses_communes_outside_the_territory(indicators, communes, owner, cpts):
    territory = TerritoryFactory(cpts=cpts)
    TerritoryCommuneFactory(territory=territory, commune=communes[0])
    with pytest.raises(ValidationError) as excinfo:
        indicator_dataset_import(
            csv_file("code_insee;mg;apl\n31001;1;2\n31002;1;2\n"),
            indicators=indicators,
            label="Territoire",
            territory=territory,
            user=owner,
        )
    assert excinfo.value.messages == ["ligne 3, colonne « code_insee » : la commune 31002 n'est pas dans le territoire"]


def test_a_file_that_is_not_a_table_is_refused_whole(indicators, owner):
    with pytest.raises(ValidationError, match="ni un CSV ni un classeur"):
        indicator_dataset_import(
            SimpleUploadedFile("x.xlsx", b"PK\x03\x04garbage"), indicators=indicators, label="x", user=owner
        )


@pytest.fixture
def diagnostic_world(indicators, cpts, owner):
    """Territory: A (1 000 hab.) whole, B (3 000) whole, C (4 000) for a quarter; D (2 000) in the département only;
    E (10 000) in another région."""
    occitanie = cpts.region
    hg = DepartementFactory(code="31", name="Haute-Garonne", region=occitanie)
    other_region = RegionFactory(code="84", name="Auvergne-Rhône-Alpes")
    rhone = DepartementFactory(code="69", name="Rhône", region=other_region)
    a = CommuneFactory(insee_code="31001", departement=hg, population=1000)
    b = CommuneFactory(insee_code="31002", departement=hg, population=3000)
    c = CommuneFactory(insee_code="31003", departement=hg, population=4000)
    CommuneFactory(insee_code="31004", departement=hg, population=2000)
    CommuneFactory(insee_code="69001", departement=rhone, population=10_000)
    territory = TerritoryFactory(cpts=cpts)
    for commune in (a, b):
        TerritoryCommuneFactory(territory=territory, commune=commune)
    TerritoryCommuneFactory(
        territory=territory, commune=c, is_partial=True, perimeter="Centre", declared_population=1000
    )
    indicator_dataset_import(
        csv_file("code_insee;mg;apl\n31001;3;2,0\n31002;7;4,0\n31003;10;1,0\n31004;4;3,0\n69001;20;5,0\n"),
        indicators=indicators,
        label="Jeu national fictif",
        is_demo=True,
        user=owner,
    )
    return territory


def test_diagnostic_aggregates_match_hand_computed_values(diagnostic_world):
    summary = territory_summary(diagnostic_world)
    assert summary.population.total == 5000  # 1 000 + 3 000 + 1 000 declared
    reports = {r.indicator.code: r for r in diagnostic_report(summary)}
    mg, apl = reports["mg"], reports["apl"]
    territory, departement, region, france = mg.levels
    # Sum: 3 + 7 + 10 x (1 000 / 4 000) = 12.5 GPs for 5 000 inhabitants = 25 per 10 000.
    assert territory.aggregate.value == Decimal("12.5")
    assert territory.compared == Decimal(25)
    # Département: 3 + 7 + 10 + 4 = 24 for 10 000 inhabitants = 24 per 10 000; France: 44 for 20 000 = 22.
    assert (departement.label, departement.aggregate.value, departement.compared) == (
        "Haute-Garonne (31)",
        Decimal(24),
        Decimal(24),
    )
    assert region.label == "Occitanie" and region.aggregate.value == Decimal(24)
    assert (france.aggregate.value, france.compared) == (Decimal(44), Decimal(22))
    # Weighted mean: (2 x 1 000 + 4 x 3 000 + 1 x 1 000) / 5 000 = 3.0.
    assert apl.levels[0].aggregate.value == Decimal(3)
    # Département: (2 000 + 12 000 + 4 000 + 6 000) / 10 000 = 2.4; France: (24 000 + 50 000) / 20 000 = 3.7.
    assert apl.levels[1].aggregate.value == Decimal("2.4")
    assert apl.levels[-1].aggregate.value == Decimal("3.7")
    assert mg.covered == 3 and mg.total == 3 and mg.is_demo
    assert "<svg" in mg.chart and " style=" not in mg.chart and "Haute-Garonne (31)" in mg.chart


def test_a_territory_s_own_value_replaces_the_national_one_for_that_commune_only(diagnostic_world, indicators, owner):
    """Issue 12 point 4: an import for one commune used to replace the whole territory's figures."""
    indicator_dataset_import(
        csv_file("code_insee;mg\n31001;5\n"),
        indicators=[indicators[0]],
        label="Recensement local",
        territory=diagnostic_world,
        user=owner,
    )
    mg = next(r for r in diagnostic_report(territory_summary(diagnostic_world)) if r.indicator.code == "mg")
    assert mg.dataset.label == "Recensement local" and mg.comparison_dataset.label == "Jeu national fictif"
    assert [d.label for d in mg.datasets] == ["Recensement local", "Jeu national fictif"]
    # 5 (own) + 7 + 10 x 1/4 (national): the other communes keep their values.
    assert mg.levels[0].aggregate.value == Decimal("14.5") and mg.covered == 3
    assert mg.commune_values[Commune.objects.get(insee_code="31001").pk] == Decimal(5)
    # The comparison levels count the commune at the territory's value: 24 - 3 + 5, 44 - 3 + 5.
    assert mg.levels[1].aggregate.value == Decimal(26) and mg.levels[1].aggregate.count == 4
    assert mg.levels[-1].aggregate.value == Decimal(46) and mg.levels[-1].aggregate.count == 5


def test_imports_upsert_per_commune_in_their_series_and_count_what_they_did(diagnostic_world, indicators, owner):
    again = indicator_dataset_import(
        csv_file("code_insee;mg\n31001;3\n31002;8\n"), indicators=[indicators[0]], label="Correctif", user=owner
    )
    assert (again.added, again.replaced, again.unchanged) == (0, 1, 1)
    assert IndicatorValue.objects.filter(indicator=indicators[0], territory=None).count() == 5
    newer = indicator_dataset_import(
        csv_file("code_insee;mg\n31003;12\n"), indicators=[indicators[0]], label="2024", year=2024, user=owner
    )
    assert (newer.added, newer.replaced, newer.unchanged) == (1, 0, 0)
    # Two national series now: comparisons read the latest value of each commune, once.
    assert IndicatorValue.objects.filter(indicator=indicators[0], is_latest=True).count() == 5
    mg = next(r for r in diagnostic_report(territory_summary(diagnostic_world)) if r.indicator.code == "mg")
    # 3 + 8 + 12 x 1/4; Haute-Garonne 3 + 8 + 12 + 4; France + 20.
    assert mg.levels[0].aggregate.value == Decimal(14)
    assert mg.levels[1].aggregate.value == Decimal(27) and mg.levels[-1].aggregate.value == Decimal(47)


def test_export_lists_each_commune_then_the_levels_with_formulas_neutralised(diagnostic_world):
    entry = diagnostic_world.entries.get(is_partial=True)
    entry.perimeter = '=HYPERLINK("http://exemple.org")'
    entry.save()
    summary = territory_summary(diagnostic_world)
    columns, rows = diagnostic_export_rows(summary, diagnostic_report(summary))
    assert columns[-2:] == ["Médecins généralistes (médecins)", "APL (consultations)"]
    assert [r[0] for r in rows[:3]] == ["31001", "31002", "31003"]
    assert rows[2][6] == 1000 and rows[2][-2] == Decimal("10")
    assert rows[3][1] == "Total – Territoire" and rows[3][6] == 5000 and rows[3][-1] == Decimal(3)
    assert [r[1] for r in rows[4:]] == ["Haute-Garonne (31)", "Occitanie", "France"]

    from cpts_portal.tabular import export_csv, export_xlsx

    text = export_csv(columns, rows).decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert parsed[3][5] == '\'=HYPERLINK("http://exemple.org")'
    sheet = load_workbook(io.BytesIO(export_xlsx(columns, rows))).active
    assert sheet.cell(row=4, column=6).value.startswith("'=")
