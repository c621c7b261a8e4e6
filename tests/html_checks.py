"""Checks over rendered HTML that any view test (or the crawl) can run on a response.

``USE_THOUSAND_SEPARATOR`` is on, so ``{{ 2024 }}`` renders "2 024" and ``{{ 12.5 }}`` "12,5": right in a
sentence, wrong where a machine reads the number back (an ``<input value>``, a ``data-`` attribute read by the
JavaScript, a number input's ``min``/``max``/``step``). Such places take ``|unlocalize`` or ``{% localize off %}``.
"""

import re
from html.parser import HTMLParser

__all__ = ["localised_numbers_in_attributes"]

# A whole attribute value that is a number written the French way: "2 024", "1 450 000,50", "12,5".
LOCALISED_NUMBER = re.compile(r"-?\d{1,3}(?:[\u202f\u00a0 ]\d{3})+(?:,\d+)?|-?\d+,\d+")
MACHINE_READ = {"value", "min", "max", "step"}


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None or not (name in MACHINE_READ or name.startswith("data-")):
                continue
            if LOCALISED_NUMBER.fullmatch(value.strip()):
                self.found.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag


def localised_numbers_in_attributes(html: str) -> list[str]:
    """Every value/min/max/step/data-* attribute holding a localised number, as ``<tag name='…'>``."""
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.found
