"""Natural keys of the reference tables (fixtures dumped with ``--natural-foreign``)."""

from collections.abc import Callable
from typing import Any, TypeVar

_Method = TypeVar("_Method", bound=Callable[..., Any])


def depends_on(*models: str) -> Callable[[_Method], _Method]:
    """Declare the models whose natural keys a ``natural_key`` method uses (Django reads ``.dependencies``).

    The same as ``natural_key.dependencies = [...]`` after the method, written so that a type checker accepts it.
    """

    def decorate(method: _Method) -> _Method:
        setattr(method, "dependencies", list(models))  # noqa: B010 (a function attribute, set by name)
        return method

    return decorate
