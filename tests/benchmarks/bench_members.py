"""Benchmark: importing 2 000 members (CSV and XLSX), re-importing the same file, and the members page.

Run with ``pytest tests/benchmarks/bench_members.py -m benchmark -s``; it prints figures and ratios.
"""

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.choices import Role
from accounts.tests.factories import MembershipFactory, OrganisationFactory
from governance.imports import members_import
from governance.models import Member
from governance.tests.factories import CommuneFactory, load_professions, rpps_for

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]

N = 2000
PROFESSIONS = ["Médecin généraliste", "Infirmier", "Pharmacien", "Masseur-kinésithérapeute", "Sage-femme"]
HEADER = (
    "Nom;Prénom;Profession;RPPS;Mode d'exercice;Code INSEE commune;E-mail;Téléphone;Date d'adhésion;"
    "Gouvernance;Rédaction du projet"
)


def csv_bytes(n: int) -> bytes:
    lines = [HEADER]
    for i in range(n):
        lines.append(
            f"Nom{i:05d};Prénom{i};{PROFESSIONS[i % len(PROFESSIONS)]};{rpps_for(i)};Libéral;"
            f"{31000 + i % 50};membre{i}@exemple.fr;06 00 00 {i // 100:02d} {i % 100:02d};"
            f"{1 + i % 28:02d}/0{1 + i % 9}/2024;{'oui' if i % 10 == 0 else 'non'};{'oui' if i % 3 == 0 else 'non'}"
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


def xlsx_bytes(n: int) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Membres")
    for line in csv_bytes(n).decode().splitlines():
        sheet.append(line.split(";"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def test_import_2000_members(client):
    load_professions()
    for i in range(50):
        CommuneFactory(insee_code=str(31000 + i))
    cpts = OrganisationFactory(name="CPTS du banc d'essai")
    coordinator = MembershipFactory(organisation=cpts, role=Role.COORDINATOR).user
    data = csv_bytes(N)

    first, t_first = timed(lambda: members_import(cpts=cpts, uploaded=SimpleUploadedFile("m.csv", data)))
    assert first.created == N
    again, t_again = timed(lambda: members_import(cpts=cpts, uploaded=SimpleUploadedFile("m.csv", data)))
    assert again.unchanged == N

    other = OrganisationFactory(name="CPTS du banc d'essai (XLSX)")
    xlsx = xlsx_bytes(N)
    from_xlsx, t_xlsx = timed(lambda: members_import(cpts=other, uploaded=SimpleUploadedFile("m.xlsx", xlsx)))
    assert from_xlsx.created == N
    assert Member.objects.count() == 2 * N

    client.force_login(coordinator)
    url = reverse("governance:member_list", args=[cpts.pk])
    with CaptureQueriesContext(connection) as queries:
        _, t_page = timed(lambda: client.get(url))
    with CaptureQueriesContext(connection) as overview_queries:
        _, t_overview = timed(lambda: client.get(reverse("governance:overview", args=[cpts.pk])))

    print()
    print(
        f"Import of {N} members, CSV ({len(data) / 1024:.0f} KiB): {t_first:.2f} s "
        f"({t_first / N * 1000:.2f} ms per member)"
    )
    print(
        f"Re-import of the same CSV (nothing changes): {t_again:.2f} s (ratio to first import {t_again / t_first:.2f})"
    )
    print(
        f"Import of {N} members, XLSX ({len(xlsx) / 1024:.0f} KiB): {t_xlsx:.2f} s "
        f"(ratio to CSV {t_xlsx / t_first:.2f})"
    )
    print(f"Members page with {N} members: {t_page * 1000:.0f} ms, {len(queries.captured_queries)} queries")
    print(
        f"Overview (counts) with {N} members: {t_overview * 1000:.0f} ms, "
        f"{len(overview_queries.captured_queries)} queries"
    )
