"""Benchmark: the largest table export answered inside a request, the members of a 5 000-member CPTS (CSV, XLSX).

Issue 14 point 7 sends every long job to a task; an export stays in the request only when it is proved fast. The
exports of the portal and their sizes: the members (one row per member who ever joined: the only one that grows
with the CPTS), the table of actions (one row per fiche, ~150 at most), the diagnostic (one row per indicator,
tens), a member's personal data (RGPD, one person). The members' export is timed here at 5 000 rows (a large CPTS
has about 1 000) as the view answers it, against the same rows written raw (``values_list`` to ``csv.writer`` and
to openpyxl's write-only workbook) in the same run.

Run with ``pytest tests/benchmarks/bench_exports.py -m benchmark -s -o python_files="bench_*.py"``.
"""

import csv
import io
import statistics
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.choices import Role
from accounts.tests.factories import MembershipFactory, OrganisationFactory
from governance.imports import members_import
from governance.models import Member
from governance.tests.factories import CommuneFactory, load_professions
from tests.benchmarks.bench_members import csv_bytes
from tests.benchmarks.report import rate_goal

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]

N = 5000
FIELDS = [
    "nature", "last_name", "first_name", "profession__label", "structure_type__label", "rpps", "siret", "finess",
    "practice_mode", "commune__insee_code", "email", "phone", "joined_on", "left_on", "membership_kind",
    "joined_via", "involvement", "in_governance", "took_part_in_writing",
]  # fmt: skip


def median_s(fn, repeat=3):
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def raw_csv(cpts) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(FIELDS)
    writer.writerows(Member.objects.filter(cpts=cpts).values_list(*FIELDS).iterator())
    return buffer.getvalue().encode("utf-8-sig")


def raw_xlsx(cpts) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Export")
    sheet.append(FIELDS)
    for row in Member.objects.filter(cpts=cpts).values_list(*FIELDS).iterator():
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_members_export_of_a_5000_member_cpts(client):
    load_professions()
    for i in range(50):
        CommuneFactory(insee_code=str(31000 + i))
    cpts = OrganisationFactory(name="CPTS de 5 000 membres")
    assert members_import(cpts=cpts, uploaded=SimpleUploadedFile("m.csv", csv_bytes(N))).created == N
    client.force_login(MembershipFactory(organisation=cpts, role=Role.COORDINATOR).user)
    print(f"\nExport des membres, {N} lignes (médiane de 3, vue entière par le client de test)")
    for fmt, raw in (("csv", raw_csv), ("xlsx", raw_xlsx)):
        url = reverse("governance:member_export", args=[cpts.pk, fmt])
        response = client.get(url)
        assert response.status_code == 200 and len(response.content) > N * 50
        view_s = median_s(lambda url=url: client.get(url))
        raw_s = median_s(lambda raw=raw: raw(cpts))
        print(f"  {fmt}: vue {view_s * 1000:.0f} ms ; écriture brute des mêmes lignes {raw_s * 1000:.0f} ms")
        # ≥ 2 500 rows a second: a 5 000-member export answers within the 2 s a request may take.
        rate_goal(
            f"7-export-{fmt}",
            f"export {fmt.upper()} des membres dans la requête ({N} lignes)",
            app=N / view_s,
            reference=N / raw_s,
            unit="lignes/s",
            reference_label=f"values_list → {'csv.writer' if fmt == 'csv' else 'openpyxl'} brut",
            at_least=2500,
        )
