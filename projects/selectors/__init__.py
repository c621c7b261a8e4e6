"""Reads with rules about dossiers: the intention letter (``letters``), the health project (``health_project``)
and what awaits a person across dossiers (``awaiting``)."""

from .awaiting import *  # noqa: F403
from .health_project import *  # noqa: F403
from .letters import *  # noqa: F403
from .letters import _letter_content_type  # noqa: F401 (used by the health project)
