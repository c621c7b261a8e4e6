import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from governance.imports import MemberImportError, export_columns, export_rows, members_import
from governance.models import Member
from governance.selectors import member_list
from governance.tests.factories import MemberFactory, rpps_for, siret_for

pytestmark = pytest.mark.django_db

HEADER = (
    "Nature;Nom;Prénom;Profession;Type de structure;RPPS;SIRET;FINESS;Mode d'exercice;Code INSEE commune;E-mail;"
    "Téléphone;Date d'adhésion;Date de départ;Qualité de membre;Type d'adhésion;Niveau d'implication;Gouvernance;"
    "Rédaction du projet"
)


def csv_file(*lines: str, header: str = HEADER) -> SimpleUploadedFile:
    content = "\n".join([header, *lines]).encode("utf-8")
    return SimpleUploadedFile("membres.csv", content, content_type="text/csv")


def good_lines():
    return [
        f"Professionnel;Durand;Anne;Médecin généraliste;;{rpps_for(1)};;;Libéral;31069;anne@exemple.fr;0612345678;"
        "15/01/2024;;Membre actif;Adhésion directe;Adhère à l'association;oui;oui",
        f"Professionnel;Martin;Paul;infirmier;;{rpps_for(2)};;;liberal;11076;;;2024-02-01;;actif;directe;;non;oui",
        f"Structure;MSP du Lauragais;;;MSP;;{siret_for(7)};;;31069;;;01/03/2024;;partenaire;convention;;oui;non",
        "Structure;CH de Castelnaudary;;;Établissement de santé;;;310781406;;11076;;;01/03/2024;;partenaire;;;non;non",
    ]


def test_a_valid_file_creates_every_member_with_its_history(cpts, owner, professions, communes):
    result = members_import(cpts=cpts, uploaded=csv_file(*good_lines()), imported_by=owner)
    assert (result.created, result.updated, result.unchanged) == (4, 0, 0)
    anne = Member.objects.get(cpts=cpts, rpps=rpps_for(1))
    assert anne.profession.code == "medecin_generaliste"
    assert anne.commune.insee_code == "31069"
    assert anne.joined_on == dt.date(2024, 1, 15)
    assert anne.in_governance and anne.took_part_in_writing
    assert anne.practice_mode == "liberal"
    assert anne.history.count() == 1 and anne.history.first().history_user == owner
    msp = Member.objects.get(cpts=cpts, siret=siret_for(7))
    assert msp.structure_type.code == "msp" and msp.membership_kind == "partner" and msp.joined_via == "agreement"
    assert Member.objects.get(cpts=cpts, finess="310781406").structure_type.category.code == "autres"


def test_reimporting_the_same_file_changes_nothing(cpts, owner, professions, communes):
    members_import(cpts=cpts, uploaded=csv_file(*good_lines()), imported_by=owner)
    before = {m.pk: (m.updated_at, m.history.count()) for m in Member.objects.filter(cpts=cpts)}
    result = members_import(cpts=cpts, uploaded=csv_file(*good_lines()), imported_by=owner)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 4)
    after = {m.pk: (m.updated_at, m.history.count()) for m in Member.objects.filter(cpts=cpts)}
    assert after == before


def test_a_changed_line_updates_only_that_member(cpts, owner, professions, communes):
    members_import(cpts=cpts, uploaded=csv_file(*good_lines()), imported_by=owner)
    lines = good_lines()
    lines[1] = lines[1].replace(";;;2024-02-01;;", ";;;2024-02-01;30/06/2025;")
    result = members_import(cpts=cpts, uploaded=csv_file(*lines), imported_by=owner)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 3)
    paul = Member.objects.get(cpts=cpts, rpps=rpps_for(2))
    assert paul.left_on == dt.date(2025, 6, 30)
    assert paul.history.count() == 2


