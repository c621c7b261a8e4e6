"""A bounded, GET-only crawler over the Django test client: what every demo persona can reach by following links.

It reports, with the URL (and the page that linked to it):
- a page that raised (the client re-raises a view's exception: it is caught and summarised as a 500);
- a 5xx answer;
- an HTML page without an ``<h1>`` (every page of the portal names itself for screen readers and the tab title);
- a link to a 404, or to a URL that refuses GET (405: a link where a form button was needed);
- a link to a page the persona may not see (403): a link shown to someone who may not follow it is a bug a user
  meets; the page must hide it, or show a disabled button with the French reason of the Decision;
- an HTML page holding a number written the French way in a machine-read attribute (``value``, ``min``, ``max``,
  ``step``, ``data-*``: ``tests/html_checks.py``), which browsers and scripts misread.
Bounds: at most ``limit`` pages, and at most ``per_route`` URLs of one route (one view with other ids: the 36
members' edit pages are one page for a crawler), ``per_admin_route`` for Django's admin (a change form per row of
every table); a PDF another persona already fetched is not rendered again (``known_files``: the fiches plan takes
seconds). Each request runs in a savepoint rolled back afterwards, so what one page writes (a session, a TOTP
device being set up, a notification marked read) never changes what the next persona sees, and a database error in
one view cannot poison the following requests.
"""

from __future__ import annotations

import traceback
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from django.db import transaction
from django.urls import Resolver404, resolve

from ..html_checks import localised_numbers_in_attributes

# Never followed: leaving the session, static files, the admin's filter/sort variants of one change list and its
# generic history and delete-confirmation pages (Django's own, the same for every model).
SKIPPED_PREFIXES = ("/deconnexion/", "/static/")
SKIPPED_ADMIN_SUFFIXES = ("/history/", "/delete/")


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.has_h1 = False

    def handle_starttag(self, tag, attrs):
        if tag == "h1":
            self.has_h1 = True
        elif tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


@dataclass
class CrawlResult:
    visited: int = 0
    failures: list[str] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    truncated: bool = False
    sampled: int = 0  # links not followed because their route was already visited ``per_route`` times


def _route(path: str) -> str:
    try:
        return resolve(urlsplit(path).path).view_name
    except Resolver404:
        return path  # a dead link is its own route: always followed, and reported


def _summary(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/site-packages/" not in f.filename] or frames
    where = ", ".join(f"{f.filename.rsplit('/work/main/', 1)[-1]}:{f.lineno}" for f in ours[-3:])
    return f"{type(exc).__name__}: {exc} (at {where})"


def _same_origin(base: str, href: str) -> str | None:
    href = href.strip()
    if href.startswith(("mailto:", "tel:", "javascript:", "data:", "#")):
        return None
    url, _fragment = urldefrag(urljoin(base, href))
    parts = urlsplit(url)
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if path.startswith(SKIPPED_PREFIXES):
        return None
    if path.startswith("/admin/") and (parts.query or path.endswith(SKIPPED_ADMIN_SUFFIXES)):
        return None
    return path


def crawl(
    client,
    start: str = "/",
    *,
    limit: int = 400,
    per_route: int = 6,
    per_admin_route: int = 1,
    known_files: set[str] | None = None,
) -> CrawlResult:
    """Breadth-first from ``start``; each URL once; at most ``limit`` pages and ``per_route`` URLs of a route.
    ``known_files``: URLs of files (PDF, CSV…) that answered 200 to an earlier crawl; skipped, and completed."""
    known_files = known_files if known_files is not None else set()
    result = CrawlResult()
    seen = {start}
    routes: dict[str, int] = {}
    queue: deque[tuple[str, str]] = deque([(start, "(départ)")])

    def enqueue(target: str, parent: str) -> None:
        if target in seen:
            return
        seen.add(target)
        route = _route(target)
        if routes.get(route, 0) >= (per_admin_route if route.startswith("admin:") else per_route):
            result.sampled += 1
            return
        routes[route] = routes.get(route, 0) + 1
        queue.append((target, parent))

    while queue:
        if result.visited >= limit:
            result.truncated = True
            break
        url, parent = queue.popleft()
        if url in known_files:
            continue
        result.visited += 1
        try:
            with transaction.atomic():
                response = client.get(url)
                transaction.set_rollback(True)
        except Exception as exc:  # noqa: BLE001 - a view's exception is the failure we report
            result.failures.append(f"500 {url} (lien depuis {parent}) : {_summary(exc)}")
            continue
        status = response.status_code
        result.statuses[status] = result.statuses.get(status, 0) + 1
        if status >= 500:
            result.failures.append(f"{status} {url} (lien depuis {parent})")
            continue
        if status == 403:
            result.failures.append(f"403 {url} : lien vers une page refusée depuis {parent}")
            continue
        if status in (404, 405):
            result.failures.append(f"{status} {url} : lien mort depuis {parent}")
            continue
        if status in (301, 302, 303, 307, 308):
            target = _same_origin(url, response.headers.get("Location", ""))
            if target:
                enqueue(target, f"{url} (redirection)")
            continue
        if status != 200:
            continue
        if "text/html" not in response.headers.get("Content-Type", ""):
            known_files.add(url)  # a PDF, a CSV, an image: its status is what we check
            continue
        html = response.content.decode(response.charset or "utf-8", errors="replace")
        parser = _PageParser()
        parser.feed(html)
        if not parser.has_h1:
            result.failures.append(f"sans <h1> : {url} (lien depuis {parent})")
        for attribute in localised_numbers_in_attributes(html):
            result.failures.append(f"nombre à la française dans un attribut : {attribute} sur {url}")
        for href in parser.links:
            target = _same_origin(url, href)
            if target:
                enqueue(target, url)
    return result
