"""Normalisation of commune names for a search that ignores accents, case, hyphens, "Saint"/"St" and the article.

The leading article of an official name ("Le Tampon", "L'Haÿ-les-Roses", "Les Cassés") is dropped on both sides,
the stored key and the typed query, as INSEE's own search key (NCC) does: "Le Tampon", "tampon" and "le tampon"
all find "Le Tampon", and "Le Mans" ranks "Le Mans" first (an exact match) rather than every name containing "mans".
"""

import re
import unicodedata

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
# "Saint-Orens", "St Orens" and "st-orens" all become "st orens".
_ABBREVIATIONS = {"saint": "st", "sainte": "ste", "saints": "sts", "saintes": "stes"}
# INSEE's articles (TNCC 2 to 8) once normalised: "L'" became the word "l".
_ARTICLES = frozenset({"le", "la", "les", "l", "aux", "las", "los"})


def normalise_name(text: str) -> str:
    text = unicodedata.normalize("NFKD", (text or "").translate(_LIGATURES))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    words = _NON_ALNUM.sub(" ", text).split()
    if len(words) > 1 and words[0] in _ARTICLES:
        words = words[1:]
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words)


def postal_code_index(codes) -> str:
    """`` 31000 31100 ``: a prefix search is ``contains=" " + typed``, on any database."""
    return " " + " ".join(sorted(codes)) + " " if codes else ""
