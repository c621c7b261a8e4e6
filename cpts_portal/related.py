"""Reading a one-to-one relation that may be absent."""

from typing import Any

from django.core.exceptions import ObjectDoesNotExist


def related_or_none(obj: Any, name: str) -> Any:
    """The object at the other end of a one-to-one relation, or None when there is none.

    A reverse one-to-one raises ``RelatedObjectDoesNotExist`` (an ``ObjectDoesNotExist``) when the row is absent;
    every "does this CPTS have a territory / a health project" question goes through here.
    """
    try:
        return getattr(obj, name)
    except ObjectDoesNotExist:
        return None


def prefetched(obj: Any, name: str) -> list | None:
    """The rows ``prefetch_related(name)`` loaded on ``obj``, or None when they were not prefetched (the caller then
    queries): lets a question asked on a page's prefetched object cost no query."""
    cache = getattr(obj, "_prefetched_objects_cache", {})
    return list(cache[name]) if name in cache else None
