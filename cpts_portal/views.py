"""Shared view pieces: the object-permission mixins (a detail view's object, or the object a page's URL names),
and error pages."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

if TYPE_CHECKING:
    from django.views import View
    from django.views.generic.base import ContextMixin
    from django.views.generic.detail import SingleObjectMixin

    # The mixins below are mixed with a View (and a SingleObjectMixin) at run time; the type checker is told so.
    class _ObjectViewBase(SingleObjectMixin[Any], View): ...

    class ViewMixinBase(ContextMixin, View): ...

else:
    _ObjectViewBase = object
    ViewMixinBase = object


class Verdict(Protocol):
    """What a permission check answers (``accounts.permissions.Decision``): falsy when refused, with a French reason.

    Described here rather than imported: ``cpts_portal`` is the lowest layer and imports no app.
    """

    @property
    def reason(self) -> str: ...

    def __bool__(self) -> bool: ...


# A permission check of ``<app>/permissions.py``: ``can_<action>(user, obj) -> Decision``.
PermissionCheck = Callable[[Any, Any], Verdict]


class ObjectPermissionMixin(LoginRequiredMixin, _ObjectViewBase):
    """Check ``permission(user, obj)`` (a function of a ``permissions`` module) on the view's object.

    A refused check raises ``PermissionDenied`` with the Decision's French reason, shown on the 403 page.
    """

    permission: ClassVar[PermissionCheck]

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        decision = type(self).permission(self.request.user, obj)
        if not decision:
            raise PermissionDenied(decision.reason)
        return obj


class PermissionDispatchMixin(LoginRequiredMixin, ViewMixinBase):
    """The one dispatch of every page about one object named by the URL (a CPTS, a dossier).

    In this order: an anonymous person goes to the login page; a wrong method is refused before anything is read;
    ``load_permission_object`` loads the object (a 404 when it does not exist); ``permission(user, obj)`` (a
    ``can_<action>`` of a ``permissions`` module) refuses with a 403 carrying the Decision's French reason; then
    ``permission_granted`` loads what else the page needs, and the page runs. ``permission`` None: the page
    checks for itself.
    """

    permission: ClassVar[PermissionCheck | None] = None

    def load_permission_object(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def permission_granted(self) -> None:
        """Load what the page needs besides the object (called once the permission is granted)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if request.method.lower() not in self.http_method_names or not hasattr(self, request.method.lower()):
            return self.http_method_not_allowed(request, *args, **kwargs)
        obj = self.load_permission_object()
        permission = type(self).permission
        if permission is not None:
            decision = permission(request.user, obj)
            if not decision:
                raise PermissionDenied(decision.reason)
        self.permission_granted()
        return super().dispatch(request, *args, **kwargs)


def permission_denied(request, exception=None):
    reason = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"reason": reason}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def rate_limited(request, exception=None):
    return render(request, "429.html", status=429)


def server_error(request):
    return render(request, "500.html", status=500)


@require_GET
def health(request):
    """Liveness probe for the load balancer (and the bare reference view of the load benchmark)."""
    return JsonResponse({"status": "ok"})
