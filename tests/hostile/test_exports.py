"""Exports neutralise formula cells: every CSV/XLSX leaves through cpts_portal.tabular."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from governance.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_the_member_export_neutralises_formula_cells(world):
    MemberFactory(cpts=world.cpts, last_name='=HYPERLINK("http://x.invalid")', first_name="@SUM(A1)")
    client = Client()
    client.force_login(world.users["coordinator"])
    url = reverse("governance:member_export", kwargs={"cpts_pk": world.cpts.pk, "fmt": "csv"})
    rows = list(csv.reader(io.StringIO(client.get(url).content.decode("utf-8-sig")), delimiter=";"))
    cells = [c for row in rows for c in row]
    assert '\'=HYPERLINK("http://x.invalid")' in cells and "'@SUM(A1)" in cells
    assert not any(c.startswith(("=", "@")) for c in cells)
    url = reverse("governance:member_export", kwargs={"cpts_pk": world.cpts.pk, "fmt": "xlsx"})
    sheet = load_workbook(io.BytesIO(client.get(url).content)).active
    values = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert '\'=HYPERLINK("http://x.invalid")' in values
    assert not any(v.startswith(("=", "@")) for v in values)
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_no_view_writes_a_spreadsheet_without_the_shared_neutralising_writer():
    """CSV/XLSX responses are built by cpts_portal.tabular.table_response only (it neutralises every cell)."""
    offenders = []
    for path in ROOT.glob("*/views*.py"):
        offenders += [str(path)] if re.search(r"csv\.writer|text/csv|openpyxl|Workbook\(", path.read_text()) else []
    for path in ROOT.glob("*/views/*.py"):
        offenders += [str(path)] if re.search(r"csv\.writer|text/csv|openpyxl|Workbook\(", path.read_text()) else []
    assert offenders == []
