import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from cpts_portal.tabular import TableError, export_csv, export_xlsx, iter_rows, read_table, require_columns


def _xlsx(rows):
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_it_reads_a_semicolon_csv_as_stripped_text_with_line_numbers():
    frame = read_table(SimpleUploadedFile("a.csv", b"code;valeur\n 31555 ;12,5\n31001;\n"))
    assert list(iter_rows(frame)) == [(2, {"code": "31555", "valeur": "12,5"}), (3, {"code": "31001", "valeur": ""})]


def test_it_reads_xlsx_by_content_whatever_the_name():
    frame = read_table(SimpleUploadedFile("indicateurs.csv", _xlsx([["code", "valeur"], ["31555", 3]])))
    assert frame.to_dict(orient="records") == [{"code": "31555", "valeur": "3"}]


def test_missing_columns_are_reported_on_the_header_line():
    frame = read_table(SimpleUploadedFile("a.csv", b"code;autre\n1;2\n"))
    errors = require_columns(frame, ["code", "valeur"])
    assert [str(e) for e in errors] == ["ligne 1, colonne « valeur » : colonne obligatoire absente"]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "vide"),
        (b"%PDF-1.7 binary\x00\x00", "ni un CSV ni un classeur"),
        (b"PK\x03\x04 not really a zip", "ni un CSV ni un classeur"),
    ],
)
def test_unreadable_files_are_refused_in_french(content, message):
    with pytest.raises(TableError, match=message):
        read_table(SimpleUploadedFile("x.xlsx", content))


def test_size_and_row_limits():
    with pytest.raises(TableError, match="taille maximale"):
        read_table(SimpleUploadedFile("a.csv", b"a\n" + b"1\n" * 100), max_bytes=50)
    with pytest.raises(TableError, match="plus de 10 lignes"):
        read_table(SimpleUploadedFile("a.csv", b"a\n" + b"1\n" * 20), max_rows=10)


def test_a_zip_bomb_disguised_as_xlsx_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", "0" * (60 * 1024 * 1024))
    with pytest.raises(TableError, match="anormalement volumineux"):
        read_table(SimpleUploadedFile("bombe.xlsx", buf.getvalue()))


def test_exports_neutralise_formula_cells():
    rows = [['=HYPERLINK("http://x")', "+33", "-1", "@SUM(A1)", "ok", 12]]
    text = export_csv(["nom", "a", "b", "c", "d", "e"], rows).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+33" in text and "'-1" in text and "'@SUM" in text and ";ok;12" in text
    sheet = load_workbook(io.BytesIO(export_xlsx(["nom"], [["=1+1"], [5]]))).active
    assert sheet["A2"].value == "'=1+1" and sheet["A2"].data_type == "s" and sheet["A3"].value == 5
