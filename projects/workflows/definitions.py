"""Which definition runs which dossier: one line per stage."""

from .engine import register
from .letter import LETTER

DEFINITIONS = [register(LETTER)]
