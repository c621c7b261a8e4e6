"""The validation log of a fiche action or of the plan, as the pages of missions read it.

The rows are the dossiers' one log of status changes (``projects.models.StatusTransition``), written by projects
for every transition of a fiche or of the plan (issue 13, point 5). Missions sits below projects and may not import
it (layers), so projects hands its reader in at start-up (``ProjectsConfig.ready``), next to the receiver that
writes the rows: missions keeps to its layer and still shows the log. A missing reader is a configuration error,
never an empty log.
"""

from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import ImproperlyConfigured

# reader(obj, *, limit) -> changes with at, label, source_label, target_label, by and comment, newest first.
Reader = Callable[..., Sequence[Any]]
_reader: list[Reader] = []


def set_reader(reader: Reader) -> None:
    """Called once by projects at start-up: ``reader(obj, *, limit)`` returns the latest changes, newest first."""
    _reader[:] = [reader]


def status_changes(obj, *, limit: int = 20) -> Sequence[Any]:
    """The latest status changes of a fiche or of the plan, newest first (one query)."""
    if not _reader:
        raise ImproperlyConfigured("Le journal des validations n'est pas branché (projects n'est pas chargé).")
    return _reader[0](obj, limit=limit)
