"""Hostile files, generated in the tests (nothing hostile is committed to the repository)."""

import io
import zipfile

from openpyxl import Workbook


def xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_zip_bomb(uncompressed_mb: int = 200) -> bytes:
    """A real workbook whose sheet inflates from ~200 KB to ``uncompressed_mb`` MB."""
    buffer = io.BytesIO()
    base = zipfile.ZipFile(io.BytesIO(xlsx([["nom", "prenom"], ["A", "B"]])))
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for info in base.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                continue
            archive.writestr(info, base.read(info))
        chunk = b"<row><c t='inlineStr'><is><t>" + b"A" * 1000 + b"</t></is></c></row>"
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                b"<?xml version='1.0'?><worksheet xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main'><sheetData>"
            )
            for _ in range(uncompressed_mb * 1024 * 1024 // len(chunk)):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
"""


def xlsx_xml_bomb(part: str = "xl/worksheets/sheet1.xml") -> bytes:
    """A workbook whose ``part`` declares the billion-laughs entities and uses the last one in a cell."""
    base = zipfile.ZipFile(io.BytesIO(xlsx([["nom"], ["A"]])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in base.infolist():
            content = base.read(info)
            if info.filename == part:
                body = content.split(b"?>", 1)[1] if content.startswith(b"<?xml") else content
                body = body.replace(b"<t>A</t>", b"<t>&lol9;</t>", 1) if b"<t>A</t>" in body else body
                content = BILLION_LAUGHS + body
            archive.writestr(info, content)
    return buffer.getvalue()


def million_line_csv() -> bytes:
    return b"nom;prenom\n" + b"Martin;Paul\n" * 1_000_000


def not_a_pdf() -> bytes:
    """An executable-looking file renamed statuts.pdf."""
    return b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 1000


def pdf_with_javascript(where: str = "open_action") -> bytes:
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('pwned');")}
    )
    if where == "open_action":
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    elif where == "names":
        tree = DictionaryObject(
            {NameObject("/Names"): ArrayObject([TextStringObject("x"), writer._add_object(action)])}
        )
        writer._root_object[NameObject("/Names")] = DictionaryObject(
            {NameObject("/JavaScript"): writer._add_object(tree)}
        )
    elif where == "page":
        writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): writer._add_object(action)})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def formula_csv() -> bytes:
    """Formula cells (CSV injection) beside a legitimate phone number."""
    return (
        b"nom;prenom;telephone\n"
        b"=1+1;Paul;+33 6 12 34 56 78\n"
        b"Durand;@SUM(A1:A2);06 12 34 56 78\n"
        b"-2+3+cmd|' /C calc'!A0;Marie;\n"
    )


def formula_xlsx() -> bytes:
    return xlsx([["nom", "prenom"], ["=1+1", "Paul"]])
