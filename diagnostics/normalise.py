"""Normalisation of commune names for a search that ignores accents, case, hyphens, "Saint"/"St" and the article.

The leading article of an official name ("Le Tampon", "L'Haÿ-les-Roses", "Les Cassés") is dropped on both sides,
the stored key and the typed query, as INSEE's own search key (NCC) does: "Le Tampon", "tampon" and "le tampon"
all find "Le Tampon", and "Le Mans" ranks "Le Mans" first (an exact match) rather than every name containing "mans".
"""

import unicodedata

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
# "Saint-Orens", "St Orens" and "st-orens" all become "st orens".
_ABBREVIATIONS = {"saint": "st", "sainte": "ste", "saints": "sts", "saintes": "stes"}
# INSEE's articles (TNCC 2 to 8) once normalised: "L'" became the word "l".
_ARTICLES = frozenset({"le", "la", "les", "l", "aux", "las", "los"})
_KEPT = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


class _CharacterTable(dict):
    """``str.translate`` table: what each character becomes (letters and digits, or a space), computed once per
    character the first time it is met.

    The key is made of the name one character at a time: ligatures spelt out, NFKD decomposition, combining marks
    dropped, lower case, anything but ``a-z0-9`` a space. Decomposing a whole string differs from decomposing each
    character only in the order of combining marks, which are dropped, so this is the same key as applying the
    steps to the whole name, without the per-character Python loop (the loader normalises 35 000 names).
    """

    def __missing__(self, codepoint: int) -> str:
        text = unicodedata.normalize("NFKD", chr(codepoint).translate(_LIGATURES))
        text = "".join(c for c in text if not unicodedata.combining(c)).lower()
        value = "".join(c if c in _KEPT else " " for c in text)
        self[codepoint] = value
        return value


_CHARACTERS = _CharacterTable()


def normalise_name(text: str) -> str:
    words = (text or "").translate(_CHARACTERS).split()
    if len(words) > 1 and words[0] in _ARTICLES:
        words = words[1:]
    return " ".join([_ABBREVIATIONS.get(w, w) for w in words])


def postal_code_index(codes) -> str:
    """`` 31000 31100 ``: a prefix search is ``contains=" " + typed``, on any database."""
    return " " + " ".join(sorted(codes)) + " " if codes else ""
