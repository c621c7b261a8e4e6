"""Reads with rules about dossiers: the intention letter (``letters``) and the health project (``health_project``)."""

from .health_project import *  # noqa: F403
from .letters import *  # noqa: F403
from .letters import _letter_content_type  # noqa: F401 (used by the health project)
