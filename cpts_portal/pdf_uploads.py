"""Checks of an uploaded PDF before it is stored: a real PDF, within the size limit, without active content.

Shared by every app that stores a PDF a person uploads (governance documents, partnership agreements, the
diagnostic's annex); the virus scan is the other step (``cpts_portal.uploads.scan_upload``).
"""

import io
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PDF_MAGIC = b"%PDF-"
DEFAULT_PDF_MAX_BYTES = 10 * 1024 * 1024


def pdf_max_bytes() -> int:
    return getattr(settings, "GOVERNANCE_PDF_MAX_BYTES", DEFAULT_PDF_MAX_BYTES)


def validate_pdf(uploaded) -> None:
    """Accept a real PDF only: size first, then the ``%PDF-`` signature, then pypdf must read its pages.

    The file name and the browser's content type are ignored: both are chosen by the sender.
    """
    max_bytes = pdf_max_bytes()
    size = getattr(uploaded, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            _("Le fichier dépasse la taille maximale de %(max)s Mo.") % {"max": _megabytes(max_bytes)},
            code="pdf_too_big",
        )
    uploaded.seek(0)
    data = uploaded.read(max_bytes + 1)
    uploaded.seek(0)
    if len(data) > max_bytes:
        raise ValidationError(
            _("Le fichier dépasse la taille maximale de %(max)s Mo.") % {"max": _megabytes(max_bytes)},
            code="pdf_too_big",
        )
    if not data.startswith(PDF_MAGIC):
        raise ValidationError(_("Le fichier n'est pas un PDF (son contenu ne commence pas par %PDF-)."), code="not_pdf")
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            reader.decrypt("")
        if len(reader.pages) < 1:
            raise ValidationError(_("Le PDF ne contient aucune page."), code="pdf_empty")
        active = pdf_active_content(reader, data)
    except ValidationError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise ValidationError(_("Le PDF est illisible ou endommagé."), code="pdf_unreadable") from exc
    if active:
        raise ValidationError(
            _(
                "Le PDF contient du contenu actif (%(what)s) : il est refusé. Enregistrez-le de nouveau en PDF "
                "simple (« Imprimer en PDF ») avant de le déposer."
            )
            % {"what": ", ".join(sorted(active))},
            code="pdf_active_content",
        )


# Names that only appear in active content: scripts and launching other programs.
ACTIVE_NAMES = {"/JavaScript", "/JS", "/Launch"}
ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/Rendition"}
_NAME_RE = re.compile(rb"/[^\s/<>\[\]()%{}]+")
_HEX_ESCAPE_RE = re.compile(rb"#([0-9a-fA-F]{2})")


def _decoded_name(raw: bytes) -> str:
    # PDF names may hide letters as #xx escapes (/J#61vaScript is /JavaScript).
    return _HEX_ESCAPE_RE.sub(lambda m: bytes([int(m.group(1), 16)]), raw).decode("latin-1")


def _is_action(obj) -> bool:
    obj = obj.get_object() if hasattr(obj, "get_object") else obj
    return hasattr(obj, "get") and obj.get("/S") is not None


def pdf_active_content(reader, data: bytes) -> set[str]:
    """What makes a PDF active: JavaScript, launch or submit actions, actions run when it opens.

    Two looks: the raw bytes (every name token, escapes decoded) and pypdf's object tree (which also sees inside
    compressed object streams): the document catalog's /OpenAction and /AA, its /Names /JavaScript tree, the
    pages' /AA and their annotations' actions. A plain /OpenAction that only sets the initial view is allowed.
    """
    found = set()
    for raw in _NAME_RE.findall(data):
        name = _decoded_name(raw)
        if name in ACTIVE_NAMES:
            found.add(name.lstrip("/"))
    catalog = reader.trailer["/Root"].get_object()
    open_action = catalog.get("/OpenAction")
    if open_action is not None and _is_action(open_action):
        found.add("OpenAction")
    if catalog.get("/AA") is not None:
        found.add("AA")
    names = catalog.get("/Names")
    if names is not None and "/JavaScript" in names.get_object():
        found.add("JavaScript")
    for page in reader.pages:
        if page.get("/AA") is not None:
            found.add("AA")
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None:
                kind = action.get_object().get("/S")
                if kind in ACTIVE_ACTIONS:
                    found.add(str(kind).lstrip("/"))
    return found


def _megabytes(value: int) -> str:
    mb = value / (1024 * 1024)
    return f"{mb:.0f}" if mb >= 1 else f"{mb:.2f}".replace(".", ",")
