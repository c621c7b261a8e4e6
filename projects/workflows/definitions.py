"""Which definition runs which dossier: one line per stage."""

from .engine import register
from .health_project import HEALTH_PROJECT
from .letter import LETTER

DEFINITIONS = [register(LETTER), register(HEALTH_PROJECT)]
