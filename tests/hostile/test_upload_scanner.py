"""The scanner hook (cpts_portal.uploads) against a clamd speaking the real INSTREAM protocol, and without one."""

import html
import socketserver
import struct
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cpts_portal.uploads import ScanStatus, scan_upload
from governance.models import GovernanceDocument
from tests.authz.world import tiny_pdf

pytestmark = pytest.mark.django_db

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class FakeClamd(socketserver.BaseRequestHandler):
    """clamd's INSTREAM: ``zINSTREAM\\0``, chunks prefixed by their 4-byte big-endian length, a zero length."""

    received = []

    def _read(self, n):
        data = b""
        while len(data) < n:
            chunk = self.request.recv(n - len(data))
            if not chunk:
                raise ConnectionError
            data += chunk
        return data

    def handle(self):
        assert self._read(10) == b"zINSTREAM\0"
        payload = b""
        while (size := struct.unpack("!L", self._read(4))[0]) != 0:
            payload += self._read(size)
        type(self).received.append(payload)
        answer = b"stream: Eicar-Test-Signature FOUND\0" if EICAR in payload else b"stream: OK\0"
        self.request.sendall(answer)


@pytest.fixture
def clamd(settings, tmp_path):
    path = str(tmp_path / "clamd.sock")
    server = socketserver.ThreadingUnixStreamServer(path, FakeClamd)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.CLAMD_SOCKET = path
    FakeClamd.received = []
    yield FakeClamd
    server.shutdown()
    server.server_close()


def upload(world, content, title):
    client = Client(raise_request_exception=False)
    client.force_login(world.users["coordinator"])
    url = reverse("governance:document_upload", kwargs={"cpts_pk": world.cpts.pk})
    response = client.post(url, {"file": SimpleUploadedFile("s.pdf", content), "kind": "statutes", "title": title})
    return response, html.unescape(response.content.decode())


def test_a_clean_file_is_scanned_by_clamd_and_stored_as_clean(world, clamd):
    response, _page = upload(world, tiny_pdf(), "Statuts analysés")
    assert response.status_code == 302
    assert GovernanceDocument.objects.get(title="Statuts analysés").scan_status == ScanStatus.CLEAN
    assert clamd.received and clamd.received[0].startswith(b"%PDF-")


def test_an_infected_file_is_refused_and_not_stored(world, clamd):
    infected = tiny_pdf() + EICAR + b"\n"  # bytes after %%EOF: still a readable PDF
    response, page = upload(world, infected, "Statuts infectés")
    assert response.status_code == 200
    assert "Le fichier est infecté (Eicar-Test-Signature) : il est refusé." in page
    assert not GovernanceDocument.objects.filter(title="Statuts infectés").exists()


def test_without_a_scanner_the_file_is_stored_as_not_scanned_and_the_admin_warns(world, settings):
    settings.CLAMD_SOCKET = settings.CLAMD_HOST = ""
    response, _page = upload(world, tiny_pdf(), "Statuts non analysés")
    assert response.status_code == 302
    assert GovernanceDocument.objects.get(title="Statuts non analysés").scan_status == ScanStatus.NOT_SCANNED
    client = Client()
    client.force_login(world.users["admin"])
    page = html.unescape(client.get(reverse("admin:governance_governancedocument_changelist")).content.decode())
    assert "n'ont pas été analysés par un antivirus" in page and "non analysé" in page


def test_an_unreachable_scanner_stores_the_file_as_not_scanned(settings, tmp_path):
    settings.CLAMD_SOCKET = str(tmp_path / "absent.sock")
    result = scan_upload(SimpleUploadedFile("s.pdf", tiny_pdf()))
    assert result.status == ScanStatus.NOT_SCANNED and "injoignable" in result.detail
