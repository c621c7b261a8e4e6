"""The reference of every PDF benchmark: raw WeasyPrint on the very HTML our ``render_pdf`` feeds it, in the same run.

``raw_pdf`` is ``weasyprint.HTML(string=html, base_url=...).write_pdf()`` with WeasyPrint's defaults (no PDF/A, no
font configuration of ours). The one thing it cannot skip is a fetcher: the HTML links ``/static/...`` under the
portal's fake origin, and WeasyPrint's own fetcher would try the network; the reference's fetcher answers from bytes
read once beforehand, so it costs a dict lookup. The app's figure is ``render_pdf`` end to end (template rendering,
static files through Django's finders, PDF/A-3b), so the ratio is what the portal adds to WeasyPrint.
"""

import mimetypes
import statistics
import time

from cpts_portal.pdf import PDF_BASE_URL, _static_path


def raw_pdf(html: str) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class Preloaded(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url not in _PRELOADED:
                path = _static_path(url)
                _PRELOADED[url] = path.read_bytes() if path else b""
            content_type = mimetypes.guess_type(url.split("?")[0])[0] or "application/octet-stream"
            return URLFetcherResponse(url, _PRELOADED[url], {"Content-Type": content_type})

    return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=Preloaded()).write_pdf()


_PRELOADED: dict[str, bytes] = {}


def interleaved(app, reference, *, repeat: int, warm_up: bool = True) -> tuple[float, float]:
    """Median seconds of ``app()`` and ``reference()``, run alternately (a noisy neighbour hits both alike), after
    one warm-up of each (fonts, caches, the preloaded static files) unless an earlier measure already warmed them."""
    if warm_up:
        app(), reference()
    app_runs, ref_runs = [], []
    for _ in range(repeat):
        for fn, runs in ((app, app_runs), (reference, ref_runs)):
            start = time.perf_counter()
            fn()
            runs.append(time.perf_counter() - start)
    return statistics.median(app_runs), statistics.median(ref_runs)
