"""The virus-scanner hook every stored upload goes through.

With ``CLAMD_SOCKET`` (a Unix socket path) or ``CLAMD_HOST`` (+ ``CLAMD_PORT``, 3310 by default) set, the file is
sent to ClamAV's daemon with its INSTREAM command (the bytes in length-prefixed chunks, then a zero-length chunk;
clamd answers ``stream: OK`` or ``stream: <signature> FOUND``): an infected file is refused with a French message
and never stored. Without a daemon — or when it cannot be reached — the file is stored with the status
"non analysé", which the admin lists with a warning so that an administrator can have it checked.
"""

from __future__ import annotations

import logging
import socket
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

    _AdminBase = ModelAdmin[Any]  # mixed with a ModelAdmin at run time
else:
    _AdminBase = object

logger = logging.getLogger(__name__)

CHUNK = 64 * 1024
TIMEOUT_SECONDS = 30


class ScanStatus(models.TextChoices):
    CLEAN = "clean", gettext_lazy("analysé, sain")
    NOT_SCANNED = "not_scanned", gettext_lazy("non analysé")


@dataclass(frozen=True)
class ScanResult:
    status: str
    detail: str = ""


class ScannerUnavailable(Exception):
    pass


def scanner_configured() -> bool:
    return bool(getattr(settings, "CLAMD_SOCKET", "") or getattr(settings, "CLAMD_HOST", ""))


def _connect() -> socket.socket:
    path = getattr(settings, "CLAMD_SOCKET", "")
    if path:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        address = path
    else:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        address = (settings.CLAMD_HOST, int(getattr(settings, "CLAMD_PORT", 3310) or 3310))
    sock.settimeout(TIMEOUT_SECONDS)
    try:
        sock.connect(address)
    except OSError as exc:
        sock.close()
        raise ScannerUnavailable(str(exc)) from exc
    return sock


def clamd_instream(uploaded) -> str:
    """Send the file to clamd (INSTREAM) and return its answer, e.g. ``stream: OK``."""
    sock = _connect()
    try:
        sock.sendall(b"zINSTREAM\0")
        uploaded.seek(0)
        while chunk := uploaded.read(CHUNK):
            sock.sendall(struct.pack("!L", len(chunk)) + chunk)
        sock.sendall(struct.pack("!L", 0))
        answer = b""
        while not answer.endswith(b"\0"):
            data = sock.recv(4096)
            if not data:
                break
            answer += data
    except OSError as exc:
        raise ScannerUnavailable(str(exc)) from exc
    finally:
        sock.close()
        uploaded.seek(0)
    return answer.rstrip(b"\0").decode("utf-8", errors="replace").strip()


def scan_upload(uploaded) -> ScanResult:
    """Scan an uploaded file before it is stored: refuse it if infected, else say whether it was analysed."""
    if not scanner_configured():
        return ScanResult(ScanStatus.NOT_SCANNED, _("Aucun antivirus n'est configuré."))
    try:
        answer = clamd_instream(uploaded)
    except ScannerUnavailable as exc:
        logger.warning("Antivirus injoignable, fichier stocké sans analyse : %s", exc)
        return ScanResult(ScanStatus.NOT_SCANNED, _("L'antivirus était injoignable."))
    if answer.endswith("FOUND"):
        signature = answer.removeprefix("stream:").removesuffix("FOUND").strip()
        logger.warning("Fichier infecté refusé : %s", signature)
        raise ValidationError(
            _("Le fichier est infecté (%(signature)s) : il est refusé.") % {"signature": signature},
            code="infected",
        )
    if answer.endswith("OK"):
        return ScanResult(ScanStatus.CLEAN)
    # "INSTREAM size limit exceeded. ERROR" and the like: kept, but flagged for an administrator.
    logger.warning("Réponse inattendue de l'antivirus : %s", answer)
    return ScanResult(
        ScanStatus.NOT_SCANNED, _("L'antivirus n'a pas pu analyser le fichier : %(answer)s") % {"answer": answer}
    )


class UnscannedWarningAdminMixin(_AdminBase):
    """Admin list of stored uploads: warns when some were stored without an antivirus analysis."""

    scan_status_field = "scan_status"

    def changelist_view(self, request, extra_context=None):
        from django.contrib import messages

        count = self.model._default_manager.filter(**{self.scan_status_field: ScanStatus.NOT_SCANNED}).count()
        if count:
            messages.warning(
                request,
                _(
                    "%(count)d fichier(s) déposé(s) n'ont pas été analysés par un antivirus (« non analysé ») : "
                    "vérifiez-les avant de les ouvrir, ou configurez CLAMD_SOCKET / CLAMD_HOST."
                )
                % {"count": count},
            )
        return super().changelist_view(request, extra_context)


def delete_file_on_commit(storage, name: str | None) -> None:
    """Delete a stored file once the current transaction commits (a replaced annex, a re-rendered PDF): a
    rolled-back change keeps the file its restored row still names."""
    if name:
        transaction.on_commit(lambda: storage.delete(name))
