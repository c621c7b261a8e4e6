"""The crawler's own verdicts, on a fake site: a link to a refusal (403) and a French number in a machine-read
attribute are failures listed with the page that showed them, like a 500 or a dead link."""

import pytest

from .crawler import crawl

pytestmark = pytest.mark.django_db  # each request runs in a savepoint


class _Response:
    def __init__(self, status: int, html: str = ""):
        self.status_code = status
        self.content = html.encode()
        self.charset = "utf-8"
        self.headers = {"Content-Type": "text/html; charset=utf-8"}


class _Site:
    def __init__(self, pages: dict[str, _Response]):
        self.pages = pages

    def get(self, url):
        return self.pages[url]


def test_links_to_a_refusal_and_french_numbers_in_attributes_fail_the_crawl():
    site = _Site(
        {
            "/": _Response(
                200,
                '<h1>Accueil</h1><a href="/ok/">ok</a><a href="/interdit/">modifier</a>'
                '<input value="1 450 000,50"><div data-population="12,5"></div>',
            ),
            "/ok/": _Response(200, '<h1>Ok</h1><input type="number" value="1450000.50" step="0.01">'),
            "/interdit/": _Response(403, "<h1>Accès refusé</h1>"),
        }
    )
    result = crawl(site, "/")
    assert result.visited == 3
    assert result.failures == [
        "nombre à la française dans un attribut : <input value='1 450 000,50'> sur /",
        "nombre à la française dans un attribut : <div data-population='12,5'> sur /",
        "403 /interdit/ : lien vers une page refusée depuis /",
    ]