def test_every_kind_of_bad_line_is_reported_and_nothing_is_written(cpts, owner, professions, communes):
    MemberFactory(cpts=cpts, last_name="Existant")
    lines = good_lines() + [
        f"Professionnel;Inconnu;Jean;Sorcier;;{rpps_for(3)};;;;31069;;;15/01/2024;;;;;;",  # line 6
        "Professionnel;Faux;Rpps;Infirmier;;10000001347;;;;31069;;;15/01/2024;;;;;;",  # line 7
        f"Professionnel;Double;Rpps;Infirmier;;{rpps_for(1)};;;;31069;;;15/01/2024;;;;;;",  # line 8
        f"Professionnel;Sans;Commune;Infirmier;;{rpps_for(4)};;;;99999;;;15/01/2024;;;;;;",  # line 9
        f"Professionnel;Date;Folle;Infirmier;;{rpps_for(5)};;;;31069;;;32/13/2024;;;;;;",  # line 10
        "Structure;Mauvais SIRET;;;MSP;;73282932000075;;;31069;;;15/01/2024;;;;;;",  # line 11
        "Structure;Mauvais FINESS;;;Établissement de santé;;;310781407;;31069;;;15/01/2024;;;;;;",  # line 12
    ]
    before = Member.objects.count()
    with pytest.raises(MemberImportError) as exc:
        members_import(cpts=cpts, uploaded=csv_file(*lines), imported_by=owner)
    errors = exc.value.errors
    assert Member.objects.count() == before
    expected = {
        6: "profession inconnue : « Sorcier »",
        7: "Le numéro RPPS est invalide",
        8: "RPPS en double (déjà à la ligne 2)",
        9: "commune inconnue : code INSEE « 99999 »",
        10: "date illisible : « 32/13/2024 »",
        11: "Le numéro SIRET est invalide",
        12: "Le numéro FINESS est invalide",
    }
    assert len(errors) == len(expected)
    for line, reason in expected.items():
        assert any(e.startswith(f"ligne {line},") and reason in e for e in errors), (line, errors)


def test_missing_columns_are_reported_on_the_header_line(cpts, professions):
    with pytest.raises(MemberImportError) as exc:
        members_import(cpts=cpts, uploaded=csv_file("Durand;Anne", header="Nom;Prénom"))
    assert exc.value.errors == [
        "ligne 1, colonne « Date d'adhésion » : colonne obligatoire absente",
        "ligne 1, colonne « Profession ou Type de structure » : colonne obligatoire absente",
    ]


def test_a_file_that_is_not_a_table_is_refused_whole(cpts, professions):
    with pytest.raises(MemberImportError) as exc:
        members_import(cpts=cpts, uploaded=SimpleUploadedFile("membres.csv", b"%PDF-1.7\x00\x00binary"))
    assert "ni un CSV ni un classeur" in exc.value.errors[0]


def test_a_minimal_file_with_french_headers_in_any_case_is_accepted(cpts, professions):
    upload = csv_file(
        f"DURAND;Anne;kiné;{rpps_for(9)};15/01/2024", header="NOM;prenom;PROFESSION;n° RPPS;date adhesion"
    )
    result = members_import(cpts=cpts, uploaded=upload)
    assert result.created == 1
    assert Member.objects.get(cpts=cpts).profession.code == "masseur_kinesitherapeute"


def test_professionals_without_rpps_are_matched_by_name_and_profession(cpts, professions):
    upload = lambda: csv_file("Lefèvre;Zoé;Psychologue;15/01/2024", header="Nom;Prénom;Profession;Date d'adhésion")  # noqa: E731
    assert members_import(cpts=cpts, uploaded=upload()).created == 1
    assert members_import(cpts=cpts, uploaded=upload()).unchanged == 1
    assert Member.objects.filter(cpts=cpts).count() == 1


def test_the_same_professional_may_join_two_cpts(cpts, professions, communes):
    from accounts.tests.factories import OrganisationFactory

    other = OrganisationFactory(name="CPTS voisine", region=cpts.region)
    members_import(cpts=cpts, uploaded=csv_file(*good_lines()))
    members_import(cpts=other, uploaded=csv_file(*good_lines()))
    assert Member.objects.filter(rpps=rpps_for(1)).count() == 2


def test_an_xlsx_export_imports_back_unchanged_and_neutralises_formulas(cpts, owner, professions, communes):
    from openpyxl import load_workbook

    from cpts_portal.tabular import export_xlsx

    members_import(cpts=cpts, uploaded=csv_file(*good_lines()), imported_by=owner)
    MemberFactory(cpts=cpts, last_name='=HYPERLINK("http://x")', rpps=rpps_for(50))
    data = export_xlsx(
        export_columns(with_contacts=True), export_rows(member_list(cpts), with_contacts=True), sheet_title="Membres"
    )
    sheet = load_workbook(io.BytesIO(data)).active
    names = [row[1].value for row in sheet.iter_rows(min_row=2)]
    assert '\'=HYPERLINK("http://x")' in names
    Member.objects.filter(rpps=rpps_for(50)).delete()
    # The formula-neutralised name now differs (leading quote), every other member comes back identical.
    result = members_import(cpts=cpts, uploaded=SimpleUploadedFile("membres.xlsx", data))
    assert (result.unchanged, result.updated, result.created) == (4, 0, 1)
