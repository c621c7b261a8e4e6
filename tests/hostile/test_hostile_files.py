"""A corpus of hostile files, generated here, sent through the real upload views: each is refused with a clear French
message, quickly and within bounded memory, and nothing is stored."""

import html
import time
import tracemalloc

import defusedxml.ElementTree
import pytest
from defusedxml import DefusedXmlException
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from governance.models import GovernanceDocument, Member, Partner

from . import corpus

pytestmark = pytest.mark.django_db

# Every hostile file is at most a few MB; reading it must never cost more than this (tracemalloc peak).
MEMORY_BOUND_MB = 64
# A generous bound: refusals take milliseconds; a parser that inflated the file would take far longer.
TIME_BOUND_S = 10


def post_file(world, persona, url, field, name, content, extra=None):
    client = Client(raise_request_exception=False)
    client.force_login(world.users[persona])
    upload = SimpleUploadedFile(name, content)
    tracemalloc.start()
    started = time.perf_counter()
    response = client.post(url, {field: upload, **(extra or {})})
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"\n{name}: {len(content) / 1e6:.1f} Mo envoyés, {elapsed:.2f} s, pic mémoire {peak / 1e6:.1f} Mo")
    assert response.status_code < 500
    assert peak < MEMORY_BOUND_MB * 1e6, f"pic mémoire {peak / 1e6:.0f} Mo"
    assert elapsed < TIME_BOUND_S
    return html.unescape(response.content.decode())


def member_import(world, name, content):
    url = reverse("governance:member_import", kwargs={"cpts_pk": world.cpts.pk})
    before = Member.objects.count()
    page = post_file(world, "coordinator", url, "file", name, content)
    assert Member.objects.count() == before
    return page


def indicator_import(world, name, content):
    from diagnostics.models import IndicatorDefinition, IndicatorValue

    url = reverse("diagnostics:indicator_import_territory", kwargs={"cpts_pk": world.cpts.pk})
    before = IndicatorValue.objects.count()
    indicator = IndicatorDefinition.objects.filter(is_active=True).first()
    page = post_file(
        world, "coordinator", url, "file", name, content, {"indicators": [indicator.pk], "label": "Jeu hostile"}
    )
    assert IndicatorValue.objects.count() == before
    return page


TABLE_IMPORTS = [member_import, indicator_import]


@pytest.mark.parametrize("send", TABLE_IMPORTS)
def test_an_xlsx_zip_bomb_is_refused(world, send):
    page = send(world, "membres.xlsx", corpus.xlsx_zip_bomb(uncompressed_mb=200))
    assert "anormalement volumineux une fois décompressé" in page


@pytest.mark.parametrize("send", TABLE_IMPORTS)
@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "[Content_Types].xml"])
def test_an_xml_bomb_inside_an_xlsx_part_is_refused(world, send, part):
    bomb = corpus.xlsx_xml_bomb(part)
    page = send(world, "membres.xlsx", bomb)
    assert "déclarations XML interdites" in page


def test_defusedxml_itself_refuses_the_billion_laughs():
    """The second line of defence: the parser openpyxl uses refuses the entities."""
    with pytest.raises(DefusedXmlException):
        defusedxml.ElementTree.fromstring(corpus.BILLION_LAUGHS + b"<root>&lol9;</root>")


@pytest.mark.parametrize("send", TABLE_IMPORTS)
def test_a_million_line_csv_is_refused(world, send):
    # 2 Mo: under the size limit, so the row limit refuses it (without parsing a million rows).
    page = send(world, "membres.csv", b"nom\n" + b"x\n" * 1_000_000)
    assert "plus de 50 000 lignes" in page or "plus de 50000 lignes" in page
    # 12 Mo: the size limit refuses it before reading it whole.
    page = send(world, "membres.csv", corpus.million_line_csv())
    assert "dépasse la taille maximale de 5 Mo" in page


@pytest.mark.parametrize("send", TABLE_IMPORTS)
def test_formula_cells_are_refused(world, send):
    page = send(world, "membres.csv", corpus.formula_csv())
    assert "formules de tableur, refusées par sécurité" in page
    assert "ligne 2, colonne « nom » : =1+1" in page
    page = send(world, "membres.xlsx", corpus.formula_xlsx())
    assert "contient des formules (cellules calculées)" in page


def document_upload(world, name, content):
    url = reverse("governance:document_upload", kwargs={"cpts_pk": world.cpts.pk})
    before = GovernanceDocument.objects.count()
    page = post_file(world, "coordinator", url, "file", name, content, {"kind": "statutes", "title": "Statuts"})
    assert GovernanceDocument.objects.count() == before
    return page


def partner_agreement(world, name, content):
    url = reverse("governance:partner_create", kwargs={"cpts_pk": world.cpts.pk})
    before = Partner.objects.count()
    page = post_file(world, "coordinator", url, "agreement_file", name, content, {"name": "Clinique"})
    assert Partner.objects.count() == before
    return page


PDF_UPLOADS = [document_upload, partner_agreement]


@pytest.mark.parametrize("send", PDF_UPLOADS)
def test_a_file_renamed_pdf_that_is_not_a_pdf_is_refused(world, send):
    page = send(world, "statuts.pdf", corpus.not_a_pdf())
    assert "n'est pas un PDF" in page


@pytest.mark.parametrize("send", PDF_UPLOADS)
@pytest.mark.parametrize("where", ["open_action", "names", "page"])
def test_a_pdf_with_embedded_javascript_is_refused(world, send, where):
    page = send(world, "statuts.pdf", corpus.pdf_with_javascript(where))
    assert "contenu actif" in page and "Imprimer en PDF" in page


def test_a_plain_pdf_is_still_accepted(world):
    from tests.authz.world import tiny_pdf

    url = reverse("governance:document_upload", kwargs={"cpts_pk": world.cpts.pk})
    client = Client()
    client.force_login(world.users["coordinator"])
    response = client.post(url, {"file": SimpleUploadedFile("s.pdf", tiny_pdf()), "kind": "statutes", "title": "S"})
    assert response.status_code == 302
    assert GovernanceDocument.objects.filter(title="S").get().scan_status == "not_scanned"
