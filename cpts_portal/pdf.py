"""The single WeasyPrint call of the portal: HTML from a template, static files read through Django's finders.

Every PDF (letter, health project, contract) goes through ``render_pdf``: the same template serves the HTML
preview and the PDF, so what a reviewer reads on screen is what the file holds. Nothing is fetched from the
network: a URL under ``STATIC_URL`` is read from disk through the staticfiles finders, anything else is refused.
"""

import logging
import mimetypes
import threading
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

# A fake origin: relative and /static/ URLs in the template resolve against it, and only it is served.
PDF_BASE_URL = "https://pdf.portail-cpts.invalid/"


def _static_path(url: str) -> Path | None:
    if not url.startswith(PDF_BASE_URL):
        return None
    path = "/" + url[len(PDF_BASE_URL) :].split("?")[0].split("#")[0]
    if not path.startswith(settings.STATIC_URL):
        return None
    found = finders.find(path[len(settings.STATIC_URL) :])
    return Path(found) if found else None


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesFetcher(URLFetcher):
        """Serve static files from disk; refuse every other URL (no network while rendering)."""

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = _static_path(url)
            if path is None:
                raise ValueError(f"Ressource refusée lors du rendu PDF : {url}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    return StaticFilesFetcher()


def render_html(template_name: str, context: dict) -> str:
    """The HTML of a document, in French whatever the caller's language (tasks have no request)."""
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(template_name, {**context, "for_pdf": True})


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render a template of ``templates/pdf/`` to PDF bytes (A4, fonts from the system's fontconfig)."""
    return html_to_pdf(render_html(template_name, context))


class _PageProgress(logging.Handler):
    """WeasyPrint logs every page it lays out on ``weasyprint.progress`` ("Step 5 - Creating layout - Page %d"):
    the one place a long render can tell how far it got. Only the records of the rendering thread are counted."""

    def __init__(self, on_page: Callable[[int], None]):
        super().__init__(logging.INFO)
        self.on_page = on_page
        self.thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread and record.msg.startswith("Step 5") and record.args:
            self.on_page(int(record.args[0]))  # type: ignore[index, call-overload]


def html_to_pdf(html: str, *, on_page: Callable[[int], None] | None = None) -> bytes:
    """The WeasyPrint call on HTML made by ``render_html``; ``on_page(n)`` is called as page n is laid out."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    document = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=_fetcher())
    if on_page is None:
        return document.write_pdf(font_config=font_config, pdf_variant="pdf/a-3b")
    # The progress records are made for our handler only: they would flood the portal's logs (one per page).
    progress = logging.getLogger("weasyprint.progress")
    handler, level, propagate = _PageProgress(on_page), progress.level, progress.propagate
    progress.addHandler(handler)
    progress.setLevel(logging.INFO)
    progress.propagate = False
    try:
        return document.write_pdf(font_config=font_config, pdf_variant="pdf/a-3b")
    finally:
        progress.removeHandler(handler)
        progress.setLevel(level)
        progress.propagate = propagate
