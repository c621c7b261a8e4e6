"""Safe reading of uploaded CSV/XLSX tables and exports protected against formula injection.

Every import in the portal goes through ``read_table``: the file kind is decided by its content, not its
name; size, row count and (for XLSX) the uncompressed size of the archive are bounded before anything is
parsed; XML is parsed by openpyxl with defusedxml installed. Cells are read as text: each import validates
and converts its own columns and reports every bad line by its number (the header is line 1).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import defusedxml  # noqa: F401  (openpyxl uses it for every XML part when it is installed)
from django.http import HttpResponse
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    import pandas as pd

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A cell a spreadsheet would run: "=...", "@...", or "+"/"-" followed by anything but a number ("+SUM(A1)",
# "-2+3+cmd|' /C calc'!A0"); a phone number "+33 (0)6 12..." or a negative amount "-12,5" is not one.
FORMULA_CELL_RE = re.compile(r"^\s*(?:[=@]|[+\-](?![\d\s.,/()]*$))")


class TableError(Exception):
    """The whole file is refused (wrong kind, too big, unreadable); the message is French."""


@dataclass(frozen=True)
class RowError:
    line: int
    message: str
    column: str = ""

    def __str__(self) -> str:
        where = _("ligne %(line)d") % {"line": self.line}
        if self.column:
            where += _(", colonne « %(column)s »") % {"column": self.column}
        return f"{where} : {self.message}"


def _read_bytes(uploaded, max_bytes: int) -> bytes:
    size = getattr(uploaded, "size", None)
    if size is not None and size > max_bytes:
        raise TableError(
            _("Le fichier dépasse la taille maximale de %(max)d Mo.") % {"max": max_bytes // (1024 * 1024)}
        )
    data = uploaded.read(max_bytes + 1) if hasattr(uploaded, "read") else bytes(uploaded)
    if len(data) > max_bytes:
        raise TableError(
            _("Le fichier dépasse la taille maximale de %(max)d Mo.") % {"max": max_bytes // (1024 * 1024)}
        )
    if not data.strip():
        raise TableError(_("Le fichier est vide."))
    return data


def _check_xlsx_archive(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise TableError(_("Le fichier n'est ni un CSV ni un classeur Excel (.xlsx) lisible.")) from exc
    names = archive.namelist()
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise TableError(_("Le fichier n'est pas un classeur Excel (.xlsx)."))
    total = sum(info.file_size for info in archive.infolist())
    compressed = sum(info.compress_size for info in archive.infolist()) or 1
    if total > MAX_UNCOMPRESSED_BYTES or total / compressed > MAX_COMPRESSION_RATIO:
        raise TableError(_("Le classeur est anormalement volumineux une fois décompressé : il est refusé."))
    # Within those bounds, look at the XML parts themselves: a workbook never declares a DTD or entities (an
    # "XML bomb" does; defusedxml would refuse it too, with an English message), and formulas are refused.
    for info in archive.infolist():
        if not info.filename.endswith((".xml", ".rels")):
            continue
        part = archive.read(info)
        if b"<!DOCTYPE" in part or b"<!ENTITY" in part:
            raise TableError(_("Le classeur contient des déclarations XML interdites (entités, DTD) : il est refusé."))
        if info.filename.startswith("xl/worksheets/") and re.search(rb"<(?:\w+:)?f[\s>/]", part):
            raise TableError(
                _(
                    "Le classeur contient des formules (cellules calculées), refusées par sécurité : enregistrez-le "
                    "avec les valeurs seules, ou en CSV."
                )
            )


def _decode_csv(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise TableError(_("Le fichier n'est ni un CSV ni un classeur Excel (.xlsx) lisible."))
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError(_("L'encodage du fichier CSV n'est pas reconnu (utilisez UTF-8)."))


def _too_many_rows(max_rows: int) -> TableError:
    return TableError(_("Le fichier contient plus de %(max)d lignes : découpez-le.") % {"max": max_rows})


def read_table(uploaded, *, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS) -> pd.DataFrame:
    """Read an uploaded CSV (``;`` or ``,``) or XLSX file into a DataFrame of stripped strings.

    Empty cells are ``""``; column names are stripped. Raises ``TableError`` for a refused file.
    """
    # Imported here, not at the top: every admin module reaches this one when Django starts, and pandas costs
    # half a second to every management command (load_communes among them) that never reads an upload.
    import pandas as pd

    data = _read_bytes(uploaded, max_bytes)
    if data[:4] == b"PK\x03\x04":
        _check_xlsx_archive(data)
        try:
            frame = pd.read_excel(io.BytesIO(data), dtype=str, engine="openpyxl", nrows=max_rows + 1)
        except Exception as exc:  # openpyxl raises many kinds for a corrupt workbook
            raise TableError(_("Le classeur Excel est illisible : %(error)s") % {"error": exc}) from exc
    else:
        text = _decode_csv(data)
        if text.count("\n") > max_rows + 1:
            raise _too_many_rows(max_rows)
        first_line = text.split("\n", 1)[0]
        delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
        try:
            frame = pd.read_csv(
                io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False, skip_blank_lines=True
            )
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise TableError(_("Le fichier CSV est mal formé : %(error)s") % {"error": exc}) from exc
    if len(frame) > max_rows:
        raise _too_many_rows(max_rows)
    frame = frame.fillna("")
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.apply(lambda col: col.map(lambda v: str(v).strip()))
    _refuse_formula_cells(frame)
    return frame


def _refuse_formula_cells(frame: pd.DataFrame) -> None:
    """A cell written as a spreadsheet formula (CSV injection) refuses the whole file, naming where."""
    found = []
    for column in frame.columns:
        if FORMULA_CELL_RE.match(column):
            found.append(RowError(1, _("en-tête en forme de formule"), column[:40]))
        for offset, value in enumerate(frame[column]):
            if FORMULA_CELL_RE.match(value):
                found.append(RowError(offset + 2, value[:40], column))
        if len(found) >= 5:
            break
    if found:
        raise TableError(
            _("Le fichier contient des formules de tableur, refusées par sécurité (%(where)s) : saisissez les valeurs.")
            % {"where": " ; ".join(str(e) for e in found[:5])}
        )


def require_columns(frame: pd.DataFrame, required: Iterable[str]) -> list[RowError]:
    """One error (line 1, the header) per missing column."""
    return [RowError(1, _("colonne obligatoire absente"), column) for column in required if column not in frame.columns]


def iter_rows(frame: pd.DataFrame):
    """Yield (line number in the file, row as dict); the header is line 1."""
    for offset, row in enumerate(frame.to_dict(orient="records")):
        yield offset + 2, row


def neutralise(value):
    """Make a cell inert in a spreadsheet: text starting with = + - @ (or tab/CR) is prefixed with '."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def export_csv(columns: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([neutralise(c) for c in columns])
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def export_xlsx(columns: Sequence[str], rows: Iterable[Sequence], *, sheet_title: str = "Export") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.append([neutralise(c) for c in columns])
    for row in rows:
        sheet.append([neutralise(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_response(fmt: str, filename: str, columns: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    """An attachment in ``csv`` or ``xlsx`` (anything else is refused by the caller's URL)."""
    if fmt == "xlsx":
        response = HttpResponse(export_xlsx(columns, rows), content_type=XLSX_MIME)
    else:
        fmt = "csv"
        response = HttpResponse(export_csv(columns, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
