"""Normalisation of commune names for a search that ignores accents, case, hyphens and "Saint"/"St"."""

import re
import unicodedata

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
# "Saint-Orens", "St Orens" and "st-orens" all become "st orens".
_ABBREVIATIONS = {"saint": "st", "sainte": "ste", "saints": "sts", "saintes": "stes"}


def normalise_name(text: str) -> str:
    text = unicodedata.normalize("NFKD", (text or "").translate(_LIGATURES))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    words = _NON_ALNUM.sub(" ", text).split()
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words)


def postal_code_index(codes) -> str:
    """`` 31000 31100 ``: a prefix search is ``contains=" " + typed``, on any database."""
    return " " + " ".join(sorted(codes)) + " " if codes else ""
